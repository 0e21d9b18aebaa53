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

/// The ranked brands of a block of consecutive shoppers, stored flat (one allocation reused per
/// worker, not one per shopper).
public struct RankedBlock: Sendable {
    /// The shoppers (rows), in order.
    public private(set) var shoppers: Range<Int> = 0..<0
    private var starts: [Int] = [0]
    private var brands: [Int32] = []
    private var scores: [Float] = []

    /// An empty block.
    public init() {}

    /// Empties the block for `shoppers`, keeping storage.
    mutating func reset(shoppers: Range<Int>) {
        self.shoppers = shoppers.lowerBound..<shoppers.lowerBound
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        brands.removeAll(keepingCapacity: true)
        scores.removeAll(keepingCapacity: true)
    }

    /// Appends the next shopper's list.
    mutating func append(_ ranked: RankedBrands) {
        brands.append(contentsOf: ranked.brands)
        scores.append(contentsOf: ranked.scores)
        starts.append(brands.count)
        shoppers = shoppers.lowerBound..<shoppers.upperBound + 1
    }

    /// Shopper `shopper`'s brands and scores, best first.
    public subscript(shopper: Int) -> (brands: ArraySlice<Int32>, scores: ArraySlice<Float>) {
        let i = shopper - shoppers.lowerBound
        precondition(i >= 0 && i < shoppers.count, "shopper \(shopper) is not in block \(shoppers)")
        return (brands[starts[i]..<starts[i + 1]], scores[starts[i]..<starts[i + 1]])
    }
}
