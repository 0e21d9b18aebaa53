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

            With --events, shoppers the model does not know who have events on its brands up to --at \
            (default: the last event) are folded in: their factors are solved against the model's brand \
            factors from those events, as venue generate does for shoppers who arrived after training. \
            --shopper may then name such a shopper, and --all writes them after the model's shoppers, \
            in the order of --events.

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

    @Flag(help: "Leave out brands the shopper already has in --events (up to --at).")
    var excludeOwned = false

    @Option(
        help: "Events: the brands --exclude-owned leaves out, the shoppers the model does not know (folded in), and --blend's features.")
    var events: String?

    @Option(help: "Format of --events.")
    var format: EventFormat = .generic

    @Option(help: "A catalog CSV: only brands in the sale and not sold out are ranked.")
    var catalog: String?

    @Option(help: "Worker threads for --all, and for folding in shoppers the model does not know.")
    var threads = 2

    @Option(help: "Brand table precision: float32 (default) or float16; factor ranking only.")
    var precision: BrandTable.Precision?

    @Flag(help: "Rank by the learned venue blend saved in the model (needs --events).")
    var blend = false

    @Option(
        help: ArgumentHelp(
            "With --events: the day to rank for (its events count, later ones are ignored; default: the last event).",
            valueName: DayArgument.valueName))
    var at: DayArgument?

    func validate() throws {
        guard (shopper != nil) != all else { throw ValidationError("give either --shopper ID or --all") }
        if all, out == nil { throw ValidationError("--all writes a file: give --out FILE") }
        if shopper != nil, out != nil { throw ValidationError("--out is where --all writes; one shopper's list is printed") }
        if let out { try OutputPath.validateFile(out, option: "--out") }
        if excludeOwned, events == nil { throw ValidationError("--exclude-owned needs --events FILE") }
        guard k > 0, threads > 0 else { throw ValidationError("-k and --threads must be positive") }
        if blend, events == nil { throw ValidationError("--blend needs --events FILE") }
        if at != nil, events == nil { throw ValidationError("--at is a day of --events: give --events FILE") }
        if precision != nil, blend { throw ValidationError("--precision applies to factor ranking, not --blend") }
    }

    func run() throws {
        let loaded = try loadModel(model)
        let log = try events.map { try EventInputOptions.read(path: $0, format: format, threads: threads) }
        // The moment ranked for: the end of --at, or the last event.
        let cut = at?.end ?? log.map { $0.latestTime() ?? .min } ?? .max
        if blend, let log, let events {
            try rankByBlend(loaded, log: log, from: events, cut: cut)
            return
        }
        let (ids, factors) = try shoppersToRank(loaded, log: log, cut: cut)
        var rules = RankingRules(excludeOwned: excludeOwned)
        var signals = ShopperSignals()
        rules.eligible = try readCatalog()?.showable(among: loaded.brandIDs)
        if excludeOwned, let log {
            signals.owned = InteractionMatrix.byShopper(of: log, shoppers: ids, brands: loaded.brandIDs) { log.times[$0] <= cut }
        }
        let ranker = BrandRanker(
            brands: BrandTable(loaded.brandFactors, precision: precision ?? .float32), rules: rules, signals: signals)
        if shopper != nil {
            ranker.rank(k, factors: factors.row(0), shopper: 0).printLines(brandIDs: loaded.brandIDs)
            return
        }
        let lists = RankedListsFile(key: "shopper", ids: ids, brandIDs: loaded.brandIDs)
        try lists.write(to: out!, k: k, threads: threads) { write in
            try ranker.rankAll(
                k, shopperFactors: factors, threads: threads,
                produce: { block in
                    lists.jsonLines(block, brand: \.brand) { Double($0.score) }
                },
                consume: write)
        }
    }

    /// The shoppers to rank by factor score, and their factors, a row each: `--shopper` alone, or
    /// every shopper of `model` followed by the shoppers of `log` it does not know who have events
    /// on its brands up to `cut` (in the events' order). Shoppers the model does not know get factors
    /// folded in from those events (``FactorModel/foldedIn(_:events:at:threads:)``); one without
    /// such events has nothing to be ranked by, so `--all` leaves it out (counted on stderr) and
    /// `--shopper` is refused.
    private func shoppersToRank(_ model: FactorModel, log: EventLog?, cut: Int64) throws -> (IdentifierMap, Matrix) {
        if let shopper {
            var one = IdentifierMap()
            one.intern(shopper)
            if let row = model.shopperIDs.index(of: shopper) {
                return (one, Matrix(rows: 1, columns: model.factors, storage: model.shopperFactors.row(row)))
            }
            guard let log, let events else {
                standardError(
                    "error: shopper \(shopper) is not in \(self.model) (\(model.shopperIDs.count) shoppers); give --events FILE to "
                        + "fold in a shopper who arrived after training, from its events")
                throw ExitCode(1)
            }
            let folded = model.foldedIn(one, events: log, at: cut)
            guard folded.storage.contains(where: { $0 != 0 }) else {
                standardError(
                    "error: shopper \(shopper) is not in \(self.model) and has no events on its brands in \(events)"
                        + (at.map { " up to \($0)" } ?? ""))
                throw ExitCode(1)
            }
            return (one, folded)
        }
        guard let log else { return (model.shopperIDs, model.shopperFactors) }
        let newcomers = model.newcomers(in: log, at: cut)
        let folded = model.foldedIn(newcomers, events: log, at: cut, threads: threads)
        var ids = model.shopperIDs
        var storage = model.shopperFactors.storage
        var cold = 0
        for r in 0..<newcomers.count {
            let row = folded.storage[(r * model.factors)..<((r + 1) * model.factors)]
            guard row.contains(where: { $0 != 0 }) else {
                cold += 1
                continue
            }
            ids.intern(newcomers[r])
            storage += row
        }
        if newcomers.count > 0 {
            let folded = newcomers.count - cold
            standardError(
                "folded in \(folded) shopper\(folded == 1 ? "" : "s") the model does not know, from their events"
                    + (cold > 0 ? "; left out \(cold) without events on the model's brands" : ""))
        }
        return (ids, Matrix(rows: ids.count, columns: model.factors, storage: storage))
    }

    /// The catalog of `--catalog`, if given.
    private func readCatalog() throws -> Catalog? {
        guard let catalog else { return nil }
        return try reportingInputErrors { () throws(InputError) in try Catalog.read(path: catalog) }
    }

    /// Ranks by the model's learned venue blend over `log` (read from `events`) as of `cut`: prints
    /// `--shopper`'s top K, or writes every shopper's with `--all`.
    private func rankByBlend(_ loaded: FactorModel, log: EventLog, from events: String, cut: Int64) throws {
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
}
