import ArgumentParser
import Foundation
import VenueKit

/// `venue recommend`: top brands by factor score for one shopper, or for every shopper as JSONL.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print a shopper's top brands by factor score, or write every shopper's as JSONL.",
        discussion: """
            With --all --out FILE, every shopper of the model is ranked a block at a time (scoring \
            fused with selection) on --threads workers and written in model order, one JSON object per line: \
            {"shopper":"S1","brands":["B7",…],"scores":[0.91,…]}. The file appears only when complete.

            With --blend, one shopper is ranked by the learned venue blend saved in the model \
            (venue evaluate --save-model): its history, the factor and item-kNN scores and the \
            brands' trends from --events as of --at (default: the last event), scored by the \
            logistic model; the score printed is its log-odds ("popular" marks brands added to fill).
            """
    )

    @Option(help: "The model file.")
    var model: String

    @Option(help: "The shopper id (or use --all).")
    var shopper: String?

    @Flag(help: "Rank every shopper of the model (needs --out).")
    var all = false

    @Option(help: "Where --all writes its JSONL.")
    var out: String?

    @Option(name: .short, help: "How many brands.")
    var k = 20

    @Flag(help: "Leave out brands the shopper already has in --events.")
    var excludeOwned = false

    @Option(help: "The events file whose brands --exclude-owned leaves out.")
    var events: String?

    @Option(help: "Format of --events.")
    var format: EventFormat = .generic

    @Option(help: "A catalog CSV: only brands in the sale and not sold out are ranked.")
    var catalog: String?

    @Option(help: "Worker threads for --all.")
    var threads = 2

    @Option(help: "Brand table precision: float32 or float16.")
    var precision: BrandTable.Precision = .float32

    @Flag(help: "Rank by the learned venue blend saved in the model (needs --shopper and --events).")
    var blend = false

    @Option(
        help: ArgumentHelp(
            "With --blend: the day to rank for (its events count, later ones are ignored; default: the last event).",
            valueName: DayArgument.valueName))
    var at: DayArgument?

    func validate() throws {
        guard (shopper != nil) != all else { throw ValidationError("give either --shopper ID or --all") }
        if all, out == nil { throw ValidationError("--all writes a file: give --out FILE") }
        if excludeOwned, events == nil { throw ValidationError("--exclude-owned needs --events FILE") }
        guard k > 0, threads > 0 else { throw ValidationError("-k and --threads must be positive") }
        if blend, all || events == nil { throw ValidationError("--blend ranks one --shopper and needs --events FILE") }
        if at != nil, !blend { throw ValidationError("--at applies to --blend") }
    }

    func run() throws {
        let loaded = try loadModel(model)
        if blend, let shopper, let events {
            try rankByBlend(loaded, shopper: shopper, events: events)
            return
        }
        var rules = RankingRules(excludeOwned: excludeOwned)
        var signals = ShopperSignals()
        if let catalog {
            let read = try reportingInputErrors { () throws(InputError) in try Catalog.read(path: catalog) }
            rules.eligible = read.showable(among: loaded.brandIDs)
        }
        if excludeOwned, let events {
            let log = try EventInputOptions.read(path: events, format: format)
            signals.owned = InteractionMatrix(log: log).aligned(shoppers: loaded.shopperIDs, brands: loaded.brandIDs)
        }
        let ranker = BrandRanker(brands: BrandTable(loaded.brandFactors, precision: precision), rules: rules, signals: signals)

        if let shopper {
            guard let row = loaded.shopperIDs.index(of: shopper) else {
                standardError("error: shopper \(shopper) is not in \(model) (\(loaded.shopperIDs.count) shoppers)")
                throw ExitCode(1)
            }
            var workspace = ranker.makeWorkspace(blockSize: 1)
            var ranked = RankedBrands()
            ranker.rank(k, factors: loaded.shopperFactors.row(row), shopper: row, workspace: &workspace, into: &ranked)
            for i in 0..<ranked.count {
                print("\(i + 1)\t\(loaded.brandIDs[Int(ranked.brands[i])])\t\(String(format: "%.5f", ranked.scores[i]))")
            }
            return
        }
        try writeAll(ranker, loaded, to: out!)
    }

    /// Prints `shopper`'s top K by the model's learned venue blend over `events`.
    private func rankByBlend(_ loaded: FactorModel, shopper: String, events: String) throws {
        let log = try EventInputOptions.read(path: events, format: format)
        var cut = Int64.min
        if let at {
            cut = at.end
        } else {
            for time in log.times where time != EventLog.noTime { cut = max(cut, time) }
        }
        guard let s = log.shopperIDs.index(of: shopper) else {
            standardError("error: shopper \(shopper) has no events in \(events)")
            throw ExitCode(1)
        }
        let ranker: LearnedVenueRanker
        do {
            ranker = try LearnedVenueRanker(model: loaded, log: log, cut: cut)
        } catch {
            standardError("error: \(model): \(error)")
            throw ExitCode(1)
        }
        for (i, entry) in ranker.rank(Int32(s), k: k).enumerated() {
            print("\(i + 1)\t\(log.brandIDs[Int(entry.brand)])\t\(entry.score.map { String(format: "%.5f", $0) } ?? "popular")")
        }
    }

    /// Ranks every shopper and streams JSONL into a temporary file renamed into place at the end.
    private func writeAll(_ ranker: BrandRanker, _ model: FactorModel, to path: String) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let output = try reportingInputErrors { () throws(InputError) in try AtomicFileWriter(path: path) }
        let shopperIDs = model.shopperIDs
        let brandIDs = model.brandIDs
        do {
            try ranker.rankAll(
                k, shopperFactors: model.shopperFactors, threads: threads,
                produce: { block in
                    var text = ""
                    for shopper in block.shoppers {
                        let (brands, scores) = block[shopper]
                        text += "{\"shopper\":" + jsonString(shopperIDs[shopper]) + ",\"brands\":["
                        text += brands.map { jsonString(brandIDs[Int($0)]) }.joined(separator: ",")
                        text += "],\"scores\":[" + scores.map { String(format: "%.6g", $0) }.joined(separator: ",") + "]}\n"
                    }
                    return Array(text.utf8)
                },
                consume: { bytes throws(InputError) in try output.write(bytes) })
            try output.commit()
        } catch let error as InputError {
            output.discard()
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        standardError(
            "wrote \(model.shopperIDs.count) shoppers' top \(k) to \(path) in \(String(format: "%.2f", seconds)) s "
                + "(\(Int(Double(model.shopperIDs.count) / max(seconds, 1e-9))) shoppers/s, \(threads) threads)")
    }
}
