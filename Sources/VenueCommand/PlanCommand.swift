import ArgumentParser
import Dispatch
import Foundation
import VenueKit

/// `venue plan`: merchants' exposure guarantees and caps, planned once over the whole population
/// and saved, for every shard of a `venue generate` run to read instead of planning again.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan merchants' exposure guarantees and caps once, for every shard of a venue generate run.",
        discussion: """
            venue generate plans the catalog's exposure guarantees and caps over every shopper of \
            the model before it makes a page, in every shard: a pass over all shoppers' factors, \
            and every shopper's events on the plan's brands. This does it once and writes the plan \
            to --out (JSON: a few numbers per guaranteed or capped brand, and the brands' \
            popularity, however many shoppers). venue generate --plan FILE then reads it instead, \
            with the pages and exposure report it would have made itself, byte for byte; a shard \
            (--shard I/N) then keeps only its own shoppers' factors from the model file and their \
            events from the events file (with --learned-blend, every shopper's still).

            The plan records the model's checksum, the events file's and the day pages are for \
            (venue generate --plan takes that day unless --at says otherwise); venue generate \
            refuses a plan made from other ones, or for a catalog whose guarantees, caps or stock \
            have changed since.
            """
    )

    @Option(help: "The model file.") var model: String
    @Option(help: "The events file (the shoppers' history).") var events: String
    @Option(help: "Format of --events.") var eventsFormat: EventFormat = .generic
    @Option(help: "The catalog CSV (guarantees, caps, stock).") var catalog: String
    @Option(help: ArgumentHelp("The day pages are for (default: the day after the last event).", valueName: DayArgument.valueName))
    var at: DayArgument?
    @Option(help: "The plan file to write (JSON).") var out: String
    @Option(help: "Worker threads.") var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        try OutputPath.validateFile(out, option: "--out")
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let factors = try loadModel(model)
        let log = try EventInputOptions.read(path: events, format: eventsFormat, threads: threads)
        let catalogPath = catalog
        let catalog = try reportingInputErrors { () throws(InputError) in try Catalog.read(path: catalogPath) }
        let time = Self.day(at, log: log)
        let madeFrom = try Self.madeFrom(model: model, events: events, eventsFormat: eventsFormat, at: time)
        // Which plan brands each shopper touched is all the plan reads of the history.
        let blend = VenueBlend()
        let history = blend.ownHistory(log, at: time, shoppers: factors.shopperIDs, brands: factors.brandIDs)
        let allocation = ExposurePlan.Allocation(
            model: factors, catalog: catalog, showable: catalog.showable(among: factors.brandIDs), history: history, threads: threads)
        let saved = ExposurePlan.Saved(
            allocation: allocation, popularityCounts: blend.popularityCounts(log, at: time, brands: factors.brandIDs),
            madeFrom: madeFrom)
        try reportingInputErrors { () throws(InputError) in
            try AtomicFile.write(saved.json(brandIDs: factors.brandIDs), to: out)
        }
        let lines = allocation.lines
        let fields = [
            "\"shoppers\":\(allocation.shoppers)", "\"guarantees\":\(lines.count { $0.guarantee != nil })",
            "\"planned\":\(lines.reduce(0) { $0 + $1.planned })", "\"caps\":\(lines.count { $0.cap != nil })",
            "\"at\":\"\(CalendarTime.isoDate(time))\"",
            "\"seconds\":\(rounded(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, places: 3))",
            "\"file\":\(jsonString(out))",
        ]
        print("{" + fields.joined(separator: ",") + "}")
    }

    /// The moment pages are for: `at`, or else the day after the last event of `log` (as
    /// `venue generate` picks it).
    static func day(_ at: DayArgument?, log: EventLog) -> Int64 {
        at?.start ?? ((log.latestTime() ?? 0) / 86_400 + 1) * 86_400
    }

    /// What a plan records of its inputs besides the catalog, and `venue generate --plan` checks:
    /// the model file's checksum, a checksum of the events file's bytes and their format, and
    /// the day (`at`, when given). O(size of the events file).
    static func madeFrom(model: String, events: String, eventsFormat: EventFormat, at time: Int64?) throws -> [String: String] {
        let modelChecksum: UInt64
        do {
            modelChecksum = try ModelFile.storedChecksum(path: model)
        } catch {
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        let eventsChecksum = try reportingInputErrors { () throws(InputError) in try WordChecksum.of(file: events) }
        var madeFrom = [
            "model": String(modelChecksum, radix: 16), "events": String(eventsChecksum, radix: 16),
            "events_format": eventsFormat.rawValue,
        ]
        if let time { madeFrom["at"] = CalendarTime.isoDate(time) }
        return madeFrom
    }
}
