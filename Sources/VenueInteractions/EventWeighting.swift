import Foundation

/// How events become interaction strengths `r`: a weight per kind times the event's count,
/// optionally halved every `halfLifeDays` before a reference time.
///
/// Defaults: purchase 10, cart 5, favorite 5, follow 5, click 1, pre-aggregated weights as given;
/// recency decay off.
public struct EventWeighting: Sendable, Equatable {
    /// Weight of a click.
    public var click: Float = 1
    /// Weight of a favourite.
    public var favorite: Float = 5
    /// Weight of a follow.
    public var follow: Float = 5
    /// Weight of a cart addition.
    public var cart: Float = 5
    /// Weight of a purchase.
    public var purchase: Float = 10
    /// Multiplier of pre-aggregated strengths.
    public var weight: Float = 1
    /// Days after which an event counts half; `nil` turns decay off.
    public var halfLifeDays: Double?
    /// The time decay is measured back from (Unix seconds); `nil` means the latest event's time.
    public var reference: Int64?

    /// The default weighting.
    public init() {}

    /// What is out of range, one phrase per setting; empty when the weighting can be used. O(1).
    public var problems: [String] {
        var found: [String] = []
        for (kind, value) in [("click", click), ("favorite", favorite), ("follow", follow), ("cart", cart), ("purchase", purchase)]
        where !(value >= 0 && value.isFinite) {
            found.append("the \(kind) weight must be finite and not negative, not \(value)")
        }
        if !(weight >= 0 && weight.isFinite) { found.append("the weight multiplier must be finite and not negative, not \(weight)") }
        if let days = halfLifeDays, !(days > 0 && days.isFinite) {
            found.append("the half-life must be a positive number of days, not \(days)")
        }
        return found
    }

    /// The weight of one `kind` event.
    @inlinable
    public func weight(of kind: EventKind) -> Float {
        switch kind {
        case .click: click
        case .favorite: favorite
        case .follow: follow
        case .cart: cart
        case .purchase: purchase
        case .weight: weight
        }
    }

    /// The strength of every event in `log`, in order. O(events).
    public func strengths(of log: EventLog) -> [Float] {
        var result = [Float](repeating: 0, count: log.count)
        let table = EventKind.allCases.map { weight(of: $0) }
        let halfLifeSeconds = halfLifeDays.map { $0 * 86_400 }
        let reference = reference ?? log.latestTime() ?? 0
        for i in 0..<log.count {
            var r = table[Int(log.kinds[i].rawValue)] * log.values[i]
            if let halfLifeSeconds, log.times[i] != EventLog.noTime {
                let age = Double(reference - log.times[i]) / halfLifeSeconds
                r *= Float(exp2(-age))
            }
            result[i] = r
        }
        return result
    }
}

/// The confidence `c` an interaction of strength `r > 0` carries in implicit ALS.
public enum Confidence: Sendable, Equatable {
    /// `c = 1 + α·r` (Hu, Koren & Volinsky 2008).
    case linear(alpha: Float)
    /// `c = 1 + α·log(1 + r/ε)`.
    case logarithmic(alpha: Float, epsilon: Float)

    /// The confidence of strength `r`.
    @inlinable
    public func callAsFunction(_ r: Float) -> Float {
        switch self {
        case .linear(let alpha): 1 + alpha * r
        case .logarithmic(let alpha, let epsilon): 1 + alpha * log1p(r / epsilon)
        }
    }
}
