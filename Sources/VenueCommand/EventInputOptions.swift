import ArgumentParser
import Foundation
import VenueKit

extension EventFormat: ExpressibleByArgument {}

/// The options every command that reads events shares.
struct EventInputOptions: ParsableArguments {
    @Option(help: "The events file.")
    var events: String

    @Option(help: "Its format: \(EventFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: EventFormat = .generic

    @Option(help: "The year of dates without one (tmall2014: 2014, ijcai15: 2015 by default).")
    var year: Int?

    @Flag(help: "Skip malformed rows (and report how many) instead of failing.")
    var skipBadRows = false

    func validate() throws {
        if year != nil, !format.datesOmitYear {
            let formats = EventFormat.allCases.filter(\.datesOmitYear).map(\.rawValue).joined(separator: " and ")
            throw ValidationError("--year applies to formats whose dates carry no year (\(formats)), not \(format)")
        }
        if let year, !CalendarTime.years.contains(year) {
            throw ValidationError(
                "--year is \(CalendarTime.years.lowerBound) to \(CalendarTime.years.upperBound), as in a date's four digits")
        }
    }

    /// Reads the events on `threads` workers, printing located errors and exiting non-zero on
    /// bad input.
    func read(threads: Int) throws -> EventLog {
        try Self.read(path: events, format: format, year: year, skipBadRows: skipBadRows, threads: threads)
    }

    /// Reads an events file on `threads` workers, printing located errors and exiting non-zero
    /// on bad input.
    static func read(
        path events: String, format: EventFormat, year: Int? = nil, skipBadRows: Bool = false, threads: Int,
        keepsShopper: (@Sendable (UnsafeRawBufferPointer) -> Bool)? = nil
    ) throws -> EventLog {
        let reader = EventReader(
            EventReader.Options(
                format: format, year: year, badRows: skipBadRows ? .skip : .strict, threads: threads, keepsShopper: keepsShopper))
        let log = try reportingInputErrors { () throws(InputError) in try reader.read(path: events) }
        if log.skippedRows > 0 {
            standardError("skipped \(log.skippedRows) malformed row\(log.skippedRows == 1 ? "" : "s") in \(events)")
        }
        return log
    }
}

/// Runs `body`; an ``InputError`` is printed to standard error and becomes exit code 1.
func reportingInputErrors<R>(_ body: () throws(InputError) -> R) throws -> R {
    do {
        return try body()
    } catch {
        standardError("error: \(error)")
        throw ExitCode(1)
    }
}

/// Writes a line to standard error.
func standardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
