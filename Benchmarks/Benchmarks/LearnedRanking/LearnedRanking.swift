import Benchmark
import Foundation
import VenueKit

/// A learned-blend ranker over a synthetic marketplace of `shoppers` shoppers and 1,000 brands, as
/// of the day after its last event: ALS trained on its events and a blend made by hand (history,
/// factor score, popularity; fitting one is `venue evaluate`'s job, not what is timed here).
func blendRanker(shoppers: Int) -> LearnedVenueRanker {
    var configuration = SyntheticMarketplace.Configuration()
    configuration.shoppers = shoppers
    configuration.brands = 1_000
    let folder = NSTemporaryDirectory() + "venue-learned-benchmark-\(ProcessInfo.processInfo.processIdentifier)-\(shoppers)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    do {
        try SyntheticMarketplace(configuration).write(to: folder)
        let log = try EventReader(format: .generic).read(MappedFile(path: folder + "/events.csv"))
        let model = try ImplicitALS().train(InteractionMatrix(log: log))
        var weights = [Double](repeating: 0, count: BlendFeatures.names.count)
        for (name, weight) in [("bias", -3.0), ("own_history", 1), ("in_history", 0.5), ("factor", 2), ("popularity", 0.3)] {
            weights[BlendFeatures.names.firstIndex(of: name)!] = weight
        }
        let blend = LogisticBlend(weights: weights, means: weights.map { _ in 0 }, scales: weights.map { _ in 1 })
        let cut = (log.times.max()! / CalendarTime.secondsPerDay + 1) * CalendarTime.secondsPerDay
        return LearnedVenueRanker(log: log, cut: cut, model: model, blend: blend)
    } catch {
        fatalError("the synthetic world: \(error)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(10)
    Benchmark.defaultConfiguration.maxIterations = 20

    // Every shopper's top 50 by the learned blend (`venue recommend --all --blend`), on one
    // worker, each block's lists only counted. The batch path allocates nothing per shopper once
    // the worker's buffers have grown, so 8,000 shoppers make about as many allocations as 2,000.
    for shoppers in [2_000, 8_000] {
        Benchmark("Rank.blend.all.\(shoppers).1k", configuration: .init(metrics: [.wallClock, .mallocCountTotal])) { benchmark in
            let ranker = blendRanker(shoppers: shoppers)
            var total = 0
            benchmark.startMeasurement()
            ranker.rankAll(50, threads: 1, produce: { block in block.shoppers.reduce(0) { $0 + block[$1].count } }) { total += $0 }
            benchmark.stopMeasurement()
            blackHole(total)
        }
    }
}
