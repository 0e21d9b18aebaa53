import ArgumentParser
import Foundation
import VenueKit

/// `venue stats`: what an events file holds.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print shoppers, brands, events by kind, date range and density of an events file."
    )

    @OptionGroup var input: EventInputOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let log = try input.read(threads: ProcessInfo.processInfo.activeProcessorCount)
        let seconds = (clock.now - start).secondsValue
        let stats = EventStatistics(log)
        let kinds = EventKind.allCases.filter { stats.eventsByKind[$0] != nil }
        if json {
            var fields = [
                "\"file\":\(jsonString(input.events))", "\"format\":\"\(input.format)\"",
                "\"shoppers\":\(stats.shoppers)", "\"brands\":\(stats.brands)", "\"events\":\(stats.events)",
                "\"pairs\":\(stats.pairs)", "\"density\":\(stats.density)", "\"skipped_rows\":\(stats.skippedRows)",
                "\"rows_without_brand\":\(stats.ignoredRows)",
                "\"read_seconds\":\(seconds)",
            ]
            fields.append("\"events_by_kind\":{" + kinds.map { "\"\($0)\":\(stats.eventsByKind[$0]!)" }.joined(separator: ",") + "}")
            if let range = stats.timeRange {
                fields.append(
                    "\"first\":\"\(CalendarTime.isoDate(range.lowerBound))\",\"last\":\"\(CalendarTime.isoDate(range.upperBound))\"")
            }
            print("{" + fields.joined(separator: ",") + "}")
            return
        }
        print("file       \(input.events) (\(input.format))")
        print("shoppers   \(stats.shoppers)")
        print("brands     \(stats.brands)")
        print("events     \(stats.events)")
        for kind in kinds {
            print("  \(kind.description.padding(toLength: 9, withPad: " ", startingAt: 0))\(stats.eventsByKind[kind]!)")
        }
        if let range = stats.timeRange {
            print("dates      \(CalendarTime.isoDate(range.lowerBound)) … \(CalendarTime.isoDate(range.upperBound))")
        }
        print("pairs      \(stats.pairs)")
        print("density    \(String(format: "%.6f", stats.density))")
        if stats.skippedRows > 0 { print("skipped    \(stats.skippedRows) malformed rows") }
        if stats.ignoredRows > 0 { print("no brand   \(stats.ignoredRows) rows left out (no brand id)") }
        print("read in    \(String(format: "%.3f", seconds)) s")
    }
}

/// `text` as a JSON string literal (the venue layer's escaping).
func jsonString(_ text: String) -> String {
    var json = JSONWriter()
    json.string(text)
    return String(decoding: json.bytes, as: UTF8.self)
}

/// `x` rounded to `places` decimals, for JSON output.
func rounded(_ x: Double, places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (x * scale).rounded() / scale
}

/// Reads a model file, printing the error and exiting 1 when it cannot.
func loadModel(_ path: String) throws -> FactorModel {
    do {
        return try ModelFile.read(path: path)
    } catch {
        standardError("error: \(error)")
        throw ExitCode(1)
    }
}

/// Reads `shard`'s shoppers of a model file (``ModelFile/read(path:keepingShoppers:)``), printing
/// the error and exiting 1 when it cannot.
func loadModel(_ path: String, shard: Shard) throws -> ModelFile.Part {
    do {
        return try ModelFile.read(path: path) { shard.contains(utf8: $0) }
    } catch {
        standardError("error: \(error)")
        throw ExitCode(1)
    }
}
