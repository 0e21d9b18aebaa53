import ArgumentParser
import Foundation
import VenueKit

/// `venue tune`: a coordinate search over a small grid of the venue method's settings, on a
/// validation split carved from the training period only.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract:
            "Search factors, λ, α, blend windows, history half-life and popular candidates on a validation split inside the training period.",
        discussion: """
            Validation: train on events up to --validation-days before --train-until, validate on \
            the purchases of the last --validation-days of the training period. The test window \
            after --train-until is never read. With --folds N, fold i (from 0) ends i × --fold-step \
            days earlier (rolling origin), so a configuration is not picked for one lucky month. \
            Scores each configuration by Recall@K + NDCG@K of the venue method, averaged over the \
            folds and --seeds ALS seeds. \(searchDescription)
            """
    )

    @OptionGroup var input: EventInputOptions
    @OptionGroup var als: ALSOptions

    @Option(help: ArgumentHelp("The last day of the training period.", valueName: DayArgument.valueName)) var trainUntil: DayArgument
    @Option(help: "Days at the end of the training period used for validation.") var validationDays = 30
    @Option(help: "The most configurations to evaluate.") var trials = 40
    @Option(
        help: """
            ALS seeds each configuration is trained and scored with (--seed, --seed + 1, …); the \
            search compares their mean, so a configuration is not picked for a lucky initialisation.
            """)
    var seeds = 1
    @Option(
        help: """
            Validation splits (rolling origin): fold i validates the --validation-days that end \
            i × --fold-step days before --train-until, training on the events before them.
            """)
    var folds = 1
    /// The most validation folds: each one copies the training events and trains every model again.
    static let mostFolds = 100
    @Option(help: "Days between the ends of consecutive validation folds.") var foldStep = 15
    @Option(name: .short, help: "The cut-off scored.") var k = 20
    @Option(help: BlendOptions.learnShoppersHelp) var learnShoppers = BlendOptions.defaultLearnShoppers
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard seeds > 0, trials > 0, k > 0, validationDays > 0, folds > 0, foldStep > 0, learnShoppers > 0 else {
            throw ValidationError(
                "--seeds, --trials, -k, --validation-days, --folds, --fold-step and --learn-shoppers must be positive")
        }
        guard seeds <= ALSOptions.mostSeeds, folds <= Self.mostFolds else {
            throw ValidationError("--seeds is at most \(ALSOptions.mostSeeds) and --folds at most \(Self.mostFolds)")
        }
        let longest = MethodComparison.learnLimit
        guard validationDays <= longest, foldStep <= longest else {
            throw ValidationError("--validation-days and --fold-step are at most \(longest) days")
        }
        // The search starts from the ALS settings given, so each must be a point of the grid.
        func onGrid<Value: Equatable>(_ value: Value, _ values: [Value], _ name: String) throws {
            guard values.contains(value) else {
                throw ValidationError("\(name) must be one of the grid's values: \(values.map { "\($0)" }.joined(separator: ", "))")
            }
        }
        try onGrid(als.factors, Self.grid.factors, "--factors")
        try onGrid(als.regularization, Self.grid.regularization, "--regularization")
        try onGrid(als.alpha, Self.grid.alpha, "--alpha")
    }

    /// The values searched, one list per setting; a configuration is one index into each.
    private static let grid = (
        factors: [32, 64, 128], regularization: [Float(0.01), 0.1], alpha: [Float(5), 10, 20], windows: [1, 2],
        halfLife: [15.0, 30, 60], popular: [0, 10, 20]
    )
    /// Where the search starts in the blend's settings, as indices into ``grid``: 2 windows,
    /// half-life 30, 10 popular candidates. (The ALS settings start from the options given.)
    private static let blendStart = (windows: 1, halfLife: 1, popular: 1)

    /// The search as the help describes it, written from ``grid`` and the starting point so the
    /// two cannot drift apart.
    private static var searchDescription: String {
        func show(_ value: some BinaryFloatingPoint) -> String { String(format: "%g", Double(value)) }
        func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }
        func list(_ values: [some BinaryFloatingPoint]) -> String { values.map(show).joined(separator: ", ") }
        let defaults = try! ALSOptions.parse([])  // every option has a default
        let (g, start) = (grid, blendStart)
        return """
            Starting from --factors, --regularization and --alpha (\(defaults.factors), \(show(defaults.regularization)) \
            and \(show(defaults.alpha)) unless given; each must be a value of the grid), \(g.windows[start.windows]) \
            windows, half-life \(show(g.halfLife[start.halfLife])) and \(g.popular[start.popular]) popular candidates, it \
            tries every other value of one setting at a time, \
            keeps the best, and sweeps again until nothing improves; then prints the best as options for `venue \
            evaluate`. The grid: factors \(list(g.factors)); λ \(list(g.regularization)); α \(list(g.alpha)); windows \
            \(list(g.windows)); half-life \(list(g.halfLife)) days; popular candidates \(list(g.popular)).
            """
    }

    func run() throws {
        let cut = trainUntil.start
        let log = try input.read(threads: als.threads)
        let day = CalendarTime.secondsPerDay
        let training = log.through(trainUntil.end)
        // Fold i validates the purchases of the `validationDays` ending i × `foldStep` days
        // before the cut, trained on the events before them.
        let splits = (0..<folds).map { fold in
            let end = cut - Int64(fold * foldStep) * day
            let validationCut = end - Int64(validationDays) * day
            return TimeSplit(training, trainUntil: validationCut, testFrom: validationCut + day, testUntil: end)
        }
        if let empty = splits.firstIndex(where: \.test.isEmpty) {
            standardError("error: no purchases in the validation window of fold \(empty)")
            throw ExitCode(1)
        }
        let grid = Self.grid
        let sizes = [
            grid.factors.count, grid.regularization.count, grid.alpha.count, grid.windows.count, grid.halfLife.count, grid.popular.count,
        ]
        func configuration(_ at: [Int]) -> Configuration {
            Configuration(
                factors: grid.factors[at[0]], regularization: grid.regularization[at[1]], alpha: grid.alpha[at[2]],
                windows: grid.windows[at[3]], halfLife: grid.halfLife[at[4]], popular: grid.popular[at[5]])
        }
        var results: [(configuration: Configuration, recall: Double, ndcg: Double)] = []
        /// Recall@k + NDCG@k of the venue method at a point of the grid, averaged over the folds and seeds.
        func score(_ at: [Int]) throws -> Double {
            let c = configuration(at)
            var options = als
            options.factors = c.factors
            options.regularization = c.regularization
            options.alpha = c.alpha
            let runs = try splits.flatMap { split in
                try options.seedSequence(seeds).map { seed in
                    let evaluation = MethodComparison(
                        split: split, configuration: options.seeded(seed).configuration, weighting: options.weighting,
                        learnWindow: validationDays,
                        learnWindows: c.windows, historyHalfLife: c.halfLife, popularCandidates: c.popular, learnShoppers: learnShoppers)
                    return evaluation.measure(try evaluation.rank(.venue, k: k), cutoffs: [k])[k]!
                }
            }
            let recall = runs.recall
            let ndcg = runs.mean(\.metrics.ndcg)
            results.append((c, recall, ndcg))
            if !json {
                standardError(
                    String(
                        format: "factors %3d  λ %.2f  α %4.1f  windows %d  half-life %3.0f  popular %2d  →  Recall@%d %.4f  NDCG@%d %.4f",
                        c.factors, c.regularization, c.alpha, c.windows, c.halfLife, c.popular, k, recall, k, ndcg))
            }
            return recall + ndcg
        }
        // From the ALS settings given (on the grid, as validate checked) and the blend's fixed start.
        let start = [
            grid.factors.firstIndex(of: als.factors)!, grid.regularization.firstIndex(of: als.regularization)!,
            grid.alpha.firstIndex(of: als.alpha)!, Self.blendStart.windows, Self.blendStart.halfLife, Self.blendStart.popular,
        ]
        let (current, _) = try CoordinateSearch(sizes: sizes, budget: trials).best(from: start, score: score)
        let c = configuration(current)
        let chosen = results.first { $0.configuration == c }!
        let flags =
            "--factors \(c.factors) --regularization \(c.regularization) --alpha \(c.alpha) --learn-windows \(c.windows) "
            + "--history-half-life \(Int(c.halfLife)) --popular-candidates \(c.popular)"
        if json {
            print(
                "{\"validation_train_until\":\"\(CalendarTime.isoDate(splits[0].cut))\",\"validation_shoppers\":\(splits[0].test.count),"
                    + (folds > 1
                        ? "\"folds\":["
                            + splits.map { "{\"train_until\":\"\(CalendarTime.isoDate($0.cut))\",\"shoppers\":\($0.test.count)}" }
                            .joined(separator: ",") + "],"
                        : "")
                    + "\"best\":{\"factors\":\(c.factors),\"regularization\":\(c.regularization),\"alpha\":\(c.alpha),"
                    + "\"learn_windows\":\(c.windows),\"history_half_life\":\(c.halfLife),\"popular_candidates\":\(c.popular),"
                    + "\"recall\":\(chosen.recall),\"ndcg\":\(chosen.ndcg)},\"trials\":\(results.count),\"seeds\":\(seeds)}")
        } else {
            let validations = splits.map { "train ≤ \(CalendarTime.isoDate($0.cut)), \($0.test.count) shoppers" }
            print("best on validation (\(folds > 1 ? "\(folds) folds: " : "")\(validations.joined(separator: "; "))): \(flags)")
            let averagedOver = [
                folds > 1 ? "\(folds) folds" : nil, seeds > 1 ? "\(seeds) ALS seeds from \(als.seed)" : nil,
            ].compactMap { $0 }
            print(
                String(format: "Recall@%d %.4f  NDCG@%d %.4f", k, chosen.recall, k, chosen.ndcg)
                    + (averagedOver.isEmpty ? "" : " (mean over \(averagedOver.joined(separator: " and ")))"))
        }
    }

    /// One point of the search grid.
    private struct Configuration: Equatable {
        var factors: Int
        var regularization: Float
        var alpha: Float
        var windows: Int
        var halfLife: Double
        var popular: Int
    }
}
