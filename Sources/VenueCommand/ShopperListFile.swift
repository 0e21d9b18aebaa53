import Foundation
import VenueKit

/// The `--shoppers` file of `venue generate`: one shopper id per line, in the order the pages are
/// wanted. Spaces around an id and blank lines are ignored; `\r\n` endings are accepted.
enum ShopperListFile {
    /// The ids in `path`, read like any input (a pipe too). Throws when the file cannot be read, or
    /// at the first line that is not UTF-8 text, located. O(bytes).
    static func read(_ path: String) throws(InputError) -> [String] {
        let file = try MappedFile(path: path)
        var ids: [String] = []
        for (index, line) in file.data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard let text = String(validating: line, as: UTF8.self) else {
                throw .invalid(
                    InputProblem(
                        location: InputLocation(file: path, line: index + 1, column: validColumns(line) + 1),
                        expected: "a shopper id in UTF-8", found: "a byte that is not UTF-8"))
            }
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !id.isEmpty { ids.append(id) }
        }
        return ids
    }

    /// Characters of `bytes` before the first that is not UTF-8.
    private static func validColumns(_ bytes: Data) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var characters = 0
        while case .scalarValue = decoder.decode(&iterator) { characters += 1 }
        return characters
    }
}
