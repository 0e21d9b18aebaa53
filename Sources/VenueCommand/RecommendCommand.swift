import ArgumentParser
import Foundation
import VenueKit

/// `venue recommend`: the top brands of one shopper.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print a shopper's top brands by factor score."
    )

    @Option(help: "The model file.")
    var model: String

    @Option(help: "The shopper id.")
    var shopper: String

    @Option(name: .short, help: "How many brands.")
    var k = 20

    func run() throws {
        let loaded: FactorModel
        do {
            loaded = try ModelFile.read(path: model)
        } catch {
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        guard let row = loaded.shopperIDs.index(of: shopper) else {
            standardError("error: shopper \(shopper) is not in \(model) (\(loaded.shopperIDs.count) shoppers)")
            throw ExitCode(1)
        }
        var scorer = FactorScorer(model: loaded)
        for (rank, item) in scorer.top(k, forShopper: row).enumerated() {
            print("\(rank + 1)\t\(loaded.brandIDs[item.brand])\t\(String(format: "%.5f", item.score))")
        }
    }
}
