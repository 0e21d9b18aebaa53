/// The 64-bit FNV-1a hash of bytes: simple, fast on short keys such as ids, and the same on
/// every machine and run (unlike `Hasher`, which is seeded per process).
public struct FNV1a: Sendable, Equatable {
    /// The hash of everything added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty hash.
    public init() {}

    /// Adds the UTF-8 bytes of `text`. O(length).
    public mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte) }
    }

    /// Adds one byte.
    public mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
}
