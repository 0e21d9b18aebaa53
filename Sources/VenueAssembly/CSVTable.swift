import Foundation
import VenueInteractions

/// A small CSV file with a header, read by column name, for the venue layer's catalog and coupon
/// wallets. Every failed field becomes an ``InputProblem`` naming file, line and column; a file
/// with bad rows fails listing the first few problems and the total.
struct CSVTable {
    /// The largest price, threshold or amount, in yuan (¥1 billion): a page's JSON writes sums
    /// below 9 × 10¹² exactly, so a wallet of thousands of such coupons still totals exactly.
    static let mostMoney = 1_000_000_000
    /// Prices, thresholds and amounts a file may hold.
    static let money = 0...Double(mostMoney)

    /// One data row, with typed accessors that record a located problem instead of crashing.
    struct Row {
        let line: DelimitedLine
        let file: String
        let columns: [String: Int]
        var problems: [InputProblem] = []

        private mutating func problem(_ name: String, expected: String) {
            let i = columns[name]!
            problems.append(
                InputProblem(
                    location: InputLocation(file: file, line: line.number, column: line.column(ofField: i)),
                    expected: expected, found: i < line.fieldCount ? line.quoted(i) : "end of line"))
        }

        /// The text of column `name`; empty when the row is short.
        func text(_ name: String) -> String {
            let i = columns[name]!
            return i < line.fieldCount ? line.string(i) : ""
        }

        /// A non-empty text field.
        mutating func required(_ name: String, expected: String) -> String {
            let value = text(name)
            if value.isEmpty { problem(name, expected: expected) }
            return value
        }

        /// A number in `range`, or 0 with the problem recorded when it is not one.
        mutating func number(_ name: String, in range: ClosedRange<Double>, expected: String) -> Double {
            guard let value = Double(text(name)), range.contains(value) else {
                problem(name, expected: expected)
                return 0
            }
            return value
        }

        /// An optional whole number ≥ 0: empty gives `nil`.
        mutating func optionalCount(_ name: String, expected: String) -> Int? {
            let raw = text(name)
            guard !raw.isEmpty else { return nil }
            guard let value = Int(raw), value >= 0 else {
                problem(name, expected: expected)
                return nil
            }
            return value
        }

        /// One of `choices` (by raw value).
        mutating func choice<T: RawRepresentable>(_ name: String, _ type: T.Type, expected: String) -> T? where T.RawValue == String {
            guard let value = T(rawValue: text(name)) else {
                problem(name, expected: expected)
                return nil
            }
            return value
        }

        /// A calendar date `YYYY-MM-DD`, as Unix seconds at midnight UTC.
        mutating func date(_ name: String) -> Int64 {
            guard let seconds = CalendarTime.day(text(name)) else {
                problem(name, expected: "a date YYYY-MM-DD")
                return 0
            }
            return seconds
        }

        /// Records a problem with column `name` found while checking the row as a whole.
        mutating func reject(_ name: String, expected: String) { problem(name, expected: expected) }
    }

    /// Reads `path`, requiring the header to name every column of `required` (any order, extra
    /// columns allowed), and calls `body` for each data row; a row whose accessors recorded
    /// problems is reported instead of kept. O(file size).
    static func read(
        path: String, required: [String], optional: [String] = [], _ body: (inout Row) -> Void
    ) throws(InputError) {
        let file = try MappedFile(path: path)
        let result: Result<Void, InputError> = file.data.withUnsafeBytes { bytes in
            Result { () throws(InputError) in try scan(bytes: bytes, path: path, required: required, optional: optional, body) }
        }
        try result.get()
    }

    private static func scan(
        bytes: UnsafeRawBufferPointer, path: String, required: [String], optional: [String], _ body: (inout Row) -> Void
    ) throws(InputError) {
        var scanner = DelimitedLineScanner(bytes: bytes, delimiter: UInt8(ascii: ","))
        guard let header = scanner.next() else { throw .empty(file: path) }
        var columns: [String: Int] = [:]
        for i in 0..<header.fieldCount { columns[header.string(i).trimmingCharacters(in: .whitespaces)] = i }
        let missing = required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw .missingColumns(
                missing, of: required, file: path, line: header, expected: "a header with columns \(required.joined(separator: ","))")
        }
        for name in optional where columns[name] == nil { columns[name] = Int.max }
        var problems: [InputProblem] = []
        var badRows = 0
        var rows = 0
        while let line = scanner.next() {
            rows += 1
            var row = Row(line: line, file: path, columns: columns)
            body(&row)
            if !row.problems.isEmpty {
                badRows += 1
                if problems.count < InputError.listedProblemLimit { problems.append(row.problems[0]) }
            }
        }
        guard rows > 0 else { throw .empty(file: path) }
        guard badRows == 0 else { throw .malformedRows(problems: problems, total: badRows) }
    }
}
