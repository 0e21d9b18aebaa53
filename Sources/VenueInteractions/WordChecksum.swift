/// A fast 64-bit checksum over 8-byte words (multiply, rotate), tail bytes folded in, of `count`
/// bytes given in pieces of any size, as they are written or read: the checksum of model files,
/// and what a saved exposure plan records of the files it was made from. O(bytes), about a
/// multiply and a rotate per word.
public struct WordChecksum: Sendable {
    private var h: UInt64
    private let count: Int
    private var added = 0
    /// The bytes of a word not yet complete, in its low bytes (little-endian).
    private var pending: UInt64 = 0

    /// A checksum of `count` bytes, none added yet.
    public init(count: Int) {
        self.count = count
        h = 0x243f_6a88_85a3_08d3 ^ UInt64(count)
    }

    /// Adds the next bytes. O(bytes).
    public mutating func add(_ raw: UnsafeRawBufferPointer) {
        precondition(added + raw.count <= count, "more bytes than the checksum's count")
        var i = 0
        // Bytes completing a word begun by an earlier piece, or the tail past the last word.
        let wordsEnd = count / 8 * 8
        while i < raw.count && (added % 8 != 0 || added >= wordsEnd) {
            take(raw[i], wordsEnd: wordsEnd)
            i += 1
        }
        // Whole words in place.
        let words = min(raw.count - i, wordsEnd - added) / 8
        for w in 0..<words { mix(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + w * 8, as: UInt64.self))) }
        i += words * 8
        added += words * 8
        while i < raw.count {
            take(raw[i], wordsEnd: wordsEnd)
            i += 1
        }
    }

    /// One byte: into the pending word while words last, folded in alone in the tail.
    private mutating func take(_ byte: UInt8, wordsEnd: Int) {
        if added < wordsEnd {
            pending |= UInt64(byte) << UInt64(8 * (added % 8))
            if added % 8 == 7 {
                mix(pending)
                pending = 0
            }
        } else {
            h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        added += 1
    }

    private mutating func mix(_ word: UInt64) {
        h = (h ^ word) &* 0x9e37_79b9_7f4a_7c15
        h = (h << 31) | (h >> 33)
    }

    /// The checksum; every one of the `count` bytes must have been added.
    public var value: UInt64 {
        precondition(added == count, "\(count - added) bytes not added")
        let h = self.h ^ (self.h >> 29)
        return h &* 0xbf58_476d_1ce4_e5b9
    }

    /// The checksum of the bytes of file `path` (mapped; a pipe is read whole). O(file size).
    public static func of(file path: String) throws(InputError) -> UInt64 {
        try MappedFile(path: path).data.withUnsafeBytes { of($0) }
    }

    /// The checksum of `raw`. O(bytes).
    public static func of(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var checksum = WordChecksum(count: raw.count)
        checksum.add(raw)
        return checksum.value
    }
}
