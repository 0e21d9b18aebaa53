import Benchmark
import Foundation
import VenueKit

/// One million generic event rows, generated once (deterministic), parsed from memory.
let millionRows: Data = {
    var random = SeededRandom(seed: 7)
    let kinds = ["click", "click", "click", "click", "favorite", "follow", "cart", "purchase"]
    var text = "shopper,brand,event,time\n"
    text.reserveCapacity(40_000_000)
    for _ in 0..<1_000_000 {
        let day = 1 + random.below(28)
        text +=
            "s\(random.below(200_000)),b\(random.below(10_000)),\(kinds[random.below(kinds.count)]),2026-10-\(day < 10 ? "0" : "")\(day)\n"
    }
    return Data(text.utf8)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(10)
    Benchmark.defaultConfiguration.maxIterations = 20

    Benchmark("Ingest.generic.1M", configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident])) { benchmark in
        let file = MappedFile(path: "memory.csv", contents: millionRows)
        benchmark.startMeasurement()
        let log = try EventReader(format: .generic).read(file)
        blackHole(log.count)
    }

    Benchmark("Ingest.csr.1M", configuration: .init(metrics: [.wallClock, .mallocCountTotal])) { benchmark in
        let log = try EventReader(format: .generic).read(MappedFile(path: "memory.csv", contents: millionRows))
        benchmark.startMeasurement()
        blackHole(InteractionMatrix(log: log).nonzeroCount)
    }
}
