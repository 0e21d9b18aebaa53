import Foundation

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
