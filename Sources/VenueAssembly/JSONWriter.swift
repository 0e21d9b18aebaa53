import VenueInteractions

/// A small, fast JSON writer into a growable byte buffer: strings escaped per RFC 8259 (quotes,
/// backslashes, control characters as `\uXXXX` or their short forms; everything else, emoji and
/// Chinese included, passes as UTF-8), numbers in fixed-point decimal. Reused across pages, so
/// encoding allocates nothing once the buffer has grown.
///
/// A value type: copies share their buffer until one of them writes (copy on write). Every write
/// reserves its room up front and then stores bytes through a pointer, so a key, a number or a
/// short string costs a few stores rather than a generic array append.
public struct JSONWriter: Sendable {
    private var storage = JSONByteStorage(capacity: 256)

    /// An empty writer.
    public init() {}

    /// A copy of the bytes written so far.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The number of bytes written so far.
    public var count: Int { storage.count }

    /// Calls `body` with the bytes written so far, without copying them. O(1).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafeRawBufferPointer(start: $0.base, count: $0.count)) }
    }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() {
        if isKnownUniquelyReferenced(&storage) {
            storage.count = 0
        } else {
            storage = JSONByteStorage(capacity: storage.capacity)
        }
    }

    /// Room for `n` more bytes: the address to write them at. Commit them with `advance(by:)`.
    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(!isKnownUniquelyReferenced(&storage)) { storage = storage.copy(minimumCapacity: storage.count + n) }
        if _slowPath(storage.count + n > storage.capacity) { storage.grow(minimumCapacity: storage.count + n) }
        return storage.base + storage.count
    }

    @inline(__always)
    private mutating func advance(by n: Int) { storage.count += n }

    @inline(__always)
    private mutating func append(_ source: UnsafeRawBufferPointer) {
        guard let from = source.baseAddress, source.count > 0 else { return }
        let to = reserve(source.count)
        UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: source.count)
        advance(by: source.count)
    }

    @inline(__always)
    private mutating func byte(_ value: UInt8) {
        reserve(1).pointee = value
        advance(by: 1)
    }

    /// Appends raw ASCII (punctuation, keys known to need no escaping).
    @inline(__always)
    public mutating func raw(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes already encoded as JSON (a cached fragment).
    public mutating func append(_ encoded: [UInt8]) {
        encoded.withUnsafeBytes { append($0) }
    }

    /// Appends `encoded[range]`, bytes already encoded as JSON.
    public mutating func append(_ encoded: [UInt8], _ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= encoded.count, "range out of bounds")
        encoded.withUnsafeBytes { append(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Appends `text` as a JSON string. O(length).
    public mutating func string(_ text: String) {
        string(prefix: "", text)
    }

    /// Appends the JSON string of `prefix` (ASCII that needs no escaping) followed by `text`, as
    /// ``string(_:)`` would write their concatenation, without building it. O(length).
    public mutating func string(prefix: StaticString, _ text: String) {
        var text = text
        let head = UnsafeRawBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        text.withUTF8 { utf8 in
            // Fast path: most strings need no escaping and go in one copy.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                let to = reserve(head.count + utf8.count + 2)
                to[0] = UInt8(ascii: "\"")
                if let from = head.baseAddress { UnsafeMutableRawPointer(to + 1).copyMemory(from: from, byteCount: head.count) }
                if let from = utf8.baseAddress { (to + 1 + head.count).update(from: from, count: utf8.count) }
                to[head.count + utf8.count + 1] = UInt8(ascii: "\"")
                advance(by: head.count + utf8.count + 2)
                return
            }
            byte(UInt8(ascii: "\""))
            append(head)
            for byte in utf8 { escape(byte) }
            self.byte(UInt8(ascii: "\""))
        }
    }

    /// Appends `"YYYY-MM-DD"`, the UTC date of Unix seconds `seconds`, exactly as
    /// `string(CalendarTime.isoDate(seconds))` would, without building a string. O(1).
    public mutating func date(_ seconds: Int64) {
        let d = CalendarTime.date(seconds: seconds)
        guard (0...9999).contains(d.year) else {
            string(CalendarTime.isoDate(seconds))
            return
        }
        let to = reserve(12)
        let pairs = Self.digitPairs.utf8Start
        func pair(_ value: Int, at offset: Int) {
            to[offset] = pairs[2 * value]
            to[offset + 1] = pairs[2 * value + 1]
        }
        to[0] = UInt8(ascii: "\"")
        pair(d.year / 100, at: 1)
        pair(d.year % 100, at: 3)
        to[5] = UInt8(ascii: "-")
        pair(d.month, at: 6)
        to[8] = UInt8(ascii: "-")
        pair(d.day, at: 9)
        to[11] = UInt8(ascii: "\"")
        advance(by: 12)
    }

    /// Appends again bytes `range` of what this writer has already written (a fragment repeated
    /// later on the same line). O(range length).
    public mutating func repeatWritten(_ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range out of bounds")
        let to = reserve(range.count)
        // After `reserve`, which may move the bytes: the source and the room do not overlap.
        to.update(from: storage.base + range.lowerBound, count: range.count)
        advance(by: range.count)
    }

    /// Appends one byte of a string that needs escaping.
    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            self.byte(UInt8(ascii: "\\"))
            self.byte(byte)
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        case 0..<0x20:
            let hex: StaticString = "0123456789abcdef"
            raw("\\u00")
            self.byte(hex.utf8Start[Int(byte >> 4)])
            self.byte(hex.utf8Start[Int(byte & 0xF)])
        default: self.byte(byte)
        }
    }

    /// Appends an integer.
    public mutating func integer(_ value: Int64) {
        fixed(value, places: 0)
    }

    /// Appends `value` rounded to `places` decimals (0–6, half away from zero), without trailing
    /// zeros; non-finite values, which JSON cannot hold, become `null`.
    public mutating func decimal(_ value: Double, places: Int) {
        guard value.isFinite, abs(value) < 9e12 else {
            raw("null")
            return
        }
        let places = min(max(places, 0), 6)
        let x = value * Self.powerOfTen(places)
        // Round half away from zero without a libm call: truncation and the remainder are exact.
        var scaled = Int64(x)
        let remainder = x - Double(scaled)
        if remainder >= 0.5 {
            scaled += 1
        } else if remainder <= -0.5 {
            scaled -= 1
        }
        var kept = places
        while kept > 0 && scaled % 10 == 0 {
            scaled /= 10
            kept -= 1
        }
        fixed(scaled, places: kept)
    }

    @inline(__always)
    private static func powerOfTen(_ places: Int) -> Double {
        switch places {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1000
        case 4: 10_000
        case 5: 100_000
        default: 1_000_000
        }
    }

    /// "00" "01" … "99": two digits per division.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Appends `scaled / 10^places` in decimal, writing the digits backwards straight into the
    /// buffer once the length is known, two at a time.
    private mutating func fixed(_ scaled: Int64, places: Int) {
        var magnitude = scaled.magnitude
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            digits += 1
            rest /= 10
        }
        digits = max(digits, places + 1)
        let point = places > 0 ? 1 : 0
        let length = digits + point + (scaled < 0 ? 1 : 0)
        let to = reserve(length)
        let pairs = Self.digitPairs.utf8Start
        var position = length
        if places > 0 {
            // The fraction, then the point.
            var written = 0
            while written < places {
                if places - written >= 2 {
                    let pair = Int(magnitude % 100) * 2
                    magnitude /= 100
                    to[position - 1] = pairs[pair + 1]
                    to[position - 2] = pairs[pair]
                    position -= 2
                    written += 2
                } else {
                    position -= 1
                    to[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                    magnitude /= 10
                    written += 1
                }
            }
            position -= 1
            to[position] = UInt8(ascii: ".")
        }
        // The integer part: at least one digit.
        let end = scaled < 0 ? 1 : 0
        repeat {
            if magnitude >= 10 && position - end >= 2 {
                let pair = Int(magnitude % 100) * 2
                magnitude /= 100
                to[position - 1] = pairs[pair + 1]
                to[position - 2] = pairs[pair]
                position -= 2
            } else {
                position -= 1
                to[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
        } while position > end
        if scaled < 0 { to[0] = UInt8(ascii: "-") }
        advance(by: length)
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    /// Appends a newline (JSON Lines).
    public mutating func newline() { byte(0x0A) }
}

/// The bytes of a ``JSONWriter``. Sharing rule: written only through a writer that holds the
/// sole reference (the writer checks before every write and copies otherwise), so an instance
/// that more than one value or thread can see is only ever read.
final class JSONByteStorage: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A private copy with room for at least `minimumCapacity` bytes.
    func copy(minimumCapacity: Int) -> JSONByteStorage {
        let copy = JSONByteStorage(capacity: max(capacity, minimumCapacity))
        copy.base.initialize(from: base, count: count)
        copy.count = count
        return copy
    }

    /// Grows (at least doubling) to hold `minimumCapacity` bytes, keeping the contents.
    func grow(minimumCapacity: Int) {
        let grown = max(minimumCapacity, 2 * capacity)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }
}
