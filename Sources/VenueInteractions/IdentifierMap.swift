/// Opaque string ids (shoppers, brands) mapped to dense indices `0 ..< count` in first-seen order.
///
/// The keys live in one byte arena and the table is open-addressed, so interning a key that is
/// already known allocates nothing. The order is stable: it is saved with models, and the same
/// input always gives the same indices.
public struct IdentifierMap: Sendable, Equatable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    /// Each id's hash, in index order: a probe reads a key only where the hashes agree, and
    /// growing never reads the keys.
    private var hashes: [UInt32] = []
    /// Open-addressed with linear probing, at most half full: an id's index, or -1.
    private var slots: [Int32]
    private var mask: Int

    /// An empty map.
    public init() {
        slots = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    /// Number of distinct ids.
    public var count: Int { offsets.count - 1 }

    /// The id at `index`.
    public subscript(index: Int) -> String {
        String(decoding: arena[offsets[index]..<offsets[index + 1]], as: UTF8.self)
    }

    /// Calls `body` with the UTF-8 bytes of the id at `index` (valid during the call only),
    /// without making a `String`. O(1) besides `body`.
    package func withUTF8<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[offsets[index]..<offsets[index + 1]])) }
    }

    /// The UTF-8 bytes of all ids together. O(1).
    package var utf8Count: Int { arena.count }

    /// All ids, in index order.
    public var ids: [String] { (0..<count).map { self[$0] } }

    /// The index of `id`, or `nil` when it was never seen. O(length of id).
    public func index(of id: String) -> Int? {
        var id = id
        return id.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }

    /// The index of the id spelled by the UTF-8 `bytes`, or `nil` when it was never seen; no
    /// `String` is made. O(length of the id).
    public func index(of bytes: UnsafeRawBufferPointer) -> Int? { lookup(bytes).map(Int.init) }

    /// For each id of this map, in index order, its index in `other`, or -1 when `other` does
    /// not hold it: how to carry rows from this order to `other`'s. Each id is looked up in place,
    /// without making a `String`; equal maps give `0 ..< count` at once. O(total length of the ids).
    public func indices(in other: IdentifierMap) -> [Int32] {
        if self == other { return (0..<Int32(count)).map { $0 } }
        return arena.withUnsafeBytes { arena in
            (0..<count).map { i in other.lookup(UnsafeRawBufferPointer(rebasing: arena[offsets[i]..<offsets[i + 1]])) ?? -1 }
        }
    }

    /// The index of the id spelled by `bytes`, adding it when new. Amortised O(length).
    @discardableResult
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let hash = Self.hash(bytes)
        var slot = Int(hash) & mask
        while true {
            let index = slots[slot]
            if index < 0 { break }
            if hashes[Int(index)] == hash, equals(Int(index), bytes) { return index }
            slot = (slot + 1) & mask
        }
        let index = Int32(count)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        hashes.append(hash)
        slots[slot] = index
        if count * 2 > slots.count { grow() }
        return index
    }

    /// Interns every id of `other`, in its index order, and returns each one's index here: the
    /// map interning `other`'s ids one by one after this one's would give, and how to carry
    /// indices from `other` to it. Into an empty map, `other` is taken whole. O(total length of
    /// `other`'s ids).
    public mutating func intern(contentsOf other: IdentifierMap) -> [Int32] {
        if count == 0 {
            self = other
            return Array(0..<Int32(other.count))
        }
        return other.arena.withUnsafeBytes { arena in
            (0..<other.count).map { i in intern(UnsafeRawBufferPointer(rebasing: arena[other.offsets[i]..<other.offsets[i + 1]])) }
        }
    }

    /// The index of `id`, adding it when new.
    @discardableResult
    public mutating func intern(_ id: String) -> Int32 {
        var id = id
        return id.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    private func lookup(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let hash = Self.hash(bytes)
        var slot = Int(hash) & mask
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            if hashes[Int(index)] == hash, equals(Int(index), bytes) { return index }
            slot = (slot + 1) & mask
        }
    }

    private func equals(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[index]
        let length = offsets[index + 1] - start
        guard length == bytes.count else { return false }
        return arena.withUnsafeBytes { arena in
            guard length > 0 else { return true }
            return memcmp(arena.baseAddress! + start, bytes.baseAddress!, length) == 0
        }
    }

    /// Doubles the table, placing each id by its stored hash.
    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// FNV-1a, 64-bit, finished with a multiply-shift so the low bits (a slot) mix well.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var fnv = FNV1a()
        for byte in bytes { fnv.add(byte) }
        var h = fnv.value
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    /// Two maps are equal when they hold the same identifiers in the same order, so they give
    /// every identifier the same index. O(total length of the identifiers).
    public static func == (lhs: IdentifierMap, rhs: IdentifierMap) -> Bool {
        lhs.arena == rhs.arena && lhs.offsets == rhs.offsets
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
