import VenueFactorization
import VenueInteractions

/// The venue ranker's score: a blend of the factor score, the shopper's own recent history and
/// the brand's popularity,
///
///     score(s, b) = factor · (x_s · y_b) + history · h(s, b) / max_b′ h(s, b′) + popularity · p(b) / max p,
///
/// where `h` sums event weights (buy 10, favourite/follow/cart 5, click 1) halved every
/// `halfLifeDays` before the venue's time — the 2013 venue rule of
/// `tmall2014_baselines.py` — and `p` counts purchases. Each part is separable: zero the other
/// weights to score one alone. The defaults are placeholders until `venue tune` (evaluation)
/// sets them.
public struct VenueBlend: Sendable, Equatable {
    /// Weight of the factor score.
    public var factor: Float
    /// Weight of the normalised own history.
    public var history: Float
    /// Weight of the normalised popularity.
    public var popularity: Float
    /// Own-history half-life in days.
    public var halfLifeDays: Double

    /// A blend.
    public init(factor: Float = 1, history: Float = 0.5, popularity: Float = 0.05, halfLifeDays: Double = 30) {
        self.factor = factor
        self.history = history
        self.popularity = popularity
        self.halfLifeDays = halfLifeDays
    }

    /// Own history as of `time`: the recency-weighted event weights of every (shopper, brand)
    /// pair at or before `time`, each row divided by its maximum, indexed by the model's ids.
    /// `isIncluded` picks the events that count (by index in `log`; all of them by default).
    /// O(events + nonzeros).
    public func ownHistory(
        _ log: EventLog, at time: Int64, shoppers: IdentifierMap, brands: IdentifierMap, where isIncluded: (Int) -> Bool = { _ in true }
    ) -> SparseMatrix {
        var weighting = EventWeighting()
        weighting.halfLifeDays = halfLifeDays
        weighting.reference = time
        // Undated events (`noTime`, the smallest time) count.
        var history = InteractionMatrix.byShopper(of: log, weighting: weighting, shoppers: shoppers, brands: brands) {
            log.times[$0] <= time && isIncluded($0)
        }
        for r in 0..<history.rows {
            let range = history.range(ofRow: r)
            guard let top = history.values[range].max(), top > 0 else { continue }
            for j in range { history.values[j] /= top }
        }
        return history
    }

    /// Purchases per brand at or before `time` (all events when there are no purchases), divided
    /// by the largest, indexed by `brands`. O(events).
    public func popularity(_ log: EventLog, at time: Int64, brands: IdentifierMap) -> [Float] {
        Self.popularity(counts: popularityCounts(log, at: time, brands: brands))
    }

    /// Purchases per brand at or before `time` (all events when the log has no purchase),
    /// indexed by `brands`: whole numbers, which ``popularity(_:at:brands:)`` divides by the
    /// largest. A saved plan carries the whole population's, for shards that read their own
    /// shoppers' events only. O(events).
    public func popularityCounts(_ log: EventLog, at time: Int64, brands: IdentifierMap) -> [Float] {
        var counts = [Float](repeating: 0, count: brands.count)
        let map = log.brandIDs.indices(in: brands)
        let anyPurchase = log.kinds.contains(.purchase)
        for i in 0..<log.count where log.times[i] == EventLog.noTime || log.times[i] <= time {
            guard !anyPurchase || log.kinds[i] == .purchase, map[Int(log.brands[i])] >= 0 else { continue }
            counts[Int(map[Int(log.brands[i])])] += 1
        }
        return counts
    }

    /// `counts` (``popularityCounts(_:at:brands:)``) divided by the largest; as they are when
    /// none is positive. O(brands).
    public static func popularity(counts: [Float]) -> [Float] {
        let top = counts.max() ?? 0
        return top > 0 ? counts.map { $0 / top } : counts
    }

    /// A ranker scoring by this blend over `model`, from the events up to `time`: history as
    /// per-shopper boosts, popularity as per-brand offsets, `eligible` and `excludeOwned` as rules
    /// (owned = any event up to `time`). O(events + nonzeros).
    public func ranker(
        model: FactorModel, events log: EventLog, at time: Int64, eligible: BrandSet? = nil, excludeOwned: Bool = false,
        precision: BrandTable.Precision = .float32
    ) -> BrandRanker {
        let needsHistory = history != 0 || excludeOwned
        return ranker(
            model: model, history: needsHistory ? ownHistory(log, at: time, shoppers: model.shopperIDs, brands: model.brandIDs) : nil,
            popularity: popularity(log, at: time, brands: model.brandIDs), eligible: eligible, excludeOwned: excludeOwned,
            precision: precision)
    }

    /// A ranker from parts already computed with ``ownHistory(_:at:shoppers:brands:)`` and
    /// ``popularity(_:at:brands:)``. `history` may be `nil` when its weight is 0 and owned brands
    /// are kept; a zero history weight adds no per-shopper boosts. O(brands + nonzeros).
    public func ranker(
        model: FactorModel, history historyRows: SparseMatrix?, popularity popularityScores: [Float], eligible: BrandSet? = nil,
        excludeOwned: Bool = false, precision: BrandTable.Precision = .float32
    ) -> BrandRanker {
        precondition(historyRows != nil || (history == 0 && !excludeOwned), "history rows are needed for boosts and owned brands")
        let rules = RankingRules(
            eligible: eligible, offsets: popularityScores.map { $0 * popularity }, excludeOwned: excludeOwned, factorWeight: factor)
        let boosts = history == 0 ? nil : historyRows?.mapValues { $0 * self.history }
        return BrandRanker(
            brands: BrandTable(model.brandFactors, precision: precision), rules: rules,
            signals: ShopperSignals(owned: excludeOwned ? historyRows : nil, boosts: boosts))
    }
}
