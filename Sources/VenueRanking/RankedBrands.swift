/// A shopper's ranked brands, best first: brand indices and their final scores.
///
/// Reused across shoppers (``BrandRanker`` overwrites it in place), so ranking a population
/// allocates nothing per shopper.
public struct RankedBrands: Sendable, Equatable {
    /// Brand indices, best first.
    public internal(set) var brands: [Int32] = []
    /// Scores, parallel to ``brands``: factor score plus offsets and boosts.
    public internal(set) var scores: [Float] = []

    /// An empty list.
    public init() {}

    /// Number of brands.
    public var count: Int { brands.count }

    /// Whether the list is empty.
    public var isEmpty: Bool { brands.isEmpty }

    /// Sets the length to `n`, keeping capacity (new elements are placeholders to overwrite).
    mutating func resize(_ n: Int) {
        if brands.count > n {
            brands.removeLast(brands.count - n)
            scores.removeLast(scores.count - n)
        } else if brands.count < n {
            brands.append(contentsOf: repeatElement(0, count: n - brands.count))
            scores.append(contentsOf: repeatElement(0, count: n - scores.count))
        }
    }
}
