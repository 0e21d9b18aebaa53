import ArgumentParser
import Dispatch
import Foundation
import VenueKit

extension BrandTable.Precision: ExpressibleByArgument {}

/// `venue bench`: measurements on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ranking speed on this machine.",
        subcommands: [RankBenchCommand.self]
    )
}

/// `venue bench rank`: single-shopper latency and batch throughput of top-K ranking on random
/// factors, one JSON line.
struct RankBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Top-K ranking latency (one shopper) and throughput (all shoppers) on random factors.",
        discussion: """
            Filtered means the shopper's own brands (about 25 each) and the 5% of brands out of the \
            sale are left out inside selection. Prints one JSON line, with the machine's sgemm \
            GFLOP/s measured in the same run.
            """
    )

    @Option(help: "Brands.") var brands = 10_000
    @Option(help: "Factors.") var factors = 64
    @Option(name: .short, help: "Brands per shopper.") var k = 50
    @Option(help: "Single-shopper queries timed (each filtered and unfiltered).") var queries = 5_000
    @Option(help: "Shoppers ranked in the batch measurement.") var shoppers = 200_000
    @Option(help: "Worker threads for the batch measurement.") var threads = 2
    @Option(help: "Brand table storage: float32 or float16.") var precision: BrandTable.Precision = .float32
    @Option(help: "Shoppers per block in the batch path.") var blockSize = BrandRanker.defaultBlockSize
    @Option(help: "Random seed.") var seed: UInt64 = 42

    func validate() throws {
        guard brands > 0, factors > 0, k > 0, queries > 0, shoppers > 0, threads > 0, blockSize > 0 else {
            throw ValidationError("sizes, k and threads must be positive")
        }
        // The random problem holds both factor matrices in float32, and each worker a block of
        // scores; refuse what cannot fit rather than fail an allocation.
        let bytes =
            4 * Double(factors) * (Double(brands) + Double(max(shoppers, queries)))
            + 4 * Double(threads) * Double(min(blockSize, shoppers)) * Double(brands)
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= memory else {
            throw ValidationError(
                String(format: "this problem needs at least %.1f GB, more than this machine's %.1f GB", bytes / 1e9, memory / 1e9))
        }
    }

    func run() throws {
        let problem = SyntheticRankingProblem(brands: brands, shoppers: max(shoppers, queries), factors: factors, seed: seed)
        let table = BrandTable(problem.brandFactors, precision: precision)
        let unfiltered = BrandRanker(brands: table)
        let rules = RankingRules(eligible: problem.eligible, excludeOwned: true)
        let filtered = BrandRanker(brands: table, rules: rules, signals: ShopperSignals(owned: problem.owned))

        // One shopper at a time, the brand table split over `threads` cores (SplitRanker), and on
        // one core for comparison.
        let single = BLASThreads.with(1) {
            (
                unfiltered: latencies(SplitRanker(unfiltered, threads: threads), problem),
                filtered: latencies(SplitRanker(filtered, threads: threads), problem),
                filteredOneCore: latencies(SplitRanker(filtered, threads: 1), problem)
            )
        }
        let batch = throughput(filtered, problem)
        let batchUnfiltered = throughput(unfiltered, problem)
        var fields = [
            "\"brands\":\(brands)", "\"factors\":\(factors)", "\"k\":\(k)", "\"precision\":\"\(precision)\"",
            "\"threads\":\(threads)", "\"block_size\":\(blockSize)", "\"queries\":\(queries)",
            "\"single_unfiltered\":\(single.unfiltered)", "\"single_filtered\":\(single.filtered)",
            "\"single_filtered_1thread\":\(single.filteredOneCore)",
            "\"batch_shoppers\":\(shoppers)",
            "\"batch_filtered_shoppers_per_sec\":\(rounded(batch, places: 1))",
            "\"batch_unfiltered_shoppers_per_sec\":\(rounded(batchUnfiltered, places: 1))",
            "\"sgemm_gflops\":\(rounded(sgemmGFLOPS(), places: 1))",
            "\"brand_table_bytes\":\(table.byteCount)",
            "\"kernels\":\"\(InstructionSet.current)\(RankingKernels.usesF16C ? "+f16c" : "")\"",
        ]
        if precision == .float16 {
            let reference = BrandRanker(
                brands: BrandTable(problem.brandFactors), rules: rules, signals: ShopperSignals(owned: problem.owned))
            fields.append("\"recall_agreement_vs_float32\":\(agreement(filtered, reference, problem))")
        }
        print("{" + fields.joined(separator: ",") + "}")
    }

    /// p50/p99/p999 and mean in µs of `queries` single-shopper rankings, after a warm-up.
    private func latencies(_ ranker: SplitRanker, _ problem: SyntheticRankingProblem) -> String {
        var output = RankedBrands()
        var nanoseconds = [Double](repeating: 0, count: queries)
        problem.shopperFactors.withUnsafeBufferPointer { x in
            // Warm up for at least 200 queries and a quarter of a second, so the scheduler has
            // settled the helper threads on their own cores before anything is timed.
            let warmUpEnd = DispatchTime.now().uptimeNanoseconds + 250_000_000
            var q = 0
            while q < 200 || DispatchTime.now().uptimeNanoseconds < warmUpEnd {
                ranker.rank(k, factors: x.baseAddress! + q % queries * factors, shopper: q % queries, into: &output)
                q += 1
            }
            for q in 0..<queries {
                let start = DispatchTime.now().uptimeNanoseconds
                ranker.rank(k, factors: x.baseAddress! + q * factors, shopper: q, into: &output)
                nanoseconds[q] = Double(DispatchTime.now().uptimeNanoseconds - start)
            }
        }
        let sorted = nanoseconds.sorted()
        func percentile(_ p: Double) -> Double { quantile(ofSorted: sorted, p / 100) / 1000 }
        let mean = sorted.reduce(0, +) / Double(sorted.count) / 1000
        return
            "{\"p50_us\":\(rounded(percentile(50), places: 2)),\"p99_us\":\(rounded(percentile(99), places: 2)),\"p999_us\":\(rounded(percentile(99.9), places: 2)),\"mean_us\":\(rounded(mean, places: 2))}"
    }

    /// Shoppers per second ranking the first `shoppers` rows on `threads` workers (best of 2).
    private func throughput(_ ranker: BrandRanker, _ problem: SyntheticRankingProblem) -> Double {
        let rows = Matrix(rows: shoppers, columns: factors, storage: Array(problem.shopperFactors.storage.prefix(shoppers * factors)))
        var best = 0.0
        for _ in 0..<2 {
            var ranked = 0
            let start = DispatchTime.now().uptimeNanoseconds
            ranker.rankAll(k, shopperFactors: rows, threads: threads, blockSize: blockSize, produce: { $0.shoppers.count }) { ranked += $0 }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            precondition(ranked == shoppers)
            best = max(best, Double(shoppers) / seconds)
        }
        return best
    }

    /// Mean share of the reference's top K that `ranker` also returns, over the queries.
    private func agreement(_ ranker: BrandRanker, _ reference: BrandRanker, _ problem: SyntheticRankingProblem) -> Double {
        var a = ranker.makeWorkspace(blockSize: 1)
        var b = reference.makeWorkspace(blockSize: 1)
        var mine = RankedBrands()
        var theirs = RankedBrands()
        var total = 0.0
        problem.shopperFactors.withUnsafeBufferPointer { x in
            for q in 0..<queries {
                ranker.rank(k, factors: x.baseAddress! + q * factors, shopper: q, workspace: &a, into: &mine)
                reference.rank(k, factors: x.baseAddress! + q * factors, shopper: q, workspace: &b, into: &theirs)
                let wanted = Set(theirs.brands)
                total += Double(mine.brands.filter(wanted.contains).count) / Double(max(1, wanted.count))
            }
        }
        return rounded(total / Double(queries), places: 4)
    }

    /// sgemm GFLOP/s on a 1024³ product at `threads` threads (best of 3).
    private func sgemmGFLOPS() -> Double {
        let n = 1024
        let a = Matrix(rows: n, columns: n, repeating: 0.5)
        var c = Matrix(rows: n, columns: n)
        var best = 0.0
        BLASThreads.with(threads) {
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                BLAS.gemm(.none, a, .none, a, into: &c)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                best = max(best, 2 * Double(n * n * n) / seconds / 1e9)
            }
        }
        return best
    }

}
