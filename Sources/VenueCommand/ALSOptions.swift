import ArgumentParser
import Foundation
import VenueKit

extension ALSConfiguration.Solver: ExpressibleByArgument {}

/// Hyperparameters of training, shared by `train` and `evaluate`.
struct ALSOptions: ParsableArguments {
    @Option(help: "Latent factors.")
    var factors = 64

    @Option(help: "ALS iterations.")
    var iterations = 15

    @Option(help: "λ, the regularisation.")
    var regularization: Float = 0.01

    @Option(help: "ν: scale λ by (interactions of the row)^ν (0: plain λ).")
    var regularizationExponent: Float = 0

    @Option(help: "α of the confidence c = 1 + α·r (or 1 + α·log(1 + r/ε) with --epsilon).")
    var alpha: Float = 10

    @Option(help: "ε of the log confidence; setting it selects c = 1 + α·log(1 + r/ε).")
    var epsilon: Float?

    @Option(help: "Row solver: cg or exact.")
    var solver: ALSConfiguration.Solver = .cg

    @Option(help: "Conjugate-gradient steps per row.")
    var cgSteps = 3

    @Option(help: "Worker threads; the default is one per core.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seed of the initial factors.")
    var seed: UInt64 = 42

    @Option(help: "Halve an event's weight every this many days before the last event (off by default).")
    var halfLife: Double?

    func validate() throws {
        if let halfLife, !(halfLife > 0 && halfLife.isFinite) { throw ValidationError("--half-life is a positive number of days") }
        let problems = configuration.problems
        guard problems.isEmpty else { throw ValidationError("ALS settings: " + problems.joined(separator: "; ")) }
    }

    var configuration: ALSConfiguration {
        var c = ALSConfiguration()
        c.factors = factors
        c.iterations = iterations
        c.regularization = regularization
        c.regularizationExponent = regularizationExponent
        c.confidence = epsilon.map { .logarithmic(alpha: alpha, epsilon: $0) } ?? .linear(alpha: alpha)
        c.solver = solver
        c.cgSteps = cgSteps
        c.threads = threads
        c.seed = seed
        return c
    }

    /// The most ALS seeds `--seeds` takes: each one trains every model again.
    static let mostSeeds = 1_000

    /// `count` seeds from ``seed`` on (`seed`, `seed + 1`, …): one ALS initialisation each, for
    /// results averaged over initialisations.
    func seedSequence(_ count: Int) -> [UInt64] { (0..<count).map { seed &+ UInt64($0) } }

    /// These options with ``seed`` replaced by `seed`: one run of ``seedSequence(_:)``.
    func seeded(_ seed: UInt64) -> ALSOptions {
        var options = self
        options.seed = seed
        return options
    }

    var weighting: EventWeighting {
        var w = EventWeighting()
        w.halfLifeDays = halfLife
        return w
    }
}

/// Trains, printing one line per iteration unless `quiet`; reports training errors and exits 1.
func trainModel(_ matrix: InteractionMatrix, _ options: ALSOptions, quiet: Bool) throws -> (FactorModel, [IterationReport]) {
    var reports: [IterationReport] = []
    let iterations = options.iterations
    do {
        let model = try ImplicitALS(options.configuration).train(matrix, weighting: options.weighting) { report in
            reports.append(report)
            if !quiet {
                standardError(
                    String(
                        format: "iteration %2d/%d  %7.3f s  loss %.6e  (normalised %.6f)",
                        report.iteration, iterations, report.seconds, report.loss, report.normalizedLoss))
            }
        }
        return (model, reports)
    } catch {
        standardError("error: \(error)")
        throw ExitCode(1)
    }
}

/// The median of `values` (0 when empty).
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
