/// A place in an input file: 1-based line and column (columns count characters, not bytes).
public struct InputLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path as given.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column of the offending field (in characters).
    public var column: Int

    /// A location in `file` at `line`, `column`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, as compilers print a place.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One malformed row: where, what was expected there, and what was found.
public struct InputProblem: Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    public var location: InputLocation
    /// What the reader expected, e.g. "an event name (click, favorite, follow, cart, purchase)".
    public var expected: String
    /// The text found there (shortened), or a note such as "end of line".
    public var found: String

    /// A problem at `location`.
    public init(location: InputLocation, expected: String, found: String) {
        self.location = location
        self.expected = expected
        self.found = found
    }

    /// The place, then what was expected and what was found.
    public var description: String { "\(location): expected \(expected), found \(found)" }
}

/// Why an input file could not be read. Every case names the file, and row problems name the
/// line and column.
public enum InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// An output file (or its folder) could not be written.
    case unwritable(file: String, reason: String)
    /// The file holds no data rows.
    case empty(file: String)
    /// The first line is not the header the format requires.
    case missingHeader(InputProblem)
    /// Rows that do not parse: the first few problems (at most ``InputError/listedProblemLimit``)
    /// and how many rows were bad in all.
    case malformedRows(problems: [InputProblem], total: Int)
    /// A value that is well-formed but not allowed where it stands.
    case invalid(InputProblem)

    /// A ``missingHeader(_:)`` for a first line that lacks the `missing` columns of `required`
    /// (all of them: the line is data, not a header). `line` is that line, for its number and
    /// first field.
    public static func missingColumns(_ missing: [String], of required: [String], file: String, line: DelimitedLine, expected: String)
        -> InputError
    {
        let found =
            missing.count == required.count ? "\(line.quoted(0)), not a header" : "a header without \(missing.joined(separator: ", "))"
        return .missingHeader(
            InputProblem(location: InputLocation(file: file, line: line.number, column: 1), expected: expected, found: found))
    }

    /// How many problems a `malformedRows` error lists.
    public static let listedProblemLimit = 10

    /// The problems this error lists.
    public var problems: [InputProblem] {
        switch self {
        case .unreadable, .unwritable, .empty: []
        case .missingHeader(let problem), .invalid(let problem): [problem]
        case .malformedRows(let problems, _): problems
        }
    }

    /// The file or place and what is wrong; malformed rows are counted, then listed a line each.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .unwritable(let file, let reason):
            return "\(file): cannot write: \(reason)"
        case .empty(let file):
            return "\(file): the file is empty: expected at least one data row"
        case .missingHeader(let problem), .invalid(let problem):
            return problem.description
        case .malformedRows(let problems, let total):
            var lines = [
                "\(total) malformed row\(total == 1 ? "" : "s")\(total > problems.count ? " (first \(problems.count) listed)" : ""):"
            ]
            lines += problems.map { "  \($0)" }
            return lines.joined(separator: "\n")
        }
    }
}

/// What a reader does with a malformed row.
public enum BadRowPolicy: Sendable, Equatable {
    /// Fail, listing the first problems (the default).
    case strict
    /// Skip malformed rows and count them.
    case skip
}
