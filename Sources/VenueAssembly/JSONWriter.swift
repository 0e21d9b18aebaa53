/// A small, fast JSON writer into a byte buffer: strings escaped per RFC 8259 (quotes,
/// backslashes, control characters as `\uXXXX` or their short forms; everything else, emoji and
/// Chinese included, passes as UTF-8), numbers in fixed-point decimal. Reused across pages, so
/// encoding allocates nothing once the buffer has grown.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// Appends raw ASCII (punctuation, keys known to need no escaping).
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes already encoded as JSON (a cached fragment).
    public mutating func append(_ encoded: [UInt8]) { bytes.append(contentsOf: encoded) }

    /// Appends `text` as a JSON string.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Fast path: most strings need no escaping and go in one copy.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                case 0..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends an integer.
    public mutating func integer(_ value: Int64) {
        fixed(value, places: 0)
    }

    /// Appends `value` rounded to `places` decimals (0–6), without trailing zeros; non-finite
    /// values, which JSON cannot hold, become `null`.
    public mutating func decimal(_ value: Double, places: Int) {
        guard value.isFinite, abs(value) < 9e12 else {
            raw("null")
            return
        }
        let scale = Self.powersOfTen[min(max(places, 0), 6)]
        var scaled = Int64((value * scale).rounded())
        var places = places
        while places > 0 && scaled % 10 == 0 {
            scaled /= 10
            places -= 1
        }
        fixed(scaled, places: places)
    }

    private static let powersOfTen: [Double] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]

    /// Appends `scaled / 10^places` in decimal, formatted in a stack buffer and copied once.
    private mutating func fixed(_ scaled: Int64, places: Int) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes of scratch
        withUnsafeMutableBytes(of: &digits) { buffer in
            var magnitude = scaled.magnitude
            var position = 32
            var written = 0
            repeat {
                if written == places && places > 0 {
                    position -= 1
                    buffer[position] = UInt8(ascii: ".")
                }
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                written += 1
            } while magnitude > 0 || written <= places
            if scaled < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position..<32]))
        }
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    /// Appends a newline (JSON Lines).
    public mutating func newline() { bytes.append(0x0A) }
}
