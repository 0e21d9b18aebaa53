import Foundation
import VenueLinearAlgebra

/// Reads event files of every ``EventFormat`` into an ``EventLog``, streaming over the mapped
/// bytes with no per-row allocation. Malformed rows are reported with file, line and column.
///
/// With more than one thread, a large file is cut at line ends into parts of about 8 MiB that
/// workers decode with their own id maps; the parts are merged in file order as they finish, so
/// ids get the indices a single pass gives them, and the log and any error are the same on any
/// number of threads.
public struct EventReader: Sendable {
    /// How to read.
    public struct Options: Sendable {
        /// The format of the file.
        public var format: EventFormat
        /// The year for formats whose dates have none (Tmall 2014 `M-D`, IJCAI-15 `MMDD`).
        public var year: Int?
        /// Fail on malformed rows, or skip and count them.
        public var badRows: BadRowPolicy
        /// Workers decoding parts of a large file at once. The log, and any error, is the same on
        /// any number.
        public var threads: Int
        /// Which shoppers' events to keep, given the UTF-8 bytes of a shopper id (`nil`: every
        /// shopper's). The others' rows are still read and checked, so a file fails alike
        /// whoever's events are kept, but their ids are not interned: the log holds the kept
        /// shoppers alone, and counts the rows left out (``EventLog/leftOutRows``).
        public var keepsShopper: (@Sendable (UnsafeRawBufferPointer) -> Bool)?
        /// The bytes of a part, about: a file is cut into parts of this size, at line ends, which
        /// are decoded apart and merged in order.
        var partBytes = 8 << 20

        /// Options for `format`, strict by default, on one thread.
        public init(
            format: EventFormat, year: Int? = nil, badRows: BadRowPolicy = .strict, threads: Int = 1,
            keepsShopper: (@Sendable (UnsafeRawBufferPointer) -> Bool)? = nil
        ) {
            self.format = format
            self.year = year
            self.badRows = badRows
            self.threads = threads
            self.keepsShopper = keepsShopper
        }
    }

    /// The options in force.
    public var options: Options

    /// A reader with `options`.
    public init(_ options: Options) {
        self.options = options
    }

    /// A reader for `format`.
    public init(format: EventFormat, year: Int? = nil, badRows: BadRowPolicy = .strict, threads: Int = 1) {
        self.init(Options(format: format, year: year, badRows: badRows, threads: threads))
    }

    /// Reads the file at `path`. O(bytes).
    public func read(path: String) throws(InputError) -> EventLog {
        try read(MappedFile(path: path))
    }

    /// Reads a mapped (or in-memory) file. O(bytes), on ``Options/threads`` workers.
    public func read(_ file: MappedFile) throws(InputError) -> EventLog {
        let path = file.path
        let delimiter: UInt8 =
            switch options.format {
            case .lastfm, .movielens: UInt8(ascii: "\t")
            default: UInt8(ascii: ",")
            }
        // The first line says how rows are decoded (a header naming columns, or a first row);
        // the rows after it are cut into parts at line ends.
        let start = file.data.withUnsafeBytes { bytes in
            Result { () throws(InputError) -> (decoder: RowDecoder, parts: [Range<Int>], linesBefore: Int) in
                var scanner = DelimitedLineScanner(bytes: bytes, delimiter: delimiter)
                guard let first = scanner.next() else { throw InputError.empty(file: path) }
                var decoder = try RowDecoder(
                    format: options.format, year: options.year ?? options.format.defaultYear, firstLine: first, path: path)
                decoder.keepsShopper = options.keepsShopper
                let body = decoder.firstLineIsHeader ? scanner.offset : 0
                // One worker reads the file as one part: there is nothing to merge.
                let size = options.threads > 1 ? options.partBytes : .max
                return (decoder, Self.parts(of: bytes, from: body, size: size), decoder.firstLineIsHeader ? scanner.linesScanned : 0)
            }
        }
        let (decoder, parts, linesBefore) = try start.get()

        // Parts are decoded on the workers and merged here in file order, so ids are numbered in
        // the order a single pass meets them, and problems are listed in line order.
        var merged: EventLog?
        var problems: [InputProblem] = []
        var badRows = 0
        var lines = linesBefore
        let data = file.data
        ParallelChunks(rowCount: parts.count, chunkSize: 1).stream(
            threads: options.threads, window: options.threads, makeWorker: {},
            produce: { _, index, _ in
                data.withUnsafeBytes { bytes in
                    Self.decode(UnsafeRawBufferPointer(rebasing: bytes[parts[index]]), decoder: decoder, delimiter: delimiter, path: path)
                }
            },
            consume: { part in
                if merged == nil {
                    merged = part.log
                    // Room for the whole file's rows, as the first part's size suggests.
                    if parts.count > 1 { merged!.reserveCapacity(part.log.count * data.count / max(1, parts[0].count)) }
                } else {
                    merged!.append(contentsOf: part.log)
                }
                badRows += part.badRows
                for var problem in part.problems where problems.count < InputError.listedProblemLimit {
                    problem.location.line += lines
                    problems.append(problem)
                }
                lines += part.lines
            })
        if badRows > 0 && options.badRows == .strict {
            throw .malformedRows(problems: problems, total: badRows)
        }
        var log = merged ?? EventLog()
        if log.count == 0 && badRows == 0 && log.ignoredRows == 0 && log.leftOutRows == 0 { throw .empty(file: path) }
        log.skippedRows = badRows
        return log
    }

    /// The rows of one part of a file, decoded with their own id maps.
    private struct Part: Sendable {
        var log = EventLog()
        /// Its malformed rows.
        var badRows = 0
        /// The first ``InputError/listedProblemLimit`` of them, lines numbered from the part's start.
        var problems: [InputProblem] = []
        /// Its lines, blank ones included.
        var lines = 0
    }

    /// `from ..< bytes.count` cut into consecutive parts of about `size` bytes, each but the last
    /// ending just after a line end (none when the range is empty). Depends on the bytes and
    /// `size` alone, never on the number of workers.
    private static func parts(of bytes: UnsafeRawBufferPointer, from start: Int, size: Int) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var lower = start
        while lower < bytes.count {
            var upper = bytes.count
            if bytes.count - lower > size, let newline = memchr(bytes.baseAddress! + lower + size - 1, 0x0A, bytes.count - lower - size + 1)
            {
                upper = bytes.baseAddress!.distance(to: UnsafeRawPointer(newline)) + 1
            }
            parts.append(lower..<upper)
            lower = upper
        }
        return parts
    }

    /// Decodes the lines of `bytes`, a part of file `path`. No allocation per row.
    private static func decode(_ bytes: UnsafeRawBufferPointer, decoder: RowDecoder, delimiter: UInt8, path: String) -> Part {
        var part = Part()
        part.log.reserveCapacity(max(16, bytes.count / 28))
        // Each line is released before the scanner splits the next one, so the scanner's field
        // arrays stay uniquely referenced and are reused without copying.
        var scanner = DelimitedLineScanner(bytes: bytes, delimiter: delimiter)
        var lastShopper = LastIdentifier()
        while let line = scanner.next() {
            guard let problem = decoder.decode(line, into: &part.log, lastShopper: &lastShopper) else { continue }
            part.badRows += 1
            if part.problems.count < InputError.listedProblemLimit {
                part.problems.append(
                    InputProblem(
                        location: InputLocation(file: path, line: line.number, column: line.column(ofField: problem.field)),
                        expected: problem.expected, found: line.quoted(problem.field)))
            }
        }
        part.lines = scanner.linesScanned
        return part
    }
}

/// The id interned last and its index: event files are often grouped by shopper, and a row
/// repeating the previous row's shopper skips the hash table. Holds bytes of the file being
/// read, valid while it is mapped.
struct LastIdentifier {
    private var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var index: Int32 = -1

    /// The index of `id` in `map`, interning it when it is not the last one. O(length of `id`).
    mutating func intern(_ id: UnsafeRawBufferPointer, into map: inout IdentifierMap) -> Int32 {
        if index >= 0, id.count == bytes.count, memcmp(id.baseAddress!, bytes.baseAddress!, id.count) == 0 { return index }
        index = map.intern(id)
        bytes = id
        return index
    }
}

/// A row's problem before it is located: which field, what was expected.
struct RowProblem {
    var field: Int
    var expected: String
}

/// Where each value of a row is, and how to decode it, for one format (and header).
struct RowDecoder: Sendable {
    enum KindSource { case names, tmallCode, ijcaiCode, fixed(EventKind) }
    enum TimeSource { case none, flexible, monthDashDay, monthDay, unixSeconds }
    enum ValueSource { case one, count, weight, positive }

    var shopperColumn = 0
    var brandColumn = 1
    var kindColumn = -1
    var timeColumn = -1
    var valueColumn = -1
    var kindSource = KindSource.fixed(.weight)
    var timeSource = TimeSource.none
    var valueSource = ValueSource.one
    var stripFloatSuffix = false
    var year: Int
    var firstLineIsHeader = false
    var minimumFields = 2
    var names: [String] = []
    /// ``EventReader/Options/keepsShopper``.
    var keepsShopper: (@Sendable (UnsafeRawBufferPointer) -> Bool)?

    init(format: EventFormat, year: Int, firstLine: DelimitedLine, path: String) throws(InputError) {
        self.year = year
        let first = (0..<firstLine.fieldCount).map { firstLine.string($0).trimmingCharacters(in: .whitespaces).lowercased() }
        /// The columns of `required`, in its order, or the header's problem.
        func columns(_ required: [String], expected: String) throws(InputError) -> [Int] {
            let found = required.map { first.firstIndex(of: $0) }
            let missing = zip(required, found).filter { $0.1 == nil }.map(\.0)
            guard missing.isEmpty else { throw .missingColumns(missing, of: required, file: path, line: firstLine, expected: expected) }
            return found.map { $0! }
        }
        switch format {
        case .generic:
            let c = try columns(
                ["shopper", "brand", "event", "time"], expected: "a header naming the columns shopper,brand,event,time[,count]")
            (shopperColumn, brandColumn, kindColumn, timeColumn) = (c[0], c[1], c[2], c[3])
            if let c = first.firstIndex(of: "count") { valueColumn = c; valueSource = .count }
            kindSource = .names
            timeSource = .flexible
            firstLineIsHeader = true
            names = first
        case .weights:
            (kindColumn, valueColumn, valueSource) = (-1, 2, .weight)
            names = ["shopper", "brand", "weight"]
            firstLineIsHeader = first.count >= 3 && first[2].allSatisfy { $0.isLetter || $0 == "_" } && !first[2].isEmpty
        case .tmall2014:
            (kindColumn, timeColumn, kindSource, timeSource) = (2, 3, .tmallCode, .monthDashDay)
            names = ["user_id", "brand_id", "type", "visit_datetime"]
            firstLineIsHeader = first.first == "user_id"
        case .ijcai15:
            let c = try columns(
                ["user_id", "brand_id", "action_type", "time_stamp"],
                expected: "a header naming user_id, brand_id, time_stamp and action_type")
            (shopperColumn, brandColumn, kindColumn, timeColumn) = (c[0], c[1], c[2], c[3])
            (kindSource, timeSource, stripFloatSuffix) = (.ijcaiCode, .monthDay, true)
            names = first
            firstLineIsHeader = true
        case .lastfm:
            (valueColumn, valueSource) = (2, .weight)
            names = ["userID", "artistID", "weight"]
            firstLineIsHeader = first.first == "userid"
        case .movielens:
            (valueColumn, valueSource, timeColumn, timeSource) = (2, .positive, 3, .unixSeconds)
            names = ["user", "item", "rating", "timestamp"]
        }
        if names.isEmpty { names = first }
        minimumFields = [shopperColumn, brandColumn, kindColumn, timeColumn, valueSource == .count ? -1 : valueColumn].max()! + 1
    }

    private func missing(_ line: DelimitedLine) -> RowProblem {
        let field = line.fieldCount
        let name = field < names.count ? names[field] : "field \(field + 1)"
        return RowProblem(field: field, expected: "a value for \(name)")
    }

    /// Decodes one row into `log`, or says what is wrong with it.
    func decode(_ line: DelimitedLine, into log: inout EventLog, lastShopper: inout LastIdentifier) -> RowProblem? {
        guard line.fieldCount >= minimumFields else { return missing(line) }
        let shopperBytes = line.field(shopperColumn)
        guard !shopperBytes.isEmpty else { return RowProblem(field: shopperColumn, expected: "a shopper id") }
        var brandBytes = line.field(brandColumn)
        if stripFloatSuffix, brandBytes.count > 2, brandBytes[brandBytes.count - 2] == UInt8(ascii: "."),
            brandBytes[brandBytes.count - 1] == UInt8(ascii: "0")
        {
            brandBytes = UnsafeRawBufferPointer(rebasing: brandBytes[0..<brandBytes.count - 2])
        }
        if brandBytes.isEmpty {
            if stripFloatSuffix {  // IJCAI-15: an item without a brand, not a malformed row
                log.ignoredRows += 1
                return nil
            }
            return RowProblem(field: brandColumn, expected: "a brand id")
        }

        let kind: EventKind
        switch kindSource {
        case .fixed(let fixed): kind = fixed
        case .names:
            guard let k = Self.kind(named: line.field(kindColumn)) else {
                return RowProblem(field: kindColumn, expected: "an event name (click, favorite, follow, cart, purchase)")
            }
            kind = k
        case .tmallCode:
            guard let k = Self.code(line.field(kindColumn), [.click, .purchase, .favorite, .cart]) else {
                return RowProblem(field: kindColumn, expected: "a type code 0 (click), 1 (buy), 2 (favourite) or 3 (cart)")
            }
            kind = k
        case .ijcaiCode:
            guard let k = Self.code(line.field(kindColumn), [.click, .cart, .purchase, .favorite]) else {
                return RowProblem(field: kindColumn, expected: "an action code 0 (click), 1 (cart), 2 (purchase) or 3 (favourite)")
            }
            kind = k
        }

        var time = EventLog.noTime
        switch timeSource {
        case .none: break
        case .flexible:
            guard let t = CalendarTime.parseFlexible(line.field(timeColumn)) else {
                return RowProblem(field: timeColumn, expected: "a time as YYYY-MM-DD, ISO-8601 date-time or Unix seconds")
            }
            time = t
        case .monthDashDay:
            guard let t = CalendarTime.parseMonthDashDay(line.field(timeColumn), year: year) else {
                return RowProblem(field: timeColumn, expected: "a date as M-D (e.g. 6-4)")
            }
            time = t
        case .monthDay:
            guard let t = CalendarTime.parseMonthDay(line.field(timeColumn), year: year) else {
                return RowProblem(field: timeColumn, expected: "a date as MMDD (e.g. 1111)")
            }
            time = t
        case .unixSeconds:
            guard let t = CalendarTime.parseFlexible(line.field(timeColumn)) else {
                return RowProblem(field: timeColumn, expected: "a Unix timestamp in seconds")
            }
            time = t
        }

        var value: Float = 1
        switch valueSource {
        case .one: break
        case .count:
            if valueColumn < line.fieldCount && !line.field(valueColumn).isEmpty {
                guard let v = Self.number(line.field(valueColumn)), v > 0 else {
                    return RowProblem(field: valueColumn, expected: "a positive count")
                }
                value = v
            }
        case .weight:
            guard let v = Self.number(line.field(valueColumn)), v >= 0 else {
                return RowProblem(field: valueColumn, expected: "a non-negative number (the weight)")
            }
            value = v
        case .positive:
            guard let v = Self.number(line.field(valueColumn)), v > 0 else {
                return RowProblem(field: valueColumn, expected: "a positive number")
            }
            value = v
        }
        if let keepsShopper, !keepsShopper(shopperBytes) {
            log.leftOutRows += 1
            return nil
        }
        log.append(
            shopper: lastShopper.intern(shopperBytes, into: &log.shopperIDs), brand: log.brandIDs.intern(brandBytes),
            kind: kind, time: time, value: value)
        return nil
    }

    static func code(_ b: UnsafeRawBufferPointer, _ kinds: [EventKind]) -> EventKind? {
        guard b.count == 1 else { return nil }
        let d = Int(b[0]) &- 48
        return d >= 0 && d < kinds.count ? kinds[d] : nil
    }

    static func kind(named b: UnsafeRawBufferPointer) -> EventKind? {
        @inline(__always) func matches(_ word: StaticString) -> Bool {
            guard b.count == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for i in 0..<b.count where b[i] | 0x20 != w[i] { return false }
            return true
        }
        switch b.count {
        case 4: return matches("cart") ? .cart : nil
        case 5: return matches("click") ? .click : nil
        case 6: return matches("follow") ? .follow : nil
        case 8: return matches("purchase") ? .purchase : matches("favorite") ? .favorite : nil
        case 9: return matches("favourite") ? .favorite : nil
        default: return nil
        }
    }

    /// A decimal number (`12`, `3.5`, `-1`, `2e3`); `nil` when malformed or not finite.
    static func number(_ b: UnsafeRawBufferPointer) -> Float? {
        var i = 0
        var negative = false
        if i < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: Double = 0
        var digits = 0
        while i < b.count, b[i] >= 48, b[i] <= 57 {
            mantissa = mantissa * 10 + Double(b[i] - 48)
            digits += 1
            i += 1
        }
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                mantissa += Double(b[i] - 48) * scale
                scale *= 0.1
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < b.count {
            // Exponents and other rare spellings take the slow, exact path.
            guard b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E"),
                let v = Float(String(decoding: b, as: UTF8.self)), v.isFinite
            else { return nil }
            return v
        }
        let v = Float(negative ? -mantissa : mantissa)
        return v.isFinite ? v : nil
    }
}
