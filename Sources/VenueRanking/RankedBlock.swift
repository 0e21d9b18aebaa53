/// The ranked lists of a run of consecutive shoppers, as the rankers' `rankAll` hand them over:
/// stored flat in one buffer that each worker reuses from block to block, so ranking a population
/// allocates nothing per shopper.
///
/// ``BrandRanker`` fills it with `(brand, score)` pairs (``BrandRanker/Entry``),
/// ``LearnedVenueRanker`` with its ``LearnedVenueRanker/Entry``.
public struct RankedBlock<Entry: Sendable>: Sendable {
    /// The shoppers (indices of the ranker's shoppers), in order.
    public private(set) var shoppers: Range<Int> = 0..<0
    private var starts: [Int] = [0]
    private var entries: [Entry] = []

    /// An empty block.
    public init() {}

    /// Empties the block for the run starting at shopper `first`, keeping storage.
    mutating func reset(first: Int) {
        shoppers = first..<first
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        entries.removeAll(keepingCapacity: true)
    }

    /// Appends the next shopper's list. O(list).
    mutating func append(_ list: some Sequence<Entry>) {
        entries.append(contentsOf: list)
        starts.append(entries.count)
        shoppers = shoppers.lowerBound..<shoppers.upperBound + 1
    }

    /// Shopper `shopper`'s list, best first. O(1).
    public subscript(shopper: Int) -> ArraySlice<Entry> {
        let i = shopper - shoppers.lowerBound
        precondition(i >= 0 && i < shoppers.count, "shopper \(shopper) is not in block \(shoppers)")
        return entries[starts[i]..<starts[i + 1]]
    }
}
