import ArgumentParser
import Foundation
import VenueKit

/// `venue evaluate`: ranking quality of ALS on a random per-interaction holdout.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Train on a random holdout split and report Recall@K and NDCG@K (train pairs filtered)."
    )

    @OptionGroup var input: EventInputOptions
    @OptionGroup var als: ALSOptions

    @Option(help: "Share of interactions held out for testing.")
    var holdout = 0.2

    @Option(help: "Seed of the split.")
    var splitSeed: UInt64 = 42

    @Option(name: .short, help: "Cut-offs, comma separated.")
    var k = "50"

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let cutoffs = k.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !cutoffs.isEmpty else { throw ValidationError("-k needs one or more integers") }
        let log = try input.read()
        let split = HoldoutSplit(InteractionMatrix(log: log, weighting: als.weighting), fraction: holdout, seed: splitSeed)
        let (model, reports) = try trainModel(split.train, als, quiet: json)
        var metrics = cutoffs.map { RankingMetrics(k: $0) }
        let train = split.train.byShopper
        let test = split.test.byShopper
        let ranker = BrandRanker(
            brands: BrandTable(model.brandFactors), rules: RankingRules(excludeOwned: true), signals: ShopperSignals(owned: train))
        var workspace = ranker.makeWorkspace()
        ranker.rankBlocks(cutoffs.max()!, shopperFactors: model.shopperFactors, rows: 0..<test.rows, workspace: &workspace) { u, ranked in
            guard test.count(ofRow: u) > 0 else { return }
            let relevant = Set(test.columnIndices[test.range(ofRow: u)].map(Int.init))
            let brands = ranked.brands.map(Int.init)
            for i in metrics.indices { metrics[i].add(ranked: brands, relevantCount: relevant.count, isRelevant: relevant.contains) }
        }
        if json {
            let fields = metrics.map { "\"recall@\($0.k)\":\($0.recall),\"ndcg@\($0.k)\":\($0.ndcg),\"precision@\($0.k)\":\($0.precision)" }
            print(
                "{\"method\":\"als\",\"eval_shoppers\":\(metrics[0].shoppers),\"train_nnz\":\(train.nonzeroCount),\"test_nnz\":\(test.nonzeroCount),"
                    + "\"seconds_per_iteration\":\(median(reports.map(\.seconds))),\(fields.joined(separator: ","))}")
        } else {
            print("| K | Recall@K | NDCG@K | Precision@K |\n|---|---|---|---|")
            for m in metrics { print(String(format: "| %d | %.4f | %.4f | %.4f |", m.k, m.recall, m.ndcg, m.precision)) }
            print("(\(metrics[0].shoppers) shoppers with held-out pairs; \(train.nonzeroCount) train / \(test.nonzeroCount) test pairs)")
        }
    }
}
