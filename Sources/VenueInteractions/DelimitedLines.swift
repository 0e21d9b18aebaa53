import Foundation

/// One line of a delimited text file, split into fields without copying.
///
/// Field `i` is `bytes[fieldStarts[i] ..< fieldEnds[i]]`; surrounding double quotes are stripped
/// (a quoted field may not contain the delimiter). The field arrays are reused from line to
/// line, so scanning allocates nothing per row.
public struct DelimitedLine {
    /// The whole file's bytes.
    public let bytes: UnsafeRawBufferPointer
    /// 1-based line number.
    public internal(set) var number: Int = 0
    /// Byte offset of the line's first byte.
    public internal(set) var start: Int = 0
    /// Byte offset just past the line's last byte (before `\r\n` or `\n`).
    public internal(set) var end: Int = 0
    /// Start offsets of the fields.
    public internal(set) var fieldStarts: [Int] = []
    /// End offsets of the fields.
    public internal(set) var fieldEnds: [Int] = []

    /// Number of fields on the line.
    @inlinable public var fieldCount: Int { fieldStarts.count }

    /// The bytes of field `i`.
    @inlinable
    public func field(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[fieldStarts[i]..<fieldEnds[i]])
    }

    /// Field `i` as a `String` (allocates only for long fields; use on slow paths).
    public func string(_ i: Int) -> String {
        String(decoding: field(i), as: UTF8.self)
    }

    /// The 1-based character column where field `i` starts (or just past the line's end when
    /// the field is missing).
    public func column(ofField i: Int) -> Int {
        let offset = i < fieldCount ? fieldStarts[i] : end
        let prefix = UnsafeRawBufferPointer(rebasing: bytes[start..<max(start, offset)])
        // Count UTF-8 scalar starts: every byte that is not a continuation byte.
        var column = 1
        for byte in prefix where byte & 0xC0 != 0x80 { column += 1 }
        if i >= fieldCount && end > start { column += 1 }
        return column
    }

    /// A short rendering of field `i` for error messages.
    public func quoted(_ i: Int) -> String {
        guard i < fieldCount else { return "end of line" }
        let text = string(i)
        if text.isEmpty { return "an empty field" }
        return "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
    }
}

/// Scans a buffer line by line, splitting each line on a one-byte delimiter.
///
/// Blank lines are skipped; `\r\n` endings are accepted. O(bytes), no allocation per line.
public struct DelimitedLineScanner {
    private var line: DelimitedLine
    private var position = 0
    private let delimiter: UInt8

    /// A scanner over `bytes` splitting on `delimiter` (e.g. `UInt8(ascii: ",")`).
    public init(bytes: UnsafeRawBufferPointer, delimiter: UInt8) {
        self.line = DelimitedLine(bytes: bytes)
        self.line.fieldStarts.reserveCapacity(16)
        self.line.fieldEnds.reserveCapacity(16)
        self.delimiter = delimiter
    }

    /// Lines scanned so far, blank ones included: the number of the last line returned, or of
    /// the buffer's last line once ``next()`` has returned `nil`.
    var linesScanned: Int { line.number }

    /// The byte offset where the next line starts.
    var offset: Int { position }

    /// The next non-blank line, or `nil` at the end of the buffer.
    public mutating func next() -> DelimitedLine? {
        let bytes = line.bytes
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        while position < count {
            line.number += 1
            let lineStart = position
            let remaining = count - position
            var lineEnd: Int
            if let hit = memchr(base + position, 0x0A, remaining) {
                lineEnd = base.distance(to: UnsafeRawPointer(hit))
                position = lineEnd + 1
            } else {
                lineEnd = count
                position = count
            }
            if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == lineStart { continue }  // blank line
            split(start: lineStart, end: lineEnd)
            return line
        }
        return nil
    }

    private mutating func split(start: Int, end: Int) {
        line.start = start
        line.end = end
        line.fieldStarts.removeAll(keepingCapacity: true)
        line.fieldEnds.removeAll(keepingCapacity: true)
        let bytes = line.bytes
        var fieldStart = start
        var i = start
        while i <= end {
            if i == end || bytes[i] == delimiter {
                var s = fieldStart
                var e = i
                if e - s >= 2 && bytes[s] == 0x22 && bytes[e - 1] == 0x22 {
                    s += 1
                    e -= 1
                }
                line.fieldStarts.append(s)
                line.fieldEnds.append(e)
                fieldStart = i + 1
            }
            i += 1
        }
    }
}

// A line points into a buffer its scanner borrows, valid only while the scan runs.
@available(*, unavailable)
extension DelimitedLine: Sendable {}

// A scanner borrows its buffer for the duration of one scan, on one thread.
@available(*, unavailable)
extension DelimitedLineScanner: Sendable {}
