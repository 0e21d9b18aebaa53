import Benchmark
import Foundation
import VenueKit

/// A synthetic size-a-like matrix: 20k shoppers × 2k brands, ~500k pairs, power-law brands.
let world: InteractionMatrix = {
    var random = SeededRandom(seed: 42)
    var log = EventLog()
    log.reserveCapacity(520_000)
    for u in 0..<20_000 {
        let activity = 5 + random.below(45)
        for _ in 0..<activity {
            let brand = Int(Double(2_000) * pow(random.unit(), 2.5))
            log.append(shopper: "s\(u)", brand: "b\(brand)", kind: .purchase, value: 1)
        }
    }
    return InteractionMatrix(log: log)
}()

func configuration(_ solver: ALSConfiguration.Solver, iterations: Int = 1) -> ALSConfiguration {
    var c = ALSConfiguration()
    c.solver = solver
    c.iterations = iterations
    c.threads = 2
    return c
}

let trained: FactorModel = try! ImplicitALS(configuration(.cg, iterations: 5)).train(world)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(10)

    Benchmark("Train.cg.iteration.20k", configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxIterations: 10)) { _ in
        blackHole(try ImplicitALS(configuration(.cg)).train(world))
    }

    Benchmark("Train.exact.iteration.20k", configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxIterations: 10)) { _ in
        blackHole(try ImplicitALS(configuration(.exact)).train(world))
    }

    // One shopper with 25 brands folded in against 2k × 64 brand factors.
    Benchmark(
        "FoldIn.exact.25brands.f64", configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxIterations: 100_000)
    ) { benchmark in
        var foldIn = FoldIn(model: trained)
        let brands = (0..<25).map { Int32($0 * 70) }
        let strengths = [Float](repeating: 5, count: 25)
        blackHole(try foldIn.factors(brands: brands, strengths: strengths))  // its buffers grown, as in a server
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try foldIn.factors(brands: brands, strengths: strengths))
        }
    }

    // The same, into one output buffer reused from call to call: no allocation per fold-in.
    Benchmark(
        "FoldIn.exact.25brands.f64.into",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxIterations: 100_000)
    ) { benchmark in
        var foldIn = FoldIn(model: trained)
        let brands = (0..<25).map { Int32($0 * 70) }
        let strengths = [Float](repeating: 5, count: 25)
        var x: [Float] = []
        try foldIn.factors(brands: brands, strengths: strengths, into: &x)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try foldIn.factors(brands: brands, strengths: strengths, into: &x)
            blackHole(x)
        }
    }
}
