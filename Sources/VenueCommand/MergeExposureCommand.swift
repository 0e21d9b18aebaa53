import ArgumentParser
import Foundation
import VenueKit

/// `venue merge-exposure`: the exposure reports of a run's shards, added up into the report of
/// the whole run.
struct MergeExposureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-exposure",
        abstract: "Add up the exposure reports of every shard of a venue generate run.",
        discussion: """
            Each `venue generate --shard I/N` run writes exposure.shard-I-of-N.csv, counting its own \
            pages. Given the reports of shards 1 … N (each once, in any order, from any folders), \
            this writes the report of the whole run to --out, byte for byte what the same run \
            unsharded writes as exposure.csv, and prints its summary: whether every merchant's \
            guarantee was met and every cap kept across all shards. The reports must be of one run \
            (their run column: the same inputs, day and settings) and list the same brands with the \
            same guarantees and caps.
            """
    )

    @Argument(help: "The shards' reports, exposure.shard-I-of-N.csv as venue generate --shard names them.")
    var reports: [String]

    @Option(help: "The whole run's report (CSV).")
    var out: String

    @Flag(help: "The shards were generated for a list of shoppers (--shoppers): judge guarantees by the placements planned for them.")
    var partial = false

    /// Checks the names, and puts the reports in shard order for ``run()``.
    mutating func validate() throws {
        reports = try Self.shards(of: reports).map(\.path)
    }

    func run() throws {
        let report = try reportingInputErrors { () throws(InputError) in
            let report = try ExposureReport(merging: reports, partial: partial)
            try AtomicFile.write(report.csv, to: out)
            return report
        }
        print("{\"shards\":\(reports.count),\"exposure\":\(report.summary(file: out))}")
    }

    /// `paths` in shard order, with their shards, read from the file names; every shard of one
    /// count must be there once.
    static func shards(of paths: [String]) throws -> [(shard: Shard, path: String)] {
        guard !paths.isEmpty else { throw ValidationError("expected the exposure reports of a run's shards") }
        let named = try paths.map { path in
            let name = (path as NSString).lastPathComponent
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            let numbers =
                parts.count == 3 && parts[0] == "exposure" && parts[2] == "csv" && parts[1].hasPrefix("shard-")
                ? parts[1].dropFirst(6).split(separator: "-", omittingEmptySubsequences: false) : []
            guard numbers.count == 3, numbers[1] == "of", let index = Int(numbers[0]), let count = Int(numbers[2]),
                let shard = Shard(index: index, of: count)
            else {
                throw ValidationError(
                    "\(path): expected a shard's exposure report, named exposure.shard-I-of-N.csv as venue generate --shard writes it")
            }
            return (shard: shard, path: path)
        }
        let count = named[0].shard.count
        if let other = named.first(where: { $0.shard.count != count }) {
            throw ValidationError(
                "\(other.path) is shard \(other.shard), \(named[0].path) of \(count) shards: expected the shards of one run")
        }
        // In shard order (a stable sort: the same message whatever the order given), each shard once.
        let sorted = named.sorted { $0.shard.index < $1.shard.index }
        if let repeated = zip(sorted, sorted.dropFirst()).first(where: { $0.shard == $1.shard }) {
            throw ValidationError("shard \(repeated.0.shard) is given twice: \(repeated.0.path), \(repeated.1.path)")
        }
        // The indices are distinct and within 1 … count, so fewer of them than `count` leave gaps;
        // the first few are found in O(given) steps, however large `count` is.
        guard sorted.count == count else {
            let given = Set(sorted.map(\.shard.index))
            let missing = (1...count).lazy.filter { !given.contains($0) }.prefix(10)
            throw ValidationError(
                "expected the reports of all \(count) shards; missing shard\(count - given.count == 1 ? "" : "s") "
                    + missing.map { "\($0)/\(count)" }.joined(separator: ", ") + (count - given.count > 10 ? " …" : ""))
        }
        return sorted
    }
}
