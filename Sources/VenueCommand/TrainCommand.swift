import ArgumentParser
import Foundation
import VenueKit

/// `venue train`: implicit ALS on an events file, written as a model file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train implicit ALS on an events file and write the model."
    )

    @OptionGroup var input: EventInputOptions
    @OptionGroup var als: ALSOptions

    @Option(help: "Where to write the model.")
    var model: String

    @Flag(help: "Print one JSON line with the results at the end.")
    var json = false

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let log = try input.read()
        let matrix = InteractionMatrix(log: log, weighting: als.weighting)
        let readSeconds = (clock.now - start).secondsValue
        standardError(
            "\(matrix.shopperCount) shoppers × \(matrix.brandCount) brands, \(matrix.nonzeroCount) pairs (read in \(String(format: "%.2f", readSeconds)) s)"
        )
        let (trained, reports) = try trainModel(matrix, als, quiet: false)
        do {
            try ModelFile.write(trained, to: model)
        } catch {
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        let perIteration = median(reports.map(\.seconds))
        standardError(String(format: "median %.3f s/iteration; model written to %@", perIteration, model))
        if json {
            let last = reports.last
            print(
                "{\"seconds_per_iteration\":\(perIteration),\"iteration_seconds\":[\(reports.map { String($0.seconds) }.joined(separator: ","))],"
                    + "\"loss\":\(last?.loss ?? 0),\"normalized_loss\":\(last?.normalizedLoss ?? 0),"
                    + "\"shoppers\":\(matrix.shopperCount),\"brands\":\(matrix.brandCount),\"nnz\":\(matrix.nonzeroCount),"
                    + "\"read_seconds\":\(readSeconds),\"solver\":\"\(als.solver)\",\"factors\":\(als.factors),\"threads\":\(als.threads),"
                    + "\"iterations\":\(reports.count),\"kernels\":\"\(SparseRowKernels.usesAVX2 ? "avx2" : "portable")\",\"model\":\(jsonString(model))}"
            )
        }
    }
}
