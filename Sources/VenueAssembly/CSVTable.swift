import Foundation
import VenueInteractions

/// The columns of a CSV file ``CSVTable`` reads: an enum whose raw values are the header's names,
/// the required ones first in the order a missing-header error lists them.
protocol CSVColumn: RawRepresentable<String>, CaseIterable, Equatable where AllCases == [Self] {
    /// The columns a file may leave out; their fields read as empty.
    static var optional: [Self] { get }
}

extension CSVColumn {
    static var optional: [Self] { [] }
}

/// The limits the venue layer's CSV files share.
enum CSVLimits {
    /// The largest price, threshold or amount, in yuan (¥1 billion): a page's JSON writes sums
    /// below 9 × 10¹² exactly, so a wallet of thousands of such coupons still totals exactly.
    static let mostMoney = 1_000_000_000
    /// Prices, thresholds and amounts a file may hold.
    static let money = 0...Double(mostMoney)
}

/// A CSV file with a header, read by column, for the venue layer's catalog and coupon wallets.
/// Every failed field becomes an ``InputProblem`` naming file, line and column; a file with bad
/// rows fails listing the first few problems and the total.
///
/// Columns are found in the header once per file; a row's fields are read in place from the
/// mapped file, and only the fields kept as text become `String`s.
struct CSVTable<Column: CSVColumn> {
    /// One data row, with typed accessors that record a located problem instead of crashing.
    struct Row {
        let line: DelimitedLine
        let file: String
        /// The field of each column (in `Column.allCases` order), or `Int.max` for an optional
        /// column the header leaves out.
        let fields: [Int]
        /// `Column.allCases`, made once per file.
        let columns: [Column]
        var problems: [InputProblem] = []

        /// The field of `column` on this line.
        @inline(__always)
        private func field(_ column: Column) -> Int { fields[columns.firstIndex(of: column)!] }

        private mutating func problem(_ column: Column, expected: String) {
            let i = field(column)
            problems.append(
                InputProblem(
                    location: InputLocation(file: file, line: line.number, column: line.column(ofField: i)),
                    expected: expected, found: i < line.fieldCount ? line.quoted(i) : "end of line"))
        }

        /// The bytes of `column`'s field, in place; empty when the row is short.
        func bytes(_ column: Column) -> UnsafeRawBufferPointer {
            let i = field(column)
            return i < line.fieldCount ? line.field(i) : UnsafeRawBufferPointer(start: nil, count: 0)
        }

        /// The text of `column`; empty when the row is short.
        func text(_ column: Column) -> String { String(decoding: bytes(column), as: UTF8.self) }

        /// A non-empty text field.
        mutating func required(_ column: Column, expected: @autoclosure () -> String) -> String {
            let value = text(column)
            if value.isEmpty { problem(column, expected: expected()) }
            return value
        }

        /// A number in `range`, or 0 with the problem recorded when it is not one.
        mutating func number(_ column: Column, in range: ClosedRange<Double>, expected: @autoclosure () -> String) -> Double {
            guard let value = Self.number(bytes(column)), range.contains(value) else {
                problem(column, expected: expected())
                return 0
            }
            return value
        }

        /// `bytes` as a `Double`, as `Double(String)` reads it: whole numbers of up to 15 digits
        /// (every one exact) directly, anything else through `Double(String)`.
        private static func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
            if !bytes.isEmpty, bytes.count <= 15 {
                var whole = 0
                for byte in bytes {
                    guard byte &- UInt8(ascii: "0") < 10 else { return Double(String(decoding: bytes, as: UTF8.self)) }
                    whole = whole * 10 + Int(byte &- UInt8(ascii: "0"))
                }
                return Double(whole)
            }
            return Double(String(decoding: bytes, as: UTF8.self))
        }

        /// An optional whole number ≥ 0: empty gives `nil`.
        mutating func optionalCount(_ column: Column, expected: @autoclosure () -> String) -> Int? {
            let raw = text(column)
            guard !raw.isEmpty else { return nil }
            guard let value = Int(raw), value >= 0 else {
                problem(column, expected: expected())
                return nil
            }
            return value
        }

        /// A required whole number ≥ 0 (``optionalCount(_:expected:)`` without the empty field), or
        /// 0 with the problem recorded when it is not one.
        mutating func count(_ column: Column, expected: @autoclosure () -> String) -> Int {
            guard bytes(column).isEmpty else { return optionalCount(column, expected: expected()) ?? 0 }
            problem(column, expected: expected())
            return 0
        }

        /// One of `choices` (by raw value).
        mutating func choice<T: RawRepresentable>(_ column: Column, _ type: T.Type, expected: @autoclosure () -> String) -> T?
        where T.RawValue == String {
            guard let value = T(rawValue: text(column)) else {
                problem(column, expected: expected())
                return nil
            }
            return value
        }

        /// A calendar date `YYYY-MM-DD`, as Unix seconds at midnight UTC.
        mutating func date(_ column: Column) -> Int64 {
            guard let seconds = CalendarTime.day(bytes: bytes(column)) else {
                problem(column, expected: "a date YYYY-MM-DD")
                return 0
            }
            return seconds
        }

        /// Records a problem with `column` found while checking the row as a whole.
        mutating func reject(_ column: Column, expected: @autoclosure () -> String) { problem(column, expected: expected()) }
    }

    /// Reads `path`, requiring the header to name every column but the optional ones (any
    /// order, extra columns allowed), and calls `body` for each data row; a row whose accessors
    /// recorded problems is reported instead of kept. O(file size).
    static func read(path: String, _ body: (inout Row) -> Void) throws(InputError) {
        let file = try MappedFile(path: path)
        let result: Result<Void, InputError> = file.data.withUnsafeBytes { bytes in
            Result { () throws(InputError) in try scan(bytes: bytes, path: path, body) }
        }
        try result.get()
    }

    private static func scan(bytes: UnsafeRawBufferPointer, path: String, _ body: (inout Row) -> Void) throws(InputError) {
        var scanner = DelimitedLineScanner(bytes: bytes, delimiter: UInt8(ascii: ","))
        guard let header = scanner.next() else { throw .empty(file: path) }
        let names = (0..<header.fieldCount).map { header.string($0).trimmingCharacters(in: .whitespaces) }
        // A name the header repeats is read from its last field.
        let columns = Column.allCases
        let fields = columns.map { names.lastIndex(of: $0.rawValue) ?? Int.max }
        let required = columns.filter { !Column.optional.contains($0) }.map(\.rawValue)
        let missing = required.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw .missingColumns(
                missing, of: required, file: path, line: header, expected: "a header with columns \(required.joined(separator: ","))")
        }
        var problems: [InputProblem] = []
        var badRows = 0
        var rows = 0
        while let line = scanner.next() {
            rows += 1
            var row = Row(line: line, file: path, fields: fields, columns: columns)
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
