import Foundation
import VenueInteractions

/// The brand order the baselines break ties with: by id, as strings, ascending (byte order, as
/// Python compares ASCII ids). `rank[b]` is brand `b`'s position in that order.
public struct BrandIDOrder: Sendable {
    /// Position of each brand in id order.
    public let rank: [Int32]

    /// The order of `brandIDs`. O(brands log brands).
    public init(_ brandIDs: IdentifierMap) {
        let order = (0..<brandIDs.count).sorted { brandIDs[$0].utf8.lexicographicallyPrecedes(brandIDs[$1].utf8) }
        var rank = [Int32](repeating: 0, count: brandIDs.count)
        for (position, b) in order.enumerated() { rank[b] = Int32(position) }
        self.rank = rank
    }
}

/// The two rules a marketplace used before personalised venues, exactly as
/// `tmall2014_baselines.py` defines them.
public enum BaselineRankers {
    /// The brands with any event in `log`, by number of purchase events, most first, ties by
    /// brand id ascending. O(events + brands log brands).
    public static func popularity(_ log: EventLog, order: BrandIDOrder) -> [Int32] {
        var counts = [Int](repeating: -1, count: log.brandIDs.count)
        for i in 0..<log.count {
            let b = Int(log.brands[i])
            counts[b] = max(counts[b], 0) + (log.kinds[i] == .purchase ? 1 : 0)
        }
        return (0..<counts.count).filter { counts[$0] >= 0 }
            .sorted { (counts[$0], -order.rank[$0]) > (counts[$1], -order.rank[$1]) }.map(Int32.init)
    }

    /// Own history, the 2013 venue rule: score(s, b) = Σ over s's events on b of weight(kind) ·
    /// 0.5^(days before `cut` / `halfLifeDays`), weights buy 10, favourite 5, cart 5, follow 5,
    /// click 1, summed in log order in `Double` like the reference. Returns each shopper's brands
    /// by score, highest first, ties by brand id ascending. Events after `cut` are ignored.
    /// O(events + Σ history log history).
    public static func ownHistory(_ log: EventLog, cut: Int64, halfLifeDays: Double = 30, order: BrandIDOrder) -> [[(
        brand: Int32, score: Double
    )]] {
        let weights = EventWeighting()
        var scores = [[Int32: Double]](repeating: [:], count: log.shopperIDs.count)
        let cutDay = cut / 86_400
        for i in 0..<log.count where log.times[i] != EventLog.noTime && log.times[i] <= cut {
            let age = Double(cutDay - log.times[i] / 86_400)
            let w = Double(weights.weight(of: log.kinds[i])) * Double(log.values[i]) * pow(0.5, age / halfLifeDays)
            scores[Int(log.shoppers[i])][log.brands[i], default: 0] += w
        }
        return scores.map { row in
            row.map { (brand: $0.key, score: $0.value) }
                .sorted { ($0.score, -order.rank[Int($0.brand)]) > ($1.score, -order.rank[Int($1.brand)]) }
        }
    }
}
