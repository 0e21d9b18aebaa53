import ArgumentParser
import VenueKit

/// How the learned venue blend is fitted (`venue evaluate` and `venue train --learn-blend`):
/// learning windows before the cut, and the feature settings saved with it.
struct BlendOptions: ParsableArguments {
    // Each option is optional, so a command that fits no blend can tell one given (even at its
    // default value) from one left out; `settings` fills in the library's defaults, which the
    // help texts quote.
    @Option(
        help: """
            Neighbours per brand for item-kNN: the item-knn method and the venue blend's kNN feature. \
            (default: \(LearnedVenueRanker.defaults.knnNeighbours))
            """)
    var knn: Int?
    @Option(
        help: """
            Days before the cut whose purchases label the venue blend's training rows. (default: \
            \(MethodComparison.defaults.learnWindow))
            """)
    var learnWindow: Int?
    @Option(
        help: """
            How many such windows, going back from the cut, give the blend's training rows. (default: \
            \(MethodComparison.defaults.learnWindows))
            """)
    var learnWindows: Int?
    @Option(help: "Days between the cuts of successive learning windows. (default: --learn-window, no overlap)")
    var learnStep: Int?
    @Option(
        help: """
            Half-life in days of the own-history feature of the venue blend. (default: \
            \(Self.show(LearnedVenueRanker.defaults.historyHalfLife)), from venue tune on Tmall 2014)
            """)
    var historyHalfLife: Double?
    @Option(
        help: """
            Most-bought brands added to every shopper's venue blend candidates. (default: \
            \(LearnedVenueRanker.defaults.popularCandidates), from venue tune on Tmall 2014)
            """)
    var popularCandidates: Int?
    @Option(help: ArgumentHelp(learnShoppersHelp.abstract + " (default: \(defaultLearnShoppers))")) var learnShoppers: Int?

    /// The help of `--learn-shoppers`, declared here and in `venue tune` (which searches the other
    /// blend settings, so it does not take these options).
    static let learnShoppersHelp = ArgumentHelp(
        "Shoppers per learning window whose candidates fit the blend, at most (an even sample beyond that).")
    /// The default of `--learn-shoppers`, here and in `venue tune`.
    static let defaultLearnShoppers = 20_000

    /// The settings: each option given, or its default (`learnStep` `nil`: one window apart).
    private var settings:
        (
            knn: Int, learnWindow: Int, learnWindows: Int, learnStep: Int?, historyHalfLife: Double, popularCandidates: Int,
            learnShoppers: Int
        )
    {
        let (ranker, windows) = (LearnedVenueRanker.defaults, MethodComparison.defaults)
        return (
            knn ?? ranker.knnNeighbours, learnWindow ?? windows.learnWindow, learnWindows ?? windows.learnWindows, learnStep,
            historyHalfLife ?? ranker.historyHalfLife, popularCandidates ?? ranker.popularCandidates,
            learnShoppers ?? Self.defaultLearnShoppers
        )
    }

    /// A number of days as people write it: 60, not 60.0.
    private static func show(_ days: Double) -> String { String(format: "%g", days) }

    func validate() throws {
        let s = settings
        guard s.learnWindow > 0, s.learnWindows > 0, s.learnStep ?? 1 > 0 else {
            throw ValidationError("--learn-window, --learn-windows and --learn-step must be positive")
        }
        guard s.knn > 0 else { throw ValidationError("--knn must be positive") }
        guard s.historyHalfLife > 0, s.historyHalfLife.isFinite else {
            throw ValidationError("--history-half-life is a positive number of days")
        }
        guard s.popularCandidates >= 0 else { throw ValidationError("--popular-candidates must not be negative") }
        guard s.learnShoppers > 0 else { throw ValidationError("--learn-shoppers must be positive") }
    }

    /// Whether any of these options was given, even at its default value: a command that fits no
    /// blend refuses them rather than ignore them.
    var given: Bool {
        knn != nil || learnWindow != nil || learnWindows != nil || learnStep != nil || historyHalfLife != nil
            || popularCandidates != nil || learnShoppers != nil
    }

    /// The options as the refusals of commands that fit no blend name them.
    static let names = "--knn, --learn-window(s), --learn-step, --history-half-life, --popular-candidates and --learn-shoppers"

    /// The comparison of methods on `split` with these settings and `als`'s (its seed included).
    func comparison(on split: TimeSplit, als: ALSOptions) -> MethodComparison {
        let s = settings
        return MethodComparison(
            split: split, configuration: als.configuration, weighting: als.weighting, knnNeighbours: s.knn,
            learnWindow: s.learnWindow, learnWindows: s.learnWindows, learnStep: s.learnStep, historyHalfLife: s.historyHalfLife,
            popularCandidates: s.popularCandidates, learnShoppers: s.learnShoppers)
    }

    /// The model file extensions that store `blend` with these feature settings.
    func extensions(for blend: LogisticBlend) -> [String: [UInt8]] {
        let s = settings
        return LearnedVenueRanker.extensions(
            for: blend, knnNeighbours: s.knn, historyHalfLife: s.historyHalfLife, popularCandidates: s.popularCandidates)
    }

    /// One line for people: what the blend was fitted on, and its weights.
    func summary(of learned: (blend: LogisticBlend, rows: Int, positives: Int), note: String = "") -> String {
        "venue blend\(note) fitted on \(learned.rows) candidates (\(learned.positives) bought) in \(settings.learnWindows) windows: "
            + zip(BlendFeatures.names, learned.blend.weights).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", ")
    }
}
