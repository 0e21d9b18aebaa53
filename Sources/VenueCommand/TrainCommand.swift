import ArgumentParser
import Foundation
import VenueKit

/// `venue train`: implicit ALS on an events file, written as a model file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train implicit ALS on an events file and write the model.",
        discussion: """
            With --learn-blend, the learned venue blend is fitted too, on the --learn-windows \
            windows before the last day trained on (the same fit as venue evaluate's venue method), \
            and saved in the model for venue generate --learned-blend and venue recommend --blend.
            """
    )

    @OptionGroup var input: EventInputOptions
    @OptionGroup var als: ALSOptions
    @OptionGroup var blendOptions: BlendOptions

    @Option(
        help: ArgumentHelp("Train on events up to and including this day (default: all of them).", valueName: DayArgument.valueName))
    var until: DayArgument?

    @Flag(help: "Also fit the learned venue blend and save it in the model.")
    var learnBlend = false

    @Option(help: "Where to write the model.")
    var model: String

    @Flag(help: "Print one JSON line with the results at the end.")
    var json = false

    func validate() throws {
        if !learnBlend, blendOptions.given { throw ValidationError("\(BlendOptions.names) apply with --learn-blend") }
        try OutputPath.validateFile(model, option: "--model")
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        var log = try input.read(threads: als.threads)
        var readSeconds = (clock.now - start).secondsValue
        var blend: LogisticBlend?
        if until != nil || learnBlend {
            // Through the day asked for, or the last day with events: a cut as venue evaluate's.
            guard let last = log.latestTime() else {
                standardError("error: \(input.events): no event has a time, so there is no day to train until")
                throw ExitCode(1)
            }
            let split = TimeSplit(log, trainUntil: until?.start ?? last)
            guard split.train.count > 0 else {
                standardError("error: no events at or before \(until?.description ?? "") to train on")
                throw ExitCode(1)
            }
            log = split.train
            if learnBlend {
                let fitting = clock.now
                let learned: (blend: LogisticBlend, rows: Int, positives: Int)
                do {
                    learned = try blendOptions.comparison(on: split, als: als).learnBlend()
                } catch {
                    standardError("error: \(error)")
                    throw ExitCode(1)
                }
                standardError(blendOptions.summary(of: learned) + String(format: " (%.1f s)", (clock.now - fitting).secondsValue))
                blend = learned.blend
            }
        }
        let building = clock.now
        let matrix = InteractionMatrix(log: log, weighting: als.weighting)
        readSeconds += (clock.now - building).secondsValue
        standardError(
            "\(matrix.shopperCount) shoppers × \(matrix.brandCount) brands, \(matrix.nonzeroCount) pairs (read in \(String(format: "%.2f", readSeconds)) s)"
        )
        var (trained, reports) = try trainModel(matrix, als, quiet: false)
        // Shoppers with no events up to --until are left out, so pages fold them in from their events.
        trained = trained.droppingShoppersWithoutInteractions(in: matrix)
        if matrix.shopperCount > trained.shopperIDs.count {
            let left = matrix.shopperCount - trained.shopperIDs.count
            standardError("\(left) shopper\(left == 1 ? "" : "s") without events to train on left out of the model")
        }
        if let blend { trained.extensions.merge(blendOptions.extensions(for: blend)) { $1 } }
        do {
            try ModelFile.write(trained, to: model)
        } catch {
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        let perIteration = median(reports.map(\.seconds))
        if reports.isEmpty {
            standardError("no iterations: the model holds the initial factors (seed \(als.seed)); written to \(model)")
        } else {
            standardError(String(format: "median %.3f s/iteration; model written to %@", perIteration, model))
        }
        if json {
            let last = reports.last
            print(
                "{\"seconds_per_iteration\":\(perIteration),\"iteration_seconds\":[\(reports.map { String($0.seconds) }.joined(separator: ","))],"
                    + "\"loss\":\(last?.loss ?? 0),\"normalized_loss\":\(last?.normalizedLoss ?? 0),"
                    + "\"shoppers\":\(matrix.shopperCount),\"brands\":\(matrix.brandCount),\"nnz\":\(matrix.nonzeroCount),"
                    + "\"read_seconds\":\(readSeconds),\"solver\":\"\(als.solver)\",\"factors\":\(als.factors),\"threads\":\(als.threads),"
                    + "\"iterations\":\(reports.count),\"kernels\":\"\(InstructionSet.current)\",\"model\":\(jsonString(model))}"
            )
        }
    }
}
