import Benchmark
import VenueKit

/// 10k brands × 64 factors, 20k shoppers (about 25 owned brands each), 95% of brands in the sale.
let problem = SyntheticRankingProblem(brands: 10_000, shoppers: 20_000, factors: 64)

func ranker(_ precision: BrandTable.Precision, filtered: Bool) -> BrandRanker {
    BrandRanker(
        brands: BrandTable(problem.brandFactors, precision: precision),
        rules: filtered ? RankingRules(eligible: problem.eligible, excludeOwned: true) : RankingRules(),
        signals: ShopperSignals(owned: problem.owned))
}

/// Times `rank(factors, shopper, output)` for one shopper per scaled iteration, cycling through the
/// problem's shoppers, with OpenBLAS at one thread.
func measureShoppers(_ benchmark: Benchmark, _ rank: (UnsafePointer<Float>, Int, inout RankedBrands) -> Void) {
    var ranked = RankedBrands()
    BLASThreads.set(1)
    problem.shopperFactors.withUnsafeBufferPointer { x in
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let s = i % problem.shopperFactors.rows
            rank(x.baseAddress! + s * problem.shopperFactors.columns, s, &ranked)
            blackHole(ranked.count)
        }
        benchmark.stopMeasurement()
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(5)
    let metrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal]

    for (name, precision) in [("f32", BrandTable.Precision.float32), ("f16", .float16)] {
        for filtered in [false, true] {
            // One shopper per iteration, one OpenBLAS thread: the latency a request sees.
            Benchmark(
                "Rank.single.10k.f64.\(name)\(filtered ? ".filtered" : "")",
                configuration: .init(metrics: metrics, scalingFactor: .kilo)
            ) { benchmark in
                let ranker = ranker(precision, filtered: filtered)
                var workspace = ranker.makeWorkspace(blockSize: 1)
                measureShoppers(benchmark) { x, s, ranked in
                    ranker.rank(50, factors: x, shopper: s, workspace: &workspace, into: &ranked)
                }
            }
        }
        // One shopper per iteration, the brand table split over 2 cores (SplitRanker), filtered.
        Benchmark("Rank.single.10k.f64.\(name).filtered.split2", configuration: .init(metrics: metrics, scalingFactor: .kilo)) {
            benchmark in
            let split = SplitRanker(ranker(precision, filtered: true), threads: 2)
            measureShoppers(benchmark) { x, s, ranked in split.rank(50, factors: x, shopper: s, into: &ranked) }
        }
        // All 20k shoppers in blocks of 256 on 2 threads, own brands and the catalog filtered.
        Benchmark("Rank.batch.20k.10k.f64.\(name).filtered", configuration: .init(metrics: metrics, maxIterations: 10)) { benchmark in
            let ranker = ranker(precision, filtered: true)
            benchmark.startMeasurement()
            var total = 0
            ranker.rankAll(50, shopperFactors: problem.shopperFactors, threads: 2, blockSize: 256, produce: { $0.shoppers.count }) {
                total += $0
            }
            benchmark.stopMeasurement()
            blackHole(total)
        }
    }
}
