import Foundation

/// Where each value of a JSON document starts, by key path (`floors[2].kind`; the root is `""`),
/// so that an error about a value can give its line and column. Foundation's parser reports
/// neither, so this scans the text once more. Malformed text is scanned up to its first fault,
/// and nesting deeper than ``maximumDepth`` is not recorded. O(bytes).
struct JSONValuePositions: Sendable {
    /// A 1-based line and column (columns count characters).
    typealias Position = (line: Int, column: Int)

    /// Deepest nesting recorded; deeper values are skipped, so no input can exhaust the stack.
    static let maximumDepth = 64

    private var positions: [String: Position] = [:]

    /// Scans `data` (UTF-8 JSON).
    init(_ data: Data) {
        var scanner = Scanner(bytes: [UInt8](data))
        scanner.value(at: "", depth: 0)
        positions = scanner.positions
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
        var failed = false

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

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
            guard !failed, let byte = current, depth <= JSONValuePositions.maximumDepth else {
                failed = true
                return
            }
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
                while let byte = current, !",]} \n\r\t".utf8.contains(byte) { advance() }
            }
        }

        mutating func members(of path: String, depth: Int) {
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                advance()
                return
            }
            while !failed {
                skipWhitespace()
                guard current == UInt8(ascii: "\""), let key = string() else {
                    failed = true
                    return
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else {
                    failed = true
                    return
                }
                advance()
                value(at: path.isEmpty ? key : path + "." + key, depth: depth + 1)
                skipWhitespace()
                guard current == UInt8(ascii: ",") else { break }
                advance()
            }
            if current == UInt8(ascii: "}") { advance() } else { failed = true }
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
            }
            if current == UInt8(ascii: "]") { advance() } else { failed = true }
        }

        /// Scans a string from its opening quote; returns its raw text (escapes left as written,
        /// which is exact for the plain keys of the files read here), or nil when unterminated.
        mutating func string() -> String? {
            advance()
            let start = index
            while let byte = current, byte != UInt8(ascii: "\"") {
                if byte == UInt8(ascii: "\\") { advance() }
                advance()
            }
            guard current != nil else { return nil }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            advance()
            return text
        }
    }
}
