import Foundation

/// Where each value of a JSON document starts, by key path (`floors[2].kind`; the root is `""`),
/// so that an error about a value can give its line and column, and where malformed text stops
/// being JSON. Foundation's parser reports neither, so this scans the text once more. Malformed
/// text is scanned up to its first ``fault``; nesting deeper than ``maximumDepth`` is a fault too,
/// so no input can exhaust the stack. O(bytes).
struct JSONValuePositions: Sendable {
    /// A 1-based line and column (columns count characters).
    typealias Position = (line: Int, column: Int)

    /// The first place the text is not JSON: where, what JSON allows there, and what is there.
    typealias Fault = (position: Position, expected: String, found: String)

    /// Deepest nesting scanned.
    static let maximumDepth = 64

    private var positions: [String: Position] = [:]

    /// The first fault (a syntax error, invalid UTF-8 or nesting deeper than ``maximumDepth``),
    /// or `nil` when the text is one well-formed JSON value.
    let fault: Fault?

    /// Scans `data` (UTF-8 JSON, optionally after a byte order mark).
    init(_ data: Data) {
        var scanner = Scanner(bytes: [UInt8](data))
        if scanner.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
        scanner.value(at: "", depth: 0)
        scanner.skipWhitespace()
        if scanner.current != nil { scanner.fail(expecting: "the end of the text after the top-level value") }
        positions = scanner.positions
        fault = scanner.fault
    }

    /// The position of the value at `path`, or of its nearest recorded ancestor (for a key that is
    /// missing), or 1:1.
    func position(of path: String) -> Position {
        var path = Substring(path)
        while true {
            if let position = positions[String(path)] { return position }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return positions[""] ?? (1, 1)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var column = 1
        var positions: [String: Position] = [:]
        var fault: Fault?
        var failed: Bool { fault != nil }

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        /// Records the first fault, at the current position: `expected` there, and `found` (by
        /// default the text there).
        mutating func fail(expecting expected: String, found described: String? = nil) {
            guard fault == nil else { return }
            var found = described ?? "end of text"
            if described == nil, let byte = current {
                if byte < 0x20 {
                    found = "control character 0x" + String(byte, radix: 16, uppercase: true)
                } else if byte == UInt8(ascii: "\"") {
                    // A string where something else belongs: the string, up to 20 bytes.
                    var end = index + 1
                    while end < bytes.count, end - index < 20, bytes[end] != byte { end += 1 }
                    found = "the string " + String(decoding: bytes[index..<min(end + 1, bytes.count)], as: UTF8.self)
                } else {
                    // The token starting here (up to a delimiter, at most 20 bytes), or its first byte.
                    var end = index + 1
                    while end < bytes.count, end - index < 20, !" \t\r\n,:[]{}\"".utf8.contains(bytes[end]) { end += 1 }
                    found = "\"" + String(decoding: bytes[index..<end], as: UTF8.self) + "\""
                }
            }
            fault = ((line, column), expected, found)
        }

        mutating func advance() {
            guard let byte = current else { return }
            index += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
        }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { advance() }
        }

        /// Scans one value, recording where it starts under `path`.
        mutating func value(at path: String, depth: Int) {
            skipWhitespace()
            guard !failed else { return }
            guard depth <= JSONValuePositions.maximumDepth else {
                return fail(expecting: "at most \(JSONValuePositions.maximumDepth) levels of nesting")
            }
            guard let byte = current else { return fail(expecting: "a value") }
            positions[path] = (line, column)
            switch byte {
            case UInt8(ascii: "{"):
                advance()
                members(of: path, depth: depth)
            case UInt8(ascii: "["):
                advance()
                elements(of: path, depth: depth)
            case UInt8(ascii: "\""):
                _ = string()
            default:
                let start = (index, line, column)
                while let byte = current, !",]}: \n\r\t".utf8.contains(byte) { advance() }
                let token = bytes[start.0..<index]
                guard Self.isLiteral(token) else {
                    (index, line, column) = start  // so the fault points at the token
                    return fail(expecting: "a value (object, array, string, number, true, false or null)")
                }
                if let number = Double(String(decoding: token, as: UTF8.self)), !number.isFinite {
                    (index, line, column) = start
                    return fail(expecting: "a number within the range of a Double")
                }
            }
        }

        /// Whether `token` is `true`, `false`, `null` or a JSON number.
        static func isLiteral(_ token: ArraySlice<UInt8>) -> Bool {
            if token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8) || token.elementsEqual("null".utf8) {
                return true
            }
            // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
            var i = token.startIndex
            func digits() -> Int {
                let start = i
                while i < token.endIndex, (0x30...0x39).contains(token[i]) { i += 1 }
                return i - start
            }
            if i < token.endIndex, token[i] == UInt8(ascii: "-") { i += 1 }
            guard i < token.endIndex else { return false }
            if token[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
            if i < token.endIndex, token[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { return false }
            }
            if i < token.endIndex, token[i] | 0x20 == UInt8(ascii: "e") {
                i += 1
                if i < token.endIndex, token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return false }
            }
            return i == token.endIndex
        }

        mutating func members(of path: String, depth: Int) {
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                advance()
                return
            }
            while !failed {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { return fail(expecting: "a key in double quotes") }
                guard let key = string() else { return }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return fail(expecting: "':' after the key") }
                advance()
                value(at: path.isEmpty ? key : path + "." + key, depth: depth + 1)
                skipWhitespace()
                guard current == UInt8(ascii: ",") else { break }
                advance()
                skipWhitespace()
                if current == UInt8(ascii: "}") { break }  // a trailing comma, as Foundation allows
            }
            guard !failed else { return }
            if current == UInt8(ascii: "}") { advance() } else { fail(expecting: "',' or '}'") }
        }

        mutating func elements(of path: String, depth: Int) {
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                advance()
                return
            }
            var element = 0
            while !failed {
                value(at: path + "[\(element)]", depth: depth + 1)
                element += 1
                skipWhitespace()
                guard current == UInt8(ascii: ",") else { break }
                advance()
                skipWhitespace()
                if current == UInt8(ascii: "]") { break }  // a trailing comma, as Foundation allows
            }
            guard !failed else { return }
            if current == UInt8(ascii: "]") { advance() } else { fail(expecting: "',' or ']'") }
        }

        /// At the `u` of a `\u` escape: how many bytes after the `u` the escape takes (4, or 10 for
        /// a surrogate pair written as two escapes), or nil after recording a fault.
        mutating func unicodeEscapeLength() -> Int? {
            func unit(at i: Int) -> UInt16? {
                guard i + 4 <= bytes.count else { return nil }
                var value: UInt16 = 0
                for byte in bytes[i..<i + 4] {
                    guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
                    value = value << 4 | UInt16(digit)
                }
                return value
            }
            guard let first = unit(at: index + 1) else {
                fail(expecting: "four hex digits after \\u")
                return nil
            }
            switch first {
            case 0xDC00...0xDFFF:
                fail(expecting: "a \\u escape of a character, not the second half of a surrogate pair")
                return nil
            case 0xD800...0xDBFF:
                guard bytes.count > index + 6, bytes[index + 5] == UInt8(ascii: "\\"), bytes[index + 6] == UInt8(ascii: "u"),
                    let second = unit(at: index + 7), (0xDC00...0xDFFF).contains(second)
                else {
                    fail(expecting: "a \\uDC00…\\uDFFF escape completing the surrogate pair")
                    return nil
                }
                return 10
            default:
                return 4
            }
        }

        /// Scans a string from its opening quote; returns its raw text (escapes left as written,
        /// which is exact for the plain keys of the files read here), or nil after recording a
        /// fault (a control character, a bad escape, invalid UTF-8 or no closing quote).
        mutating func string() -> String? {
            let opening = (index, line, column)
            advance()
            let start = index
            while let byte = current, byte != UInt8(ascii: "\"") {
                if byte < 0x20 {
                    fail(expecting: "a closing double quote (or an escape such as \\n) before a control character")
                    return nil
                }
                if byte == UInt8(ascii: "\\") {
                    advance()
                    guard let escaped = current, #"\"\/bfnrtu"#.utf8.contains(escaped) else {
                        fail(expecting: #"an escape (\", \\, \/, \b, \f, \n, \r, \t or \uXXXX)"#)
                        return nil
                    }
                    if escaped == UInt8(ascii: "u") {
                        guard let length = unicodeEscapeLength() else { return nil }
                        for _ in 0..<length { advance() }
                    }
                }
                advance()
            }
            guard current != nil else {
                fail(expecting: "a closing double quote")
                return nil
            }
            guard let text = String(validating: bytes[start..<index], as: UTF8.self) else {
                (index, line, column) = opening
                fail(expecting: "a string in UTF-8", found: "bytes that are not UTF-8")
                return nil
            }
            advance()
            return text
        }
    }
}
