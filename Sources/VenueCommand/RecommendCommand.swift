import ArgumentParser
import Foundation
import VenueKit

/// `venue recommend`: top brands by factor score for one shopper, or for every shopper as JSONL.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print a shopper's top brands (by factor score, or by the learned venue blend), or write every shopper's as JSONL.",
        discussion: """
            With --all --out FILE, every shopper of the model is ranked a block at a time (scoring \
            fused with selection) on --threads workers and written in model order, one JSON object per line: \
            {"shopper":"S1","brands":["B7",…],"scores":[0.91,…]}. The file appears only when complete.

            With --blend, shoppers are ranked by the learned venue blend saved in the model \
            (venue evaluate --save-model or venue train --learn-blend): their history, the factor \
            and item-kNN scores and the brands' trends from --events as of --at (default: the last \
            event), scored by the logistic model. The score is its log-odds ("popular" for one \
            shopper, null in JSONL, marks brands added to fill). With --all, every shopper of \
            --events is ranked, in its order. --catalog and --exclude-owned (the brands touched \
            up to --at) apply to the blend's candidates and to the filling alike.
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

    @Option(help: "Worker threads for --all, and for folding in shoppers the model does not know with --blend.")
    var threads = 2

    @Option(help: "Brand table precision: float32 (default) or float16; factor ranking only.")
    var precision: BrandTable.Precision?

    @Flag(help: "Rank by the learned venue blend saved in the model (needs --events).")
    var blend = false

    @Option(
        help: ArgumentHelp(
            "With --blend: the day to rank for (its events count, later ones are ignored; default: the last event).",
            valueName: DayArgument.valueName))
    var at: DayArgument?

    func validate() throws {
        guard (shopper != nil) != all else { throw ValidationError("give either --shopper ID or --all") }
        if all, out == nil { throw ValidationError("--all writes a file: give --out FILE") }
        if shopper != nil, out != nil { throw ValidationError("--out is where --all writes; one shopper's list is printed") }
        if let out { try OutputPath.validateFile(out, option: "--out") }
        if events != nil, !excludeOwned, !blend { throw ValidationError("--events serves --exclude-owned or --blend; give one of them") }
        if excludeOwned, events == nil { throw ValidationError("--exclude-owned needs --events FILE") }
        guard k > 0, threads > 0 else { throw ValidationError("-k and --threads must be positive") }
        if blend, events == nil { throw ValidationError("--blend needs --events FILE") }
        if at != nil, !blend { throw ValidationError("--at applies to --blend") }
        if precision != nil, blend { throw ValidationError("--precision applies to factor ranking, not --blend") }
    }

    func run() throws {
        let loaded = try loadModel(model)
        if blend, let events {
            try rankByBlend(loaded, events: events)
            return
        }
        var rules = RankingRules(excludeOwned: excludeOwned)
        var signals = ShopperSignals()
        rules.eligible = try readCatalog()?.showable(among: loaded.brandIDs)
        if excludeOwned, let events {
            let log = try EventInputOptions.read(path: events, format: format)
            signals.owned = InteractionMatrix(log: log).aligned(shoppers: loaded.shopperIDs, brands: loaded.brandIDs)
        }
        let ranker = BrandRanker(
            brands: BrandTable(loaded.brandFactors, precision: precision ?? .float32), rules: rules, signals: signals)

        if let shopper {
            guard let row = loaded.shopperIDs.index(of: shopper) else {
                standardError(
                    "error: shopper \(shopper) is not in \(model) (\(loaded.shopperIDs.count) shoppers); venue generate and "
                        + "recommend --blend fold in a shopper who arrived after training, from its events")
                throw ExitCode(1)
            }
            ranker.rank(k, factors: loaded.shopperFactors.row(row), shopper: row).printLines(brandIDs: loaded.brandIDs)
            return
        }
        try writeAll(ranker, loaded, to: out!)
    }

    /// The catalog of `--catalog`, if given.
    private func readCatalog() throws -> Catalog? {
        guard let catalog else { return nil }
        return try reportingInputErrors { () throws(InputError) in try Catalog.read(path: catalog) }
    }

    /// Ranks by the model's learned venue blend over `events`: prints `--shopper`'s top K, or
    /// writes every shopper's with `--all`.
    private func rankByBlend(_ loaded: FactorModel, events: String) throws {
        let log = try EventInputOptions.read(path: events, format: format)
        var cut = Int64.min
        if let at {
            cut = at.end
        } else {
            for time in log.times where time != EventLog.noTime { cut = max(cut, time) }
        }
        var filter = LearnedVenueRanker.Filter(excludeHistory: excludeOwned)
        filter.eligible = try readCatalog()?.showable(among: log.brandIDs)
        let ranker: LearnedVenueRanker
        do {
            ranker = try LearnedVenueRanker(model: loaded, log: log, cut: cut, threads: threads)
        } catch {
            standardError("error: \(model): \(error)")
            throw ExitCode(1)
        }
        let brandIDs = log.brandIDs
        guard let shopper else {
            let lists = RankedListsFile(key: "shopper", ids: log.shopperIDs, brandIDs: brandIDs)
            try lists.write(to: out!, k: k, threads: threads) { write in
                try ranker.rankAll(
                    k, filter: filter, threads: threads,
                    produce: { block in
                        lists.jsonLines(block, brand: \.brand, score: \.score)
                    },
                    consume: write)
            }
            return
        }
        guard let s = log.shopperIDs.index(of: shopper) else {
            standardError("error: shopper \(shopper) has no events in \(events)")
            throw ExitCode(1)
        }
        var workspace = ranker.features.makeWorkspace()
        for (i, entry) in ranker.rank(Int32(s), k: k, filter: filter, workspace: &workspace).enumerated() {
            print("\(i + 1)\t\(brandIDs[Int(entry.brand)])\t\(entry.score.map { String(format: "%.5f", $0) } ?? "popular")")
        }
    }

    /// Ranks every shopper of the factor model and writes their JSONL.
    private func writeAll(_ ranker: BrandRanker, _ model: FactorModel, to path: String) throws {
        let lists = RankedListsFile(key: "shopper", ids: model.shopperIDs, brandIDs: model.brandIDs)
        try lists.write(to: path, k: k, threads: threads) { write in
            try ranker.rankAll(
                k, shopperFactors: model.shopperFactors, threads: threads,
                produce: { block in
                    lists.jsonLines(block, brand: \.brand) { Double($0.score) }
                },
                consume: write)
        }
    }
}
