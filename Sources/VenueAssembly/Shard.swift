import VenueInteractions

/// One of `count` disjoint parts of a shopper population, so machines can each generate one
/// part: shard `index` (1 … `count`) holds the shoppers whose id hashes to it.
///
/// The hash is 64-bit FNV-1a of the id's UTF-8 bytes, modulo `count` (a shopper is in shard
/// `hash % count + 1`), so the split depends on the ids only: not on their order, on the other
/// shoppers, on the thread count or on the machine.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// Which part, from 1.
    public let index: Int
    /// How many parts.
    public let count: Int

    /// Shard `index` of `count`; `nil` unless 1 ≤ `index` ≤ `count`.
    public init?(index: Int, of count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Whether shopper `id` belongs to this shard. O(length of `id`).
    public func contains(_ id: String) -> Bool { contains(utf8: id.utf8) }

    /// Whether the shopper whose id has the UTF-8 bytes `id` belongs to this shard, as
    /// ``contains(_:)`` says of the id as a `String`. O(length of `id`).
    public func contains(utf8 id: some Sequence<UInt8>) -> Bool {
        var hash = FNV1a()
        for byte in id { hash.add(byte) }
        return Int(hash.value % UInt64(count)) == index - 1
    }

    /// `index/count`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }
}
