/// A set of brand indices in `0 ..< capacity`, as a bitset: the catalog's "may be shown" mask.
///
/// O(1) membership; 1 bit per brand.
public struct BrandSet: Sendable, Equatable {
    /// The number of brand indices the set ranges over.
    public let capacity: Int
    private var words: [UInt64]

    /// An empty set over `capacity` brands, or the full set when `full`.
    public init(capacity: Int, full: Bool = false) {
        precondition(capacity >= 0, "negative capacity")
        self.capacity = capacity
        words = [UInt64](repeating: full ? ~0 : 0, count: (capacity + 63) / 64)
        if full, capacity % 64 != 0 { words[words.count - 1] = (1 << UInt64(capacity % 64)) - 1 }
    }

    /// The set of the given indices.
    public init(capacity: Int, members: some Sequence<Int>) {
        self.init(capacity: capacity)
        for b in members { insert(b) }
    }

    /// Whether `brand` is in the set.
    @inlinable
    public func contains(_ brand: Int) -> Bool {
        guard brand >= 0, brand < capacity else { return false }
        return word(brand / 64) & (1 << UInt64(brand % 64)) != 0
    }

    @usableFromInline
    func word(_ i: Int) -> UInt64 { words[i] }

    /// Adds `brand`.
    public mutating func insert(_ brand: Int) {
        precondition(brand >= 0 && brand < capacity, "brand \(brand) outside 0..<\(capacity)")
        words[brand / 64] |= 1 << UInt64(brand % 64)
    }

    /// Removes `brand`.
    public mutating func remove(_ brand: Int) {
        precondition(brand >= 0 && brand < capacity, "brand \(brand) outside 0..<\(capacity)")
        words[brand / 64] &= ~(1 << UInt64(brand % 64))
    }

    /// Number of members. O(capacity / 64).
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
