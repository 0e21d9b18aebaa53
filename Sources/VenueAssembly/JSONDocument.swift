import Foundation
import VenueInteractions

/// A JSON file whose top level is an object, parsed whole, with errors that name the file, the
/// line and column of the value at fault (or of the object missing a key) and its key path.
/// Foundation parses; ``JSONValuePositions`` scans again only when there is something to report.
struct JSONDocument {
    /// The file's path, for errors.
    let path: String
    /// The top-level object.
    let root: [String: Any]
    /// The file's bytes.
    var data: Data { file.data }
    private let file: MappedFile

    /// Reads and parses `path`: where the text stops being JSON, or that its top level is not an
    /// object, is an error. O(bytes).
    init(path: String) throws(InputError) {
        let file = try MappedFile(path: path)
        guard let parsed = try? JSONSerialization.jsonObject(with: file.data) else {
            // Where the text stops being JSON; Foundation's error does not say.
            let fault =
                JSONValuePositions(file.data).fault
                ?? ((1, 1), "a JSON object in UTF-8", "text the JSON parser rejects")
            throw .invalid(
                InputProblem(
                    location: InputLocation(file: path, line: fault.position.line, column: fault.position.column),
                    expected: fault.expected, found: fault.found))
        }
        self.path = path
        self.file = file
        guard let root = parsed as? [String: Any] else {
            root = [:]
            throw problem("", "a JSON object", parsed is [Any] ? "an array" : "a single value")
        }
        self.root = root
    }

    /// The error for the value at key path `where` (`floors[2].kind`; `""` for the whole
    /// document): `expected` there, `found` instead.
    func problem(_ where: String, _ expected: String, _ found: String) -> InputError {
        let position = JSONValuePositions(file.data).position(of: `where`)
        return .invalid(
            InputProblem(
                location: InputLocation(file: path, line: position.line, column: position.column),
                expected: `where`.isEmpty ? expected : "\(expected) at \(`where`)", found: found))
    }

    /// The value `object[key]` (at key path `path`) as a `Value`, or `fallback` when the key is
    /// absent: a key that is present must hold what it is for, with no silent default.
    func optional<Value>(_ object: [String: Any], _ key: String, at path: String, _ expected: String, _ fallback: Value)
        throws(InputError) -> Value
    {
        guard let raw = object[key] else { return fallback }
        guard let value = raw as? Value else { throw problem(path, expected, Self.describe(raw)) }
        return value
    }

    /// The value `object[key]` (at key path `path`) as a `Value`; a missing key or a value of
    /// another type is an error.
    func required<Value>(_ object: [String: Any], _ key: String, at path: String, _ expected: String) throws(InputError) -> Value {
        guard let value = object[key] as? Value else { throw problem(path, expected, Self.describe(object[key])) }
        return value
    }

    /// A parsed value as an error shows it: strings quoted, `nothing` for a missing one.
    static func describe(_ value: Any?) -> String {
        switch value {
        case nil: "nothing"
        case let text as String: "\"\(text)\""
        case is NSNull: "null"
        case let value?: "\(value)"
        }
    }
}
