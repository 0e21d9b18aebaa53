import ArgumentParser
import VenueKit

/// How the learned venue blend is fitted (`venue evaluate` and `venue train --learn-blend`):
/// learning windows before the cut, and the feature settings saved with it.
struct BlendOptions: ParsableArguments {
    @Option(help: "Neighbours per brand for item-kNN (the item-knn method and the venue blend's kNN feature).") var knn = 50
    @Option(help: "Days before the cut whose purchases label the venue blend's training rows.") var learnWindow = 30
    @Option(help: "How many such windows, going back from the cut, give the blend's training rows.") var learnWindows = 2
    @Option(help: "Days between the cuts of successive learning windows (default: --learn-window, no overlap).") var learnStep: Int?
    @Option(help: "Half-life in days of the own-history feature of the venue blend (default from venue tune on Tmall 2014).")
    var historyHalfLife = LearnedVenueRanker.defaults.historyHalfLife
    @Option(help: "Most-bought brands added to every shopper's venue blend candidates (default from venue tune on Tmall 2014).")
    var popularCandidates = LearnedVenueRanker.defaults.popularCandidates
    @Option(help: learnShoppersHelp) var learnShoppers = defaultLearnShoppers

    /// The help of `--learn-shoppers`, declared here and in `venue tune` (which searches the other
    /// blend settings, so it does not take these options).
    static let learnShoppersHelp = ArgumentHelp(
        "Shoppers per learning window whose candidates fit the blend, at most (an even sample beyond that).")
    /// The default of `--learn-shoppers`, here and in `venue tune`.
    static let defaultLearnShoppers = 20_000

    func validate() throws {
        guard learnWindow > 0, learnWindows > 0, learnStep ?? 1 > 0 else {
            throw ValidationError("--learn-window, --learn-windows and --learn-step must be positive")
        }
        guard knn > 0 else { throw ValidationError("--knn must be positive") }
        guard historyHalfLife > 0, historyHalfLife.isFinite else {
            throw ValidationError("--history-half-life is a positive number of days")
        }
        guard popularCandidates >= 0 else { throw ValidationError("--popular-candidates must not be negative") }
        guard learnShoppers > 0 else { throw ValidationError("--learn-shoppers must be positive") }
    }

    /// Whether any setting differs from its default: a command that fits no blend refuses them
    /// rather than ignore them.
    var changed: Bool {
        func settings(_ o: BlendOptions) -> [Double] {
            [o.knn, o.learnWindow, o.learnWindows, o.learnStep ?? -1, o.popularCandidates, o.learnShoppers].map(Double.init)
                + [o.historyHalfLife]
        }
        guard let defaults = try? Self.parse([]) else { return true }
        return settings(self) != settings(defaults)
    }

    /// The comparison of methods on `split` with these settings and `als`'s (its seed included).
    func comparison(on split: TimeSplit, als: ALSOptions) -> MethodComparison {
        MethodComparison(
            split: split, configuration: als.configuration, weighting: als.weighting, knnNeighbours: knn,
            learnWindow: learnWindow, learnWindows: learnWindows, learnStep: learnStep, historyHalfLife: historyHalfLife,
            popularCandidates: popularCandidates, learnShoppers: learnShoppers)
    }

    /// The model file extensions that store `blend` with these feature settings.
    func extensions(for blend: LogisticBlend) -> [String: [UInt8]] {
        LearnedVenueRanker.extensions(
            for: blend, knnNeighbours: knn, historyHalfLife: historyHalfLife, popularCandidates: popularCandidates)
    }

    /// One line for people: what the blend was fitted on, and its weights.
    func summary(of learned: (blend: LogisticBlend, rows: Int, positives: Int), note: String = "") -> String {
        "venue blend\(note) fitted on \(learned.rows) candidates (\(learned.positives) bought) in \(learnWindows) windows: "
            + zip(BlendFeatures.names, learned.blend.weights).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", ")
    }
}
