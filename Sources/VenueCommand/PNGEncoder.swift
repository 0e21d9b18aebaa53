import Foundation

/// Writes RGB images as PNG files (RFC 2083): one `IDAT` chunk holding the rows, each with the
/// "Sub" filter, in a zlib stream (RFC 1950) of one deflate block with the fixed Huffman codes
/// (RFC 1951), whose repeats are found by a hash chain over the last 32 KiB. Charts are mostly
/// runs of one colour, which the filter turns into runs of zeros, so the file is small without
/// the dynamic codes a general-purpose compressor would build.
enum PNGEncoder {
    /// The PNG file of `image`.
    ///
    /// Complexity: O(pixels × the hash chain's bound).
    static func encode(_ image: RasterImage) -> Data {
        let stride = image.width * 3
        var filtered = [UInt8]()
        filtered.reserveCapacity((stride + 1) * image.height)
        image.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<image.height {
                let row = pixels[(y * stride)..<((y + 1) * stride)]
                filtered.append(1)  // Sub: each byte less the same channel of the pixel to its left.
                for i in row.indices { filtered.append(row[i] &- (i - row.startIndex >= 3 ? row[i - 3] : 0)) }
            }
        }
        var header = [UInt8]()
        append(UInt32(image.width), to: &header)
        append(UInt32(image.height), to: &header)
        header += [8, 2, 0, 0, 0]  // 8 bits per channel, RGB, deflate, adaptive filters, not interlaced.
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", zlib(filtered), to: &file)
        appendChunk("IEND", [], to: &file)
        return Data(file)
    }

    /// `bytes` as a zlib stream: a header for deflate with a 32 KiB window, the deflate data, and
    /// the Adler-32 checksum of `bytes`.
    static func zlib(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out += deflate(bytes)
        append(adler32(bytes), to: &out)
        return out
    }

    /// The CRC-32 of `bytes` (ISO 3309, as PNG chunks and gzip use it).
    static func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The Adler-32 checksum of `bytes` (RFC 1950).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 5552)  // The most bytes before b can overflow.
            for i in start..<end {
                a += UInt32(bytes[i])
                b += a
            }
            a %= 65521
            b %= 65521
            start = end
        }
        return b << 16 | a
    }

    /// `bytes` as one final deflate block with the fixed Huffman codes, repeats of 3 to 258 bytes
    /// up to 32 KiB back replaced by (length, distance) pairs, the longest the hash chain finds.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var out = BitWriter()
        out.write(1, bits: 1)  // The final block,
        out.write(1, bits: 2)  // with fixed codes.
        let window = 1 << 15, hashSize = 1 << 15, longestChain = 64
        var head = [Int](repeating: -1, count: hashSize)
        var previous = [Int](repeating: -1, count: window)
        func hash(_ i: Int) -> Int {
            (Int(bytes[i]) << 10 ^ Int(bytes[i + 1]) << 5 ^ Int(bytes[i + 2])) & (hashSize - 1)
        }
        func insert(_ i: Int) {
            guard i + 2 < bytes.count else { return }
            let h = hash(i)
            previous[i & (window - 1)] = head[h]
            head[h] = i
        }
        var i = 0
        while i < bytes.count {
            var bestLength = 0, bestDistance = 0
            if i + 2 < bytes.count {
                var candidate = head[hash(i)], chain = 0
                let longest = min(258, bytes.count - i)
                while candidate >= 0, i - candidate <= window, chain < longestChain {
                    var length = 0
                    while length < longest, bytes[candidate + length] == bytes[i + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = i - candidate
                        if length == longest { break }
                    }
                    candidate = previous[candidate & (window - 1)]
                    chain += 1
                }
            }
            if bestLength >= 3 {
                out.writeLength(bestLength)
                out.writeDistance(bestDistance)
                for j in i..<(i + bestLength) { insert(j) }
                i += bestLength
            } else {
                out.writeSymbol(Int(bytes[i]))
                insert(i)
                i += 1
            }
        }
        out.writeSymbol(256)  // The end of the block.
        return out.finish()
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [
            UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ]
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        append(UInt32(data.count), to: &file)
        let typed = Array(type.utf8) + data
        file += typed
        append(crc32(typed), to: &file)
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

/// Deflate's bit stream: values are packed from each byte's lowest bit, and Huffman codes from
/// their most significant bit.
private struct BitWriter {
    private var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    /// The first length of each length symbol (257 …) and its extra bits.
    private static let lengthBase = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    /// The first distance of each distance symbol and its extra bits.
    private static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193,
        12289, 16385, 24577,
    ]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Writes the low `bits` bits of `value`, lowest first.
    mutating func write(_ value: Int, bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    /// Writes the `bits`-bit Huffman code `code`, most significant bit first.
    private mutating func writeCode(_ code: Int, bits: Int) {
        var reversed = 0
        for bit in 0..<bits { reversed |= (code >> bit & 1) << (bits - 1 - bit) }
        write(reversed, bits: bits)
    }

    /// Writes literal/length symbol `symbol` (0 … 287) in the fixed code.
    mutating func writeSymbol(_ symbol: Int) {
        switch symbol {
        case 0...143: writeCode(0x30 + symbol, bits: 8)
        case 144...255: writeCode(0x190 + symbol - 144, bits: 9)
        case 256...279: writeCode(symbol - 256, bits: 7)
        default: writeCode(0xC0 + symbol - 280, bits: 8)
        }
    }

    /// Writes a repeat's `length` (3 … 258): its symbol, then its extra bits.
    mutating func writeLength(_ length: Int) {
        let index = Self.lengthBase.lastIndex { $0 <= length }!
        writeSymbol(257 + index)
        write(length - Self.lengthBase[index], bits: Self.lengthExtra[index])
    }

    /// Writes a repeat's `distance` (1 … 32,768): its 5-bit symbol, then its extra bits.
    mutating func writeDistance(_ distance: Int) {
        let index = Self.distanceBase.lastIndex { $0 <= distance }!
        writeCode(index, bits: 5)
        write(distance - Self.distanceBase[index], bits: Self.distanceExtra[index])
    }

    /// The bytes written, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if count > 0 { write(0, bits: 8 - count) }
        return bytes
    }
}
