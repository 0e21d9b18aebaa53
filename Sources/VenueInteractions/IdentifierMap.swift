/// Opaque string ids (shoppers, brands) mapped to dense indices `0 ..< count` in first-seen order.
///
/// The keys live in one byte arena and the table is open-addressed, so interning a key that is
/// already known allocates nothing. The order is stable: it is saved with models, and the same
/// input always gives the same indices.
public struct IdentifierMap: Sendable, Equatable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
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

    /// All ids, in index order.
    public var ids: [String] { (0..<count).map { self[$0] } }

    /// The index of `id`, or `nil` when it was never seen. O(length of id).
    public func index(of id: String) -> Int? {
        var id = id
        return id.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }.map(Int.init)
    }

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
        var slot = hash & mask
        while true {
            let index = slots[slot]
            if index < 0 { break }
            if equals(Int(index), bytes) { return index }
            slot = (slot + 1) & mask
        }
        let index = Int32(count)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
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
        var slot = Self.hash(bytes) & mask
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            if equals(Int(index), bytes) { return index }
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

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        arena.withUnsafeBytes { arena in
            for index in 0..<count {
                let key = UnsafeRawBufferPointer(rebasing: arena[offsets[index]..<offsets[index + 1]])
                var slot = Self.hash(key) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(index)
            }
        }
    }

    /// FNV-1a, 64-bit, finished with a multiply-shift so low bits mix well.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var fnv = FNV1a()
        for byte in bytes { fnv.add(byte) }
        var h = fnv.value
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h & 0x7fff_ffff_ffff_ffff)
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
