import Foundation
import Testing
import VenueKit

@testable import VenueCommand

/// Checks the PNG encoder against the formats' own definitions: known checksums, and a deflate
/// decoder written here from RFC 1951 (stored and fixed-code blocks, which is all the encoder
/// writes), so an encoder bug shows as bytes that do not decode to what went in.
@Suite("Plot images")
struct PlotImageTests {
    @Test("CRC-32 and Adler-32 give the published check values")
    func checksums() {
        #expect(PNGEncoder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGEncoder.crc32([UInt8]()) == 0)
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGEncoder.adler32([]) == 1)
        // 70,000 bytes of 0xFF: past the 5,552 bytes after which the sums must be reduced.
        let long = [UInt8](repeating: 0xFF, count: 70_000)
        var a: UInt64 = 1, b: UInt64 = 0
        for byte in long {
            a = (a + UInt64(byte)) % 65521
            b = (b + a) % 65521
        }
        #expect(PNGEncoder.adler32(long) == UInt32(b << 16 | a))
    }

    @Test("deflate output decodes to its input: empty, short, runs, noise, and repeats far back")
    func deflateRoundTrip() throws {
        var random = SeededRandom(seed: 7)
        let noise = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let phrase = Array("the venue of every shopper, ".utf8)
        let inputs: [[UInt8]] = [
            [], [42], Array("abcabcabcabcabcabcabc".utf8), [UInt8](repeating: 0, count: 100_000), noise,
            noise + [UInt8](repeating: 9, count: 40_000) + noise + noise.prefix(300),  // Too far back to repeat.
            noise + [UInt8](repeating: 9, count: 22_000) + noise,  // 27,000 back: the last distance symbol.
            (0..<2000).flatMap { _ in phrase },
        ]
        for input in inputs {
            let compressed = PNGEncoder.deflate(input)
            #expect(try Inflate.decode(compressed) == input, "\(input.count) bytes")
        }
        #expect(PNGEncoder.deflate([UInt8](repeating: 0, count: 100_000)).count < 1_000, "runs become repeats")
        let zlib = PNGEncoder.zlib(noise)
        #expect((UInt16(zlib[0]) << 8 | UInt16(zlib[1])) % 31 == 0, "the zlib header's check bits")
        #expect(Array(zlib.suffix(4)) == bytes(of: PNGEncoder.adler32(noise)))
    }

    @Test("a chart's PNG: valid chunks, and the pixels where its marks are")
    func chartImage() throws {
        let red = Chart.Color(0xd62728), blue = Chart.Color(0x1f77b4)
        var chart = Chart(width: 100, height: 60, fontSize: 12)
        chart.marks = [
            .line(from: .init(x: 10, y: 50), to: .init(x: 90, y: 50), color: .black, width: 1),
            .polyline([.init(x: 10, y: 10), .init(x: 50, y: 10), .init(x: 50, y: 40)], color: red, width: 2),
            .dot(center: .init(x: 80, y: 20), radius: 3, color: blue),
            .text("L", at: .init(x: 20, y: 30), size: 12, anchor: .start, vertical: false),
            .text("L", at: .init(x: 70, y: 40), size: 12, anchor: .middle, vertical: true),
        ]
        let png = try DecodedPNG(chart.png(scale: 2))
        #expect(png.width == 200 && png.height == 120)
        #expect(png[0, 0] == .white && png[199, 119] == .white)
        #expect(png[100, 100] == .black, "the 1-wide line at y 50 covers rows 99 and 100")
        #expect(png[100, 97] == .white && png[100, 102] == .white)
        #expect(png[60, 20] == red && png[100, 60] == red, "both segments of the polyline")
        #expect(png[60, 40] == .white)
        #expect(png[160, 40] == blue && png[160, 48] == .white)
        // "L" from (20, 30): its stem is the first font column (image columns 40-41), rows 46-59
        // above the baseline at 60; its foot the bottom font row (rows 58-59), columns 40-49.
        #expect(png[40, 46] == .black && png[41, 59] == .black && png[49, 58] == .black)
        #expect(png[42, 46] == .white && png[49, 56] == .white && png[40, 60] == .white)
        // Turned a quarter left about (140, 80), centred there: the text reads upwards, the
        // glyph's top points left, so the stem runs along x at the glyph top's side and the
        // foot along y at the baseline's side.
        let vertical = (120..<200).flatMap { x in (60..<95).map { y in (x, y) } }.filter { png[$0.0, $0.1] == .black }
        let xs = vertical.map(\.0), ys = vertical.map(\.1)
        #expect(xs.min() == 140 - 14 && xs.max() == 139, "from the glyph's top, 7 font rows, to the baseline")
        #expect(ys.max()! - ys.min()! + 1 == 10, "5 font columns along the text")
        #expect(ys.min()! <= 80 && ys.max()! >= 80, "centred on the anchor")
        let stem = vertical.filter { $0.1 == ys.max()! }.count, foot = vertical.filter { $0.0 == 139 }.count
        #expect(stem == 14 && foot == 10, "the stem at the start of the text (bottom), the foot along the baseline")
    }

    @Test("marks at coordinates that are not finite, or far off the page, paint nothing")
    func marksOffThePage() throws {
        var chart = Chart(width: 20, height: 10, fontSize: 12)
        let far = Chart.Point(x: 1e300, y: -1e300), nowhere = Chart.Point(x: .nan, y: 5)
        chart.marks = [
            .line(from: far, to: .init(x: 1e301, y: 0), color: .black, width: 1),
            .polyline([nowhere, .init(x: 5, y: 5)], color: .black, width: 2),
            .dot(center: .init(x: .infinity, y: 5), radius: 3, color: .black),
            .text("far", at: far, size: 12, anchor: .middle, vertical: false),
            .text("nan", at: nowhere, size: 12, anchor: .start, vertical: true),
        ]
        let png = try DecodedPNG(chart.png(scale: 1))
        #expect((0..<20).allSatisfy { x in (0..<10).allSatisfy { png[x, $0] == .white } })
    }

    @Test("venue evaluate --plot FILE.png writes a PNG of every method's recall")
    func evaluatePlot() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let result = try TestSupport.venue([
            "evaluate", "--events", TestSupport.fixtures + "/events.csv", "--format", "generic", "--train-until", "2026-10-20",
            "--test-from", "2026-10-21", "--test-until", "2026-11-10", "-k", "5,20", "--factors", "8", "--iterations", "2",
            "--methods", "popularity,own-history", "--bootstrap", "0", "--plot", folder + "/recall.png",
        ])
        #expect(result.status == 0, "\(result.err)")
        let png = try DecodedPNG(Data(contentsOf: URL(fileURLWithPath: folder + "/recall.png")))
        #expect(png.width == 1280 && png.height == 800)
        let colors = Set((0..<png.width).flatMap { x in (0..<png.height).map { png[x, $0] } })
        #expect(colors.contains(Chart.Color(0xd62728)) && colors.contains(Chart.Color(0x1f77b4)), "one line per method")
        #expect(!colors.contains(Chart.Color(0x2ca02c)), "and no third")
    }

    private func bytes(of value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
}

/// A PNG file read back: 8-bit RGB, not interlaced, any of the five row filters.
private struct DecodedPNG {
    let width: Int
    let height: Int
    private var pixels: [UInt8] = []

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Malformed(description: "signature") }
        func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 8, compressed: [UInt8] = [], size = (0, 0), ended = false
        while offset < bytes.count {
            let length = word(offset), type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            guard PNGEncoder.crc32(bytes[(offset + 4)..<(offset + 8 + length)]) == UInt32(word(offset + 8 + length)) else {
                throw Malformed(description: "the CRC of \(type)")
            }
            switch type {
            case "IHDR":
                guard body[8...] == [8, 2, 0, 0, 0] else { throw Malformed(description: "not 8-bit RGB") }
                size = (word(offset + 8), word(offset + 12))
            case "IDAT": compressed += body
            case "IEND": ended = true
            default: break
            }
            offset += 12 + length
        }
        guard ended, compressed.count > 6 else { throw Malformed(description: "no IEND or no image data") }
        (width, height) = size
        let raw = try Inflate.decode(Array(compressed[2..<(compressed.count - 4)]))
        guard PNGEncoder.adler32(raw) == UInt32(compressed.suffix(4).reduce(0) { $0 << 8 | Int($1) }) else {
            throw Malformed(description: "Adler-32")
        }
        let stride = width * 3
        guard raw.count == (stride + 1) * height else { throw Malformed(description: "\(raw.count) bytes of rows") }
        pixels = [UInt8](repeating: 0, count: stride * height)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for i in 0..<stride {
                let value = raw[y * (stride + 1) + 1 + i]
                let left = i >= 3 ? Int(pixels[y * stride + i - 3]) : 0, up = y > 0 ? Int(pixels[(y - 1) * stride + i]) : 0
                let upLeft = i >= 3 && y > 0 ? Int(pixels[(y - 1) * stride + i - 3]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = left
                case 2: predicted = up
                case 3: predicted = (left + up) / 2
                case 4:
                    let p = left + up - upLeft, pa = abs(p - left), pb = abs(p - up), pc = abs(p - upLeft)
                    predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft
                default: throw Malformed(description: "filter \(filter)")
                }
                pixels[y * stride + i] = value &+ UInt8(truncatingIfNeeded: predicted)
            }
        }
    }

    subscript(x: Int, y: Int) -> Chart.Color {
        let i = (y * width + x) * 3
        return Chart.Color(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
    }
}

/// Deflate decoding (RFC 1951) of stored and fixed-code blocks.
private enum Inflate {
    struct Unsupported: Error {}

    static func decode(_ bytes: [UInt8]) throws -> [UInt8] {
        var position = 0  // In bits.
        func bit() throws -> Int {
            guard position < bytes.count * 8 else { throw Unsupported() }
            defer { position += 1 }
            return Int(bytes[position / 8] >> (position % 8) & 1)
        }
        func bits(_ n: Int) throws -> Int { try (0..<n).reduce(0) { value, i in try value | bit() << i } }
        func code(_ n: Int, from start: Int = 0) throws -> Int { try (0..<n).reduce(start) { value, _ in try value << 1 | bit() } }
        let lengthBase = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
        ]
        let distanceBase = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
            8193, 12289, 16385, 24577,
        ]
        var out: [UInt8] = []
        var final = 0
        while final == 0 {
            final = try bit()
            switch try bits(2) {
            case 0:
                position = (position + 7) / 8 * 8
                let length = try bits(16)
                guard try bits(16) == length ^ 0xFFFF else { throw Unsupported() }
                out += bytes[(position / 8)..<(position / 8 + length)]
                position += length * 8
            case 1:
                while true {
                    // Fixed codes: 7 bits for 256-279, 8 for 0-143 and 280-287, 9 for 144-255.
                    var symbol: Int
                    let seven = try code(7)
                    if seven <= 0b0010111 {
                        symbol = 256 + seven
                    } else {
                        let eight = try code(1, from: seven)
                        if (0x30...0xBF).contains(eight) {
                            symbol = eight - 0x30
                        } else if (0xC0...0xC7).contains(eight) {
                            symbol = 280 + eight - 0xC0
                        } else {
                            symbol = 144 + (try code(1, from: eight)) - 0x190
                        }
                    }
                    if symbol < 256 {
                        out.append(UInt8(symbol))
                        continue
                    }
                    if symbol == 256 { break }
                    let l = symbol - 257
                    let length = lengthBase[l] + (try bits(l < 8 || l == 28 ? 0 : (l - 4) / 4))
                    let d = try code(5)
                    let distance = distanceBase[d] + (try bits(d < 4 ? 0 : (d - 2) / 2))
                    guard distance <= out.count else { throw Unsupported() }
                    for _ in 0..<length { out.append(out[out.count - distance]) }
                }
            default: throw Unsupported()
            }
        }
        return out
    }
}
