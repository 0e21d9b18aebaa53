import ArgumentParser
import VenueKit

/// A calendar day given on the command line, written `YYYY-MM-DD`.
///
/// The argument parser builds it, so a bad value is refused before any input is read, with the
/// option's name and the expected form: `The value '2014-13-15' is invalid for '--train-until
/// <YYYY-MM-DD>'`. Date-times and Unix seconds are refused too (see ``CalendarTime/day(_:)``).
struct DayArgument: ExpressibleByArgument, CustomStringConvertible, Sendable {
    /// The day as written, for messages and reports.
    let text: String
    /// Unix seconds at midnight UTC of the day.
    let start: Int64

    init?(argument: String) {
        guard let start = CalendarTime.day(argument) else { return nil }
        self.text = argument
        self.start = start
    }

    /// The last second of the day, for cut-offs that include the whole day.
    var end: Int64 { start + CalendarTime.secondsPerDay - 1 }

    var description: String { text }

    /// How an option of this type shows its value in help and errors.
    static let valueName = "YYYY-MM-DD"
}
