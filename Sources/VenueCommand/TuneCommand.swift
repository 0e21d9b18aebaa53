import ArgumentParser
import Foundation
import VenueKit

/// `venue tune`: a small random search for the venue method's settings on a validation split
/// carved from the training period only.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search factors, λ, α, blend windows and history half-life on a validation split inside the training period.",
        discussion: """
            Validation: train on events up to --validation-days before --train-until, validate on \
            the purchases of the last --validation-days of the training period. The test window \
            after --train-until is never read. Scores each configuration by Recall@K + NDCG@K of \
            the venue method and prints the best as options for `venue evaluate`.
            """
    )

    @OptionGroup var input: EventInputOptions
    @OptionGroup var als: ALSOptions

    @Option(help: "The last day of the training period (YYYY-MM-DD).") var trainUntil: String
    @Option(help: "Days at the end of the training period used for validation.") var validationDays = 30
    @Option(help: "Configurations to try (random draws from the grid, the defaults first).") var trials = 12
    @Option(name: .short, help: "The cut-off scored.") var k = 20
    @Option(help: "Seed of the draws.") var searchSeed: UInt64 = 7
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard let cut = CalendarTime.parse(trainUntil) else { throw ValidationError("--train-until is YYYY-MM-DD") }
        let log = try input.read()
        let day: Int64 = 86_400
        let validationCut = cut - Int64(validationDays) * day
        let split = TimeSplit(log.through(cut + day - 1), trainUntil: validationCut, testFrom: validationCut + day, testUntil: cut)
        guard !split.test.isEmpty else {
            standardError("error: no purchases in the validation window")
            throw ExitCode(1)
        }
        let grid = (
            factors: [32, 64, 128], regularization: [Float(0.01), 0.1], alpha: [Float(5), 10, 20], windows: [1, 2],
            halfLife: [15.0, 30, 60]
        )
        var random = SeededRandom(seed: searchSeed)
        var configurations = [(64, Float(0.01), Float(10), 2, 30.0)]
        while configurations.count < trials {
            let c = (
                grid.factors[random.below(3)], grid.regularization[random.below(2)], grid.alpha[random.below(3)],
                grid.windows[random.below(2)],
                grid.halfLife[random.below(3)]
            )
            if !configurations.contains(where: { $0 == c }) { configurations.append(c) }
        }
        var results: [(configuration: (Int, Float, Float, Int, Double), recall: Double, ndcg: Double)] = []
        for c in configurations {
            var options = als
            options.factors = c.0
            options.regularization = c.1
            options.alpha = c.2
            let evaluation = MethodComparison(
                split: split, configuration: options.configuration, weighting: options.weighting, learnWindow: validationDays,
                learnWindows: c.3, historyHalfLife: c.4)
            let measured = evaluation.measure(try evaluation.rank(.venue, k: k), cutoffs: [k])[k]!
            results.append((c, measured.metrics.microRecall, measured.metrics.ndcg))
            if !json {
                standardError(
                    String(
                        format: "factors %3d  λ %.2f  α %4.1f  windows %d  half-life %3.0f  →  Recall@%d %.4f  NDCG@%d %.4f", c.0, c.1, c.2,
                        c.3, c.4,
                        k, measured.metrics.microRecall, k, measured.metrics.ndcg))
            }
        }
        let best = results.max { $0.recall + $0.ndcg < $1.recall + $1.ndcg }!
        let c = best.configuration
        let flags = "--factors \(c.0) --regularization \(c.1) --alpha \(c.2) --learn-windows \(c.3) --history-half-life \(Int(c.4))"
        if json {
            print(
                "{\"validation_train_until\":\"\(CalendarTime.isoDate(validationCut))\",\"validation_shoppers\":\(split.test.count),"
                    + "\"best\":{\"factors\":\(c.0),\"regularization\":\(c.1),\"alpha\":\(c.2),\"learn_windows\":\(c.3),\"history_half_life\":\(c.4),"
                    + "\"recall\":\(best.recall),\"ndcg\":\(best.ndcg)},\"trials\":\(results.count)}")
        } else {
            print("best on validation (train ≤ \(CalendarTime.isoDate(validationCut)), \(split.test.count) shoppers): \(flags)")
            print(String(format: "Recall@%d %.4f  NDCG@%d %.4f", k, best.recall, k, best.ndcg))
        }
    }
}
