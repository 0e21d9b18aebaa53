import Foundation
import VenueKit

/// The `--shoppers` file of `venue generate`: one shopper id per line, in the order the pages are
/// wanted. Spaces around an id and blank lines are ignored; `\r\n` endings are accepted; an id
/// listed again is skipped, so each shopper gets one page and counts once in the exposure report.
struct ShopperListFile {
    /// The distinct ids, in first-listed order.
    let ids: IdentifierMap
    /// How many repeated ids were skipped.
    let repeats: Int

    /// Reads `path` like any input (a pipe too); throws when the file cannot be read, or at the
    /// first line that is not UTF-8 text, located. O(bytes).
    init(path: String) throws(InputError) {
        let file = try MappedFile(path: path)
        var ids = IdentifierMap()
        var repeats = 0
        for (index, line) in file.data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard let text = String(validating: line, as: UTF8.self) else {
                throw .invalid(
                    InputProblem(
                        location: InputLocation(file: path, line: index + 1, column: Self.validColumns(line) + 1),
                        expected: "a shopper id in UTF-8", found: "a byte that is not UTF-8"))
            }
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !id.isEmpty else { continue }
            let known = ids.count
            ids.intern(id)
            if ids.count == known { repeats += 1 }
        }
        self.ids = ids
        self.repeats = repeats
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
