import VenueInteractions
import VenueLinearAlgebra

/// A per-interaction random holdout: each (shopper, brand) pair goes to the test set with
/// probability `fraction`, as `implicit.evaluation.train_test_split` does.
public struct HoldoutSplit: Sendable {
    /// Pairs kept for training.
    public let train: InteractionMatrix
    /// Held-out pairs.
    public let test: InteractionMatrix

    /// Splits `matrix` with a seeded draw per stored pair (in row order). O(nnz).
    public init(_ matrix: InteractionMatrix, fraction: Double, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let m = matrix.byShopper
        var trainRows: [Int32] = [], trainColumns: [Int32] = [], trainValues: [Float] = []
        var testRows: [Int32] = [], testColumns: [Int32] = [], testValues: [Float] = []
        for u in 0..<m.rows {
            for p in m.range(ofRow: u) {
                if random.unit() < fraction {
                    testRows.append(Int32(u)); testColumns.append(m.columnIndices[p]); testValues.append(m.values[p])
                } else {
                    trainRows.append(Int32(u)); trainColumns.append(m.columnIndices[p]); trainValues.append(m.values[p])
                }
            }
        }
        train = InteractionMatrix(
            shopperIDs: matrix.shopperIDs, brandIDs: matrix.brandIDs,
            byShopper: SparseMatrix(
                rows: m.rows, columns: m.columns, rowIndices: trainRows, columnIndices: trainColumns, values: trainValues))
        test = InteractionMatrix(
            shopperIDs: matrix.shopperIDs, brandIDs: matrix.brandIDs,
            byShopper: SparseMatrix(rows: m.rows, columns: m.columns, rowIndices: testRows, columnIndices: testColumns, values: testValues))
    }
}

/// Ranking quality at a cut-off K, accumulated shopper by shopper.
///
/// Macro Recall@K is `hits / min(K, |test_u|)`; NDCG@K uses binary gains with the ideal DCG
/// truncated at `min(K, |test_u|)`; micro precision/recall/F1 count all recommended pairs
/// (the Tmall contest's definition). Shoppers without test items are not counted.
public struct RankingMetrics: Sendable, Equatable {
    /// The cut-off.
    public let k: Int
    /// Each evaluated shopper's outcome, in the order added. The per-shopper sums below are
    /// derived from it (in that order), and ``PairedBootstrap`` resamples it.
    public private(set) var outcomes: [ShopperOutcome] = []
    /// Recommended pairs.
    public private(set) var recommended = 0
    /// Hits on brands the shopper had no training event on.
    public private(set) var newBrandHits = 0

    /// Shoppers evaluated (with at least one test item).
    public var shoppers: Int { outcomes.count }
    /// Σ recall_u. O(shoppers).
    public var recallSum: Double { outcomes.reduce(0) { $0 + $1.recall } }
    /// Σ NDCG_u. O(shoppers).
    public var ndcgSum: Double { outcomes.reduce(0) { $0 + $1.ndcg } }
    /// Σ hits_u / K. O(shoppers).
    public var precisionSum: Double { outcomes.reduce(0) { $0 + Double($1.hits) / Double(k) } }
    /// Recommended pairs that were in the test set. O(shoppers).
    public var hits: Int { outcomes.reduce(0) { $0 + $1.hits } }
    /// Test pairs of evaluated shoppers. O(shoppers).
    public var relevant: Int { outcomes.reduce(0) { $0 + $1.relevant } }

    /// One shopper's part of the metrics.
    public struct ShopperOutcome: Sendable, Equatable {
        /// Recommended brands (of the first K) that were in the test set.
        public var hits: Int
        /// Test brands.
        public var relevant: Int
        /// `hits / min(K, relevant)`.
        public var recall: Double
        /// NDCG@K with binary gains.
        public var ndcg: Double
    }

    /// Empty metrics at cut-off `k`.
    public init(k: Int) {
        self.k = k
    }

    /// Adds one shopper: `ranked` best first (only the first K count), `isRelevant(b)` true for
    /// test brands, `relevantCount` of them.
    /// `isNew(b)` is true for brands new to the shopper (for ``newBrandShare``).
    public mutating func add(ranked: [Int], relevantCount: Int, isRelevant: (Int) -> Bool, isNew: (Int) -> Bool = { _ in false }) {
        guard relevantCount > 0 else { return }
        var hitCount = 0
        var dcg = 0.0
        for (position, brand) in ranked.prefix(k).enumerated() where isRelevant(brand) {
            hitCount += 1
            dcg += 1 / log2(Double(position + 2))
            if isNew(brand) { newBrandHits += 1 }
        }
        var ideal = 0.0
        for position in 0..<min(k, relevantCount) { ideal += 1 / log2(Double(position + 2)) }
        outcomes.append(
            ShopperOutcome(
                hits: hitCount, relevant: relevantCount, recall: Double(hitCount) / Double(min(k, relevantCount)), ndcg: dcg / ideal))
        recommended += min(k, ranked.count)
    }

    /// Macro Recall@K.
    public var recall: Double { shoppers == 0 ? 0 : recallSum / Double(shoppers) }
    /// Macro NDCG@K.
    public var ndcg: Double { shoppers == 0 ? 0 : ndcgSum / Double(shoppers) }
    /// Macro Precision@K (hits / K).
    public var precision: Double { shoppers == 0 ? 0 : precisionSum / Double(shoppers) }
    /// Micro precision: hits over all recommended pairs.
    public var microPrecision: Double { recommended == 0 ? 0 : Double(hits) / Double(recommended) }
    /// Micro recall: hits over all test pairs.
    public var microRecall: Double { relevant == 0 ? 0 : Double(hits) / Double(relevant) }
    /// Share of hits on brands new to the shopper.
    public var newBrandShare: Double { hits == 0 ? 0 : Double(newBrandHits) / Double(hits) }
    /// Micro F1.
    public var microF1: Double {
        let p = microPrecision, r = microRecall
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
}

/// How evenly venues expose brands: catalogue coverage and the Gini coefficient of exposure.
public struct ExposureStatistics: Sendable, Equatable {
    /// Times each brand was shown.
    public private(set) var counts: [Int]

    /// No exposure yet, over `brandCount` brands.
    public init(brandCount: Int) { counts = [Int](repeating: 0, count: brandCount) }

    /// Counts one venue's brands.
    public mutating func add(_ brands: some Sequence<Int>) { for b in brands { counts[b] += 1 } }

    /// Share of brands shown at least once.
    public var coverage: Double { counts.isEmpty ? 0 : Double(counts.filter { $0 > 0 }.count) / Double(counts.count) }

    /// Gini coefficient of the exposure counts over all brands (0: perfectly even, → 1: all on
    /// one brand). O(brands log brands).
    public var gini: Double {
        let sorted = counts.sorted()
        let n = Double(sorted.count)
        let total = Double(sorted.reduce(0, +))
        guard total > 0, n > 1 else { return 0 }
        var weighted = 0.0
        for (i, x) in sorted.enumerated() { weighted += (2 * Double(i + 1) - n - 1) * Double(x) }
        return weighted / (n * total)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
