/// The shopper × brand interaction strengths in both orientations, with the id maps.
///
/// `byShopper` row `u` lists the brands shopper `u` touched with summed strengths;
/// `byBrand` is its transpose. Both are built once, O(events + shoppers + brands).
public struct InteractionMatrix: Sendable, Equatable {
    /// Shopper ids; row `u` of `byShopper` is `shopperIDs[u]`.
    public let shopperIDs: IdentifierMap
    /// Brand ids; row `b` of `byBrand` is `brandIDs[b]`.
    public let brandIDs: IdentifierMap
    /// Shoppers × brands.
    public let byShopper: SparseMatrix
    /// Brands × shoppers.
    public let byBrand: SparseMatrix

    /// Aggregates `log` with `weighting`: duplicates of a (shopper, brand) pair are summed.
    /// Pairs whose total strength is not positive are dropped.
    public init(log: EventLog, weighting: EventWeighting = EventWeighting()) {
        let strengths = weighting.strengths(of: log)
        let summed = SparseMatrix(
            rows: log.shopperIDs.count, columns: log.brandIDs.count,
            rowIndices: log.shoppers, columnIndices: log.brands, values: strengths)
        self.init(shopperIDs: log.shopperIDs, brandIDs: log.brandIDs, byShopper: summed.droppingNonPositive())
    }

    /// Wraps an existing shopper × brand matrix.
    public init(shopperIDs: IdentifierMap, brandIDs: IdentifierMap, byShopper: SparseMatrix) {
        precondition(byShopper.rows == shopperIDs.count && byShopper.columns == brandIDs.count, "matrix and id maps differ in size")
        self.shopperIDs = shopperIDs
        self.brandIDs = brandIDs
        self.byShopper = byShopper
        self.byBrand = byShopper.transposed()
    }

    /// Number of shoppers.
    public var shopperCount: Int { byShopper.rows }
    /// Number of brands.
    public var brandCount: Int { byShopper.columns }
    /// Number of distinct (shopper, brand) pairs.
    public var nonzeroCount: Int { byShopper.nonzeroCount }
    /// Share of all shopper × brand pairs that occur.
    public var density: Double {
        shopperCount == 0 || brandCount == 0 ? 0 : Double(nonzeroCount) / (Double(shopperCount) * Double(brandCount))
    }
}

extension SparseMatrix {
    /// The same matrix without entries `<= 0`.
    func droppingNonPositive() -> SparseMatrix {
        guard values.contains(where: { !($0 > 0) }) else { return self }
        var starts = [0]
        var columns = [Int32]()
        var kept = [Float]()
        for r in 0..<rows {
            for p in range(ofRow: r) where values[p] > 0 {
                columns.append(columnIndices[p])
                kept.append(values[p])
            }
            starts.append(columns.count)
        }
        return SparseMatrix(rows: rows, columns: self.columns, rowStarts: starts, columnIndices: columns, values: kept)
    }
}
