import VenueLinearAlgebra

/// How sure a method's gain over a baseline is: a paired bootstrap over the evaluated shoppers.
///
/// Each resample draws the shoppers with replacement and recomputes both methods' metric on the
/// same draw (the methods are paired: measured on the same shoppers, in the same order). The
/// interval is the percentile interval of the relative gain `metric(method) / metric(baseline) − 1`
/// over the resamples. The draws depend only on ``seed`` and the number of shoppers, so every
/// comparison made with one instance sees the same resamples, whatever the method or metric.
public struct PairedBootstrap: Sendable {
    /// The metric compared.
    public enum Statistic: String, Sendable, CaseIterable {
        /// Micro recall: all hits over all test pairs (the Tmall contest's recall).
        case recall
        /// Macro Recall@K: the mean over shoppers of `hits / min(K, |test_u|)`.
        case macroRecall = "recall_macro"
        /// Macro NDCG@K with binary gains.
        case ndcg
    }

    /// A relative gain and its bootstrap interval (`0.1` is +10%). A resample on which the
    /// baseline scores 0 and the method does not counts as an infinite gain.
    public struct Interval: Sendable, Equatable {
        /// The gain on all shoppers.
        public var estimate: Double
        /// The lower end of the interval.
        public var lower: Double
        /// The upper end of the interval.
        public var upper: Double

        /// A gain of `estimate` within `lower … upper`.
        public init(estimate: Double, lower: Double, upper: Double) {
            self.estimate = estimate
            self.lower = lower
            self.upper = upper
        }
    }

    /// Resamples drawn.
    public let resamples: Int
    /// Seed of the draws.
    public let seed: UInt64
    /// Coverage of the interval, e.g. 0.95 for the 2.5th to 97.5th percentile.
    public let level: Double

    /// A bootstrap of `resamples` draws from `seed`, giving `level` intervals.
    public init(resamples: Int = 1000, seed: UInt64 = 42, level: Double = 0.95) {
        precondition(resamples > 0, "resamples must be positive")
        precondition(level > 0 && level < 1, "level must lie strictly between 0 and 1")
        self.resamples = resamples
        self.seed = seed
        self.level = level
    }

    /// The relative gain of `method` over `baseline` in `statistic`, both measured at the same
    /// cut-off on the same shoppers in the same order. O(resamples · shoppers).
    public func relativeGain(of method: RankingMetrics, over baseline: RankingMetrics, _ statistic: Statistic) -> Interval {
        relativeGain(of: [method], over: [baseline], statistic)
    }

    /// The relative gain of `method` over `baseline` in `statistic`, where each side may have been
    /// measured more than once (one run per ALS seed, say): each shopper's numerator and
    /// denominator are their means over that side's runs, so the resamples draw shoppers, never
    /// runs. Every run is at the same cut-off on the same shoppers in the same order.
    /// O(resamples · shoppers + runs · shoppers).
    public func relativeGain(of method: [RankingMetrics], over baseline: [RankingMetrics], _ statistic: Statistic) -> Interval {
        precondition(!method.isEmpty && !baseline.isEmpty, "each side needs at least one run")
        let n = baseline[0].outcomes.count
        precondition(
            (method + baseline).allSatisfy { $0.outcomes.count == n },
            "paired runs need the same shoppers: \((method + baseline).map(\.outcomes.count))")
        guard n > 0 else { return Interval(estimate: 0, lower: 0, upper: 0) }
        func part(_ outcome: RankingMetrics.ShopperOutcome) -> (Double, Double) {
            switch statistic {
            case .recall: (Double(outcome.hits), Double(outcome.relevant))
            case .macroRecall: (outcome.recall, 1)
            case .ndcg: (outcome.ndcg, 1)
            }
        }
        func meanPart(_ runs: [RankingMetrics], _ shopper: Int) -> (Double, Double) {
            let sum = runs.reduce((0.0, 0.0)) { total, run in
                let p = part(run.outcomes[shopper])
                return (total.0 + p.0, total.1 + p.1)
            }
            return (sum.0 / Double(runs.count), sum.1 / Double(runs.count))
        }
        // Each shopper's numerator and denominator of the metric, method then baseline.
        let parts: [(Double, Double, Double, Double)] = (0..<n).map { shopper in
            let a = meanPart(method, shopper)
            let b = meanPart(baseline, shopper)
            return (a.0, a.1, b.0, b.1)
        }
        func gain(_ sums: (Double, Double, Double, Double)) -> Double {
            let mine = sums.0 / sums.1
            let theirs = sums.2 / sums.3
            if theirs == 0 { return mine == 0 ? 0 : .infinity }
            return mine / theirs - 1
        }
        let estimate = gain(parts.reduce((0, 0, 0, 0)) { ($0.0 + $1.0, $0.1 + $1.1, $0.2 + $1.2, $0.3 + $1.3) })
        var random = SeededRandom(seed: seed)
        var gains = [Double]()
        gains.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sums = (0.0, 0.0, 0.0, 0.0)
            for _ in 0..<n {
                let p = parts[random.below(n)]
                sums.0 += p.0
                sums.1 += p.1
                sums.2 += p.2
                sums.3 += p.3
            }
            gains.append(gain(sums))
        }
        gains.sort()
        let tail = (1 - level) / 2
        return Interval(estimate: estimate, lower: quantile(ofSorted: gains, tail), upper: quantile(ofSorted: gains, 1 - tail))
    }
}
