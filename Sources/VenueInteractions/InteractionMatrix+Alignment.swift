extension InteractionMatrix {
    /// The shopper × brand matrix re-indexed to another id order (a model's): row `r` is shopper
    /// `shopperIDs[r]`, column `c` is brand `brandIDs[c]`. Shoppers or brands the other order does
    /// not know are dropped; shoppers without events get empty rows. O(nonzeros + shoppers).
    public func aligned(shoppers shopperIDs: IdentifierMap, brands brandIDs: IdentifierMap) -> SparseMatrix {
        if shopperIDs == self.shopperIDs && brandIDs == self.brandIDs { return byShopper }
        let brandMap = self.brandIDs.indices(in: brandIDs)
        let shopperMap = self.shopperIDs.indices(in: shopperIDs)
        var rows: [Int32] = []
        var columns: [Int32] = []
        var values: [Float] = []
        rows.reserveCapacity(nonzeroCount)
        columns.reserveCapacity(nonzeroCount)
        values.reserveCapacity(nonzeroCount)
        for s in 0..<shopperCount {
            let row = shopperMap[s]
            guard row >= 0 else { continue }
            for j in byShopper.range(ofRow: s) where brandMap[Int(byShopper.columnIndices[j])] >= 0 {
                rows.append(row)
                columns.append(brandMap[Int(byShopper.columnIndices[j])])
                values.append(byShopper.values[j])
            }
        }
        return SparseMatrix(rows: shopperIDs.count, columns: brandIDs.count, rowIndices: rows, columnIndices: columns, values: values)
    }

    /// The shoppers' rows of the matrix of the events `isIncluded` picks from `log`, indexed by
    /// other ids (a model's): exactly
    /// `InteractionMatrix(log: log.filtered(isIncluded), weighting: weighting).aligned(shoppers: shopperIDs, brands: brandIDs)`,
    /// bit for bit, without the copy of the log or the by-brand transpose nobody reads. A
    /// `weighting` without a reference measures decay back from the latest included event, as
    /// the filtered log would. O(events + nonzeros + shoppers).
    public static func byShopper(
        of log: EventLog, weighting: EventWeighting = EventWeighting(), shoppers shopperIDs: IdentifierMap,
        brands brandIDs: IdentifierMap, where isIncluded: (Int) -> Bool = { _ in true }
    ) -> SparseMatrix {
        var weighting = weighting
        if weighting.reference == nil, weighting.halfLifeDays != nil {
            weighting.reference = log.latestTime(where: isIncluded) ?? 0
        }
        let strengths = weighting.strengths(of: log)
        let shopperMap = log.shopperIDs.indices(in: shopperIDs)
        let brandMap = log.brandIDs.indices(in: brandIDs)
        var rows: [Int32] = []
        var columns: [Int32] = []
        var values: [Float] = []
        rows.reserveCapacity(log.count)
        columns.reserveCapacity(log.count)
        values.reserveCapacity(log.count)
        // A pair's events keep their order, so duplicates sum as they would in the filtered log;
        // the maps are one-to-one, so no two pairs merge.
        for i in 0..<log.count where isIncluded(i) {
            let row = shopperMap[Int(log.shoppers[i])]
            let column = brandMap[Int(log.brands[i])]
            guard row >= 0, column >= 0 else { continue }
            rows.append(row)
            columns.append(column)
            values.append(strengths[i])
        }
        return SparseMatrix(rows: shopperIDs.count, columns: brandIDs.count, rowIndices: rows, columnIndices: columns, values: values)
            .droppingNonPositive()
    }
}
