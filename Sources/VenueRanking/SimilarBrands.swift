import VenueInteractions
import VenueLinearAlgebra

/// Brands like a given brand, by their factor vectors, best first: by cosine, what `implicit`
/// calls `similar_items`, or by projection on the brand's direction. For "more like this"
/// shelves beside a brand, a venue's "like the brands you love" floor (``NearestBrands``), and
/// a merchant asking which brands its shoppers also go to.
///
/// The factor rows are scaled to unit length once; a query is then one ``BrandRanker`` pass of
/// the queried brand's unit row over the table (unit rows for cosine, the rows as they are for
/// projection) with the queried brand itself left out, under the same rules as shopper ranking
/// (only `eligible` brands, ties to the lower index). A brand whose factors are all zero scores 0
/// with every brand, so its list holds brands of score 0 in index order.
public struct SimilarBrands: Sendable {
    /// How two brands' factor vectors are compared.
    public enum Measure: String, Sendable, CaseIterable {
        /// cos(y_a, y_b), `implicit`'s `similar_items`. Brands with only a few shoppers have
        /// unsteady directions, so where there are many of them they can lead every list.
        case cosine
        /// y_b · y_a / |y_a|: how far brand b reaches along a's direction. It still ranks by
        /// direction, but a brand with strong support outranks a faint one pointing the same way
        /// (for the shopper whose taste is y_a, brand b's factor score, up to a constant). What
        /// venue floors use.
        case projection
    }

    /// The ranker over the brand table; its "shopper" rows are the brands' unit rows.
    private let ranker: BrandRanker
    /// The brand factor rows scaled to unit length (zero rows stay zero): the queries.
    private let unitFactors: Matrix
    /// How brands are compared.
    public let measure: Measure

    /// Brands of `brandFactors` (brands × factors, a ``FactorModel``'s `brandFactors`), compared
    /// by `measure`, ranked among `eligible` brands (all by default). O(brands · factors).
    public init(brandFactors: Matrix, measure: Measure = .cosine, eligible: BrandSet? = nil) {
        var unit = brandFactors
        let (rows, width) = (unit.rows, unit.columns)
        unit.withUnsafeMutableBufferPointer { storage in
            for b in 0..<rows {
                let row = storage.baseAddress! + b * width
                let norm = VectorKernels.dot(row, row, count: width).squareRoot()
                guard norm > 0 else { continue }
                for d in 0..<width { row[d] /= norm }
            }
        }
        unitFactors = unit
        self.measure = measure
        // Row b of "owned" is brand b alone, so excluding owned brands leaves the query out.
        let itself = SparseMatrix(
            rows: rows, columns: rows, rowStarts: Array(0...rows), columnIndices: (0..<rows).map(Int32.init),
            values: [Float](repeating: 1, count: rows))
        ranker = BrandRanker(
            brands: BrandTable(measure == .cosine ? unit : brandFactors), rules: RankingRules(eligible: eligible, excludeOwned: true),
            signals: ShopperSignals(owned: itself))
    }

    /// Number of brands.
    public var count: Int { unitFactors.rows }

    /// The `k` brands most similar to `brand` (an index into the factor rows), best first, with
    /// their scores under ``measure``; never `brand` itself. Ranked as ``rankAll(_:threads:produce:consume:)``
    /// ranks every brand, so the two give the same lists, bit for bit. Buffers are made per call:
    /// for many brands, ``rankAll(_:threads:produce:consume:)`` reuses them. O(brands · factors).
    public func similar(to brand: Int, k: Int) -> RankedBrands {
        precondition(brand >= 0 && brand < count, "brand \(brand) is not among \(count) brands")
        var workspace = ranker.makeWorkspace(blockSize: 1)
        var list = RankedBrands()
        ranker.rankBlocks(k, shopperFactors: unitFactors, rows: brand..<brand + 1, workspace: &workspace) { _, ranked in
            list = ranked
        }
        return list
    }

    /// Every brand's `k` most similar brands, on `threads` workers a block of brands at a time, as
    /// ``BrandRanker/rankAll(_:shopperFactors:threads:blockSize:produce:consume:)`` ranks
    /// shoppers: `produce` formats each block on its worker, `consume` receives the outputs in
    /// brand order. The lists equal ``similar(to:k:)``'s, on any thread count.
    /// O(brands² · factors).
    public func rankAll<Output>(
        _ k: Int, threads: Int, produce: @Sendable (RankedBlock<BrandRanker.Entry>) -> Output,
        consume: (Output) throws -> Void
    ) rethrows {
        try ranker.rankAll(k, shopperFactors: unitFactors, threads: threads, produce: produce, consume: consume)
    }
}
