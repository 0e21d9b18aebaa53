import ArgumentParser
import Foundation
import VenueKit

extension RecommendationMethod: ExpressibleByArgument {}

extension EventKind: ExpressibleByArgument {
    /// Reads an event kind from its name on the command line (`purchase`, `cart`, …).
    public init?(argument: String) { self.init(name: argument) }
}

/// `venue evaluate`: ranking quality on a time split (the Tmall contest protocol) or a random
/// per-interaction holdout (the `implicit` harness protocol).
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Compare recommendation methods on a time split or a random holdout.",
        discussion: """
            Time split: --train-until DAY --test-from DAY --test-until DAY (test = the --test-events \
            in that window, purchases by default). Methods: popularity, own-history (the 2013 venue \
            rule), item-knn, als (factor scores alone), venue (the learned blend, fitted on the \
            --learn-window days before the cut). Random holdout: --holdout 0.2 (als only, training \
            pairs filtered, as the implicit harness does).
            """
    )

    @OptionGroup var input: EventInputOptions
    @OptionGroup var als: ALSOptions

    @Option(help: ArgumentHelp("Train on events up to and including this day.", valueName: DayArgument.valueName)) var trainUntil:
        DayArgument?
    @Option(help: ArgumentHelp("First day of the test window.", valueName: DayArgument.valueName)) var testFrom: DayArgument?
    @Option(help: ArgumentHelp("Last day of the test window.", valueName: DayArgument.valueName)) var testUntil: DayArgument?
    @Option(help: "Event kinds that count as test items, comma separated (time split; default: \(Self.defaultTestEvents)).")
    var testEvents: CommaSeparated<EventKind>?
    /// The test items when `--test-events` is not given.
    static let defaultTestEvents = CommaSeparated<EventKind>(argument: "purchase")!
    @Option(help: "Methods, comma separated (time split; default: all of them).")
    var methods: CommaSeparated<RecommendationMethod>?
    @OptionGroup var blendOptions: BlendOptions
    @Option(help: "Share of interactions held out (random holdout protocol).") var holdout: Double?
    @Option(help: "Seed of the holdout split (default: \(Self.defaultSplitSeed)).") var splitSeed: UInt64?
    /// The holdout split's seed when `--split-seed` is not given.
    static let defaultSplitSeed: UInt64 = 42
    @Option(name: .short, help: "Cut-offs, comma separated.") var k = CommaSeparated<Int>(argument: "5,10,20,50")!
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "Also draw Recall@K against K for every method (als with --holdout) as an SVG file, or PNG for a .png path.")
    var plot: String?
    @Option(
        help: """
            Resamples of a paired bootstrap over the test shoppers, giving every method's gain over \
            --baseline a 95% interval (seed 42; 0: none; time split; default: \(Self.defaultBootstrap)).
            """)
    var bootstrap: Int?
    /// The bootstrap's resamples when `--bootstrap` is not given.
    static let defaultBootstrap = 1000
    @Option(
        help: """
            ALS seeds (--seed, --seed + 1, …; time split): als and venue are trained and measured once \
            per seed and reported as means, each seed listed after; the gains pair each shopper's \
            outcome averaged over the seeds.
            """)
    var seeds = 1
    @Option(
        help: """
            The method whose scores the gains are relative to (time split; skipped when not among \
            --methods; default: \(Self.defaultBaseline.rawValue)).
            """)
    var baseline: RecommendationMethod?
    /// The method gains are relative to when `--baseline` is not given.
    static let defaultBaseline = RecommendationMethod.ownHistory
    /// The most bootstrap resamples: each one redraws every test shopper.
    static let mostResamples = 1_000_000
    @Option(help: "Save the training period's model (of --seed) with the learned venue blend (extension BLND) to this file.")
    var saveModel: String?

    func validate() throws {
        guard (0...Self.mostResamples).contains(bootstrap ?? 0) else {
            throw ValidationError("--bootstrap is a number of resamples, 0 (none) to \(Self.mostResamples)")
        }
        guard (1...ALSOptions.mostSeeds).contains(seeds) else { throw ValidationError("--seeds is 1 to \(ALSOptions.mostSeeds)") }
        if let holdout, !(holdout > 0 && holdout < 1) {
            throw ValidationError("--holdout is the share of interactions held out, strictly between 0 and 1")
        }
        guard k.elements.allSatisfy({ $0 > 0 }) else { throw ValidationError("-k takes positive cut-offs") }
        if let plot {
            try OutputPath.validateFile(plot, option: "--plot")
            if RecallPlot.Format(path: plot) == nil {
                let format = URL(fileURLWithPath: plot).pathExtension.lowercased()
                throw ValidationError(
                    "--plot draws SVG or PNG, and \(plot) names a .\(format) file; give a .svg or .png path "
                        + "(rsvg-convert turns SVG into PDF or EPS)")
            }
        }
        if let saveModel { try OutputPath.validateFile(saveModel, option: "--save-model") }
        if holdout == nil {
            _ = try timeSplitDays()
            guard splitSeed == nil else { throw ValidationError("--split-seed seeds the random holdout: give --holdout FRACTION") }
        } else {
            try validateHoldout()
        }
    }

    /// The holdout measures one ALS model: the time split's options are refused, not ignored.
    private func validateHoldout() throws {
        guard trainUntil == nil, testFrom == nil, testUntil == nil else {
            throw ValidationError("give --holdout FRACTION or the time split's --train-until, --test-from and --test-until, not both")
        }
        guard seeds == 1 else { throw ValidationError("--seeds is for the time split; the holdout trains once") }
        guard saveModel == nil else {
            throw ValidationError("--save-model saves the time split's model with its venue blend; the holdout fits no blend")
        }
        guard methods == nil || methods?.elements == [.als] else {
            throw ValidationError("the holdout measures als only; --methods is for the time split")
        }
        guard testEvents == nil, bootstrap == nil, baseline == nil else {
            throw ValidationError("--test-events, --bootstrap and --baseline are for the time split; the holdout tests held-out pairs")
        }
        guard !blendOptions.given else { throw ValidationError("\(BlendOptions.names) fit the venue blend; the holdout fits none") }
    }

    /// The time split's days: all three given, the test window after the training period.
    private func timeSplitDays() throws -> (trainUntil: DayArgument, testFrom: DayArgument, testUntil: DayArgument) {
        guard let trainUntil, let testFrom, let testUntil else {
            throw ValidationError("give --train-until, --test-from and --test-until (time split) or --holdout FRACTION")
        }
        guard testFrom.start > trainUntil.start else { throw ValidationError("--test-from must come after --train-until") }
        return (trainUntil, testFrom, testUntil)
    }

    func run() throws {
        let cutoffs = k.elements.sorted()
        let log = try input.read(threads: als.threads)
        if let holdout {
            try runHoldout(log, fraction: holdout, cutoffs: cutoffs)
            return
        }
        let (trainUntil, testFrom, testUntil) = try timeSplitDays()
        let testEvents = testEvents ?? Self.defaultTestEvents
        let chosen = methods?.elements ?? RecommendationMethod.allCases
        let split = TimeSplit(
            log, trainUntil: trainUntil.start, testFrom: testFrom.start, testUntil: testUntil.start,
            testKinds: Set(testEvents.elements))
        guard !split.test.isEmpty else {
            standardError("error: no test events in \(testFrom) … \(testUntil)")
            throw ExitCode(1)
        }
        guard split.train.count > 0 else {
            standardError("error: no events at or before \(trainUntil) to train on")
            throw ExitCode(1)
        }
        // Methods that use an ALS model are measured once per seed; the others once.
        let seedList = als.seedSequence(seeds)
        var runs: [RecommendationMethod: [[Int: MethodResult]]] = [:]
        for (offset, seed) in seedList.enumerated() {
            let measured = try measure(
                offset == 0 ? chosen : chosen.filter(\.usesFactorModel), on: split, seed: seed, cutoffs: cutoffs,
                saveModel: offset == 0 ? saveModel : nil)
            for (method, byK) in measured { runs[method, default: []].append(byK) }
        }
        // Each method's runs per cut-off: one, or one per seed.
        let results: [(RecommendationMethod, [Int: [MethodResult]])] = chosen.map { method in
            (method, Dictionary(uniqueKeysWithValues: cutoffs.map { k in (k, runs[method]!.map { $0[k]! }) }))
        }
        let resamples = bootstrap ?? Self.defaultBootstrap
        let gains =
            resamples > 0
            ? MethodGains(
                results, baseline: baseline ?? Self.defaultBaseline, cutoffs: cutoffs, bootstrap: PairedBootstrap(resamples: resamples))
            : nil
        let report = TimeSplitReport(
            trainUntil: trainUntil, testFrom: testFrom, testUntil: testUntil, testEvents: testEvents, split: split, cutoffs: cutoffs,
            results: results, seeds: seeds > 1 ? seedList : nil, gains: gains)
        print(json ? report.json : report.markdown)
        if let plot {
            let file = RecallPlot.file(
                for: plot, title: "Recall@K, train ≤ \(trainUntil), test \(testFrom) … \(testUntil)", cutoffs: cutoffs,
                series: results.map { method, byK in (method.rawValue, cutoffs.map { byK[$0]!.recall }) })
            try reportingInputErrors { () throws(InputError) in try AtomicFile.write(file, to: plot) }
        }
    }

    /// Ranks the test shoppers of `split` with each of `methods` (the ALS-based ones with models of
    /// `seed`) and measures them at `cutoffs`; saves the training period's model with its blend to
    /// `saveModel` when given.
    private func measure(
        _ methods: [RecommendationMethod], on split: TimeSplit, seed: UInt64, cutoffs: [Int], saveModel: String?
    ) throws -> [(RecommendationMethod, [Int: MethodResult])] {
        let options = als.seeded(seed)
        let evaluation = blendOptions.comparison(on: split, als: options)
        let seedNote = seeds > 1 ? " (ALS seed \(seed))" : ""
        var blend: LogisticBlend?
        if methods.contains(.venue) || saveModel != nil {
            let learned = try evaluation.learnBlend()
            blend = learned.blend
            if !json { standardError(blendOptions.summary(of: learned, note: seedNote)) }
        }
        // One ALS model of the training side serves als, venue and --save-model.
        let needsModel = methods.contains(where: \.usesFactorModel) || saveModel != nil
        let matrix = needsModel ? InteractionMatrix(log: split.train, weighting: options.weighting) : nil
        let trained = try matrix.map { try trainModel($0, options, quiet: true).0 }
        if let saveModel, let blend, let matrix, let trained {
            // Saved as `venue train --until` saves it: shoppers without training events left out.
            var model = trained.droppingShoppersWithoutInteractions(in: matrix)
            model.extensions.merge(blendOptions.extensions(for: blend)) { $1 }
            do {
                try ModelFile.write(model, to: saveModel)
            } catch {
                standardError("error: \(error)")
                throw ExitCode(1)
            }
        }
        return try methods.map { method in
            let started = Date()
            let measured = evaluation.measure(try evaluation.rank(method, k: cutoffs.last!, model: trained, blend: blend), cutoffs: cutoffs)
            if !json {
                let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
                standardError("\(method.rawValue)\(method.usesFactorModel ? seedNote : ""): \(seconds) s")
            }
            return (method, measured)
        }
    }

    private func runHoldout(_ log: EventLog, fraction: Double, cutoffs: [Int]) throws {
        let split = HoldoutSplit(
            InteractionMatrix(log: log, weighting: als.weighting), fraction: fraction, seed: splitSeed ?? Self.defaultSplitSeed)
        let (model, reports) = try trainModel(split.train, als, quiet: json)
        var metrics = cutoffs.map { RankingMetrics(k: $0) }
        let train = split.train.byShopper
        let test = split.test.byShopper
        let ranker = BrandRanker(
            brands: BrandTable(model.brandFactors), rules: RankingRules(excludeOwned: true), signals: ShopperSignals(owned: train))
        var workspace = ranker.makeWorkspace()
        ranker.rankBlocks(cutoffs.last!, shopperFactors: model.shopperFactors, rows: 0..<test.rows, workspace: &workspace) { u, ranked in
            guard test.count(ofRow: u) > 0 else { return }
            let relevant = Set(test.columnIndices[test.range(ofRow: u)].map(Int.init))
            let brands = ranked.brands.map(Int.init)
            for i in metrics.indices { metrics[i].add(ranked: brands, relevantCount: relevant.count, isRelevant: relevant.contains) }
        }
        if json {
            let fields = metrics.map { "\"recall@\($0.k)\":\($0.recall),\"ndcg@\($0.k)\":\($0.ndcg),\"precision@\($0.k)\":\($0.precision)" }
            print(
                "{\"protocol\":\"holdout\",\"method\":\"als\",\"eval_shoppers\":\(metrics[0].shoppers),\"train_nnz\":\(train.nonzeroCount),\"test_nnz\":\(test.nonzeroCount),"
                    + "\"seconds_per_iteration\":\(median(reports.map(\.seconds))),\(fields.joined(separator: ","))}")
        } else {
            print("| K | Recall@K | NDCG@K | Precision@K |\n|---|---|---|---|")
            for m in metrics { print(String(format: "| %d | %.4f | %.4f | %.4f |", m.k, m.recall, m.ndcg, m.precision)) }
            print("(\(metrics[0].shoppers) shoppers with held-out pairs; \(train.nonzeroCount) train / \(test.nonzeroCount) test pairs)")
        }
        if let plot {
            let percent = String(format: "%g", fraction * 100)
            let file = RecallPlot.file(
                for: plot, title: "Recall@K, random \(percent)% holdout", cutoffs: cutoffs, series: [("als", metrics.map(\.recall))])
            try reportingInputErrors { () throws(InputError) in try AtomicFile.write(file, to: plot) }
        }
    }
}
