import VenueInteractions
import VenueLinearAlgebra

/// Top-K brands per shopper: factor scores (one `sgemv` per shopper, or one `sgemm` per block of
/// shoppers), plus rules and per-shopper signals, selected without sorting all brands.
///
/// Selection scans the score row in growing chunks; a vectorised kernel passes on only scores
/// above the current K-th best (with the base of ``RankingRules`` added on the fly), and a
/// quickselect compacts the candidates whenever 2K have gathered. Expected cost beyond scoring:
/// O(brands + K log(brands/K) + K log K). Ties go to the lower brand index, so results are deterministic, and equal
/// on any thread count (blocks are fixed, OpenBLAS runs single-threaded in workers).
public struct BrandRanker: Sendable {
    /// The brand table scored against.
    public let brands: BrandTable
    /// Rules shared by all shoppers.
    public let rules: RankingRules
    /// Per-shopper rows (indexed like the shopper factor rows passed to the ranking calls).
    public let signals: ShopperSignals
    private let base: [Float]?

    /// A ranker over `brands`.
    public init(brands: BrandTable, rules: RankingRules = RankingRules(), signals: ShopperSignals = ShopperSignals()) {
        if let owned = signals.owned {
            precondition(owned.columns == brands.count, "owned rows span \(owned.columns) brands, not \(brands.count)")
        }
        if let boosts = signals.boosts {
            precondition(boosts.columns == brands.count, "boost rows span \(boosts.columns) brands, not \(brands.count)")
        }
        self.brands = brands
        self.rules = rules
        self.signals = signals
        base = rules.base(brandCount: brands.count)
    }

    /// Scratch for one thread: score rows, candidates, the heap. Reused across calls.
    public struct Workspace: Sendable {
        var scores: [Float]
        var widened: [Float] = []
        var pool = CandidatePool()
        var ranked = RankedBrands()
        /// Shoppers scored per `sgemm` call.
        public let blockSize: Int

        /// Scratch for blocks of up to `blockSize` shoppers over `brandCount` brands.
        public init(brandCount: Int, blockSize: Int = BrandRanker.defaultBlockSize) {
            self.blockSize = max(1, blockSize)
            scores = [Float](repeating: 0, count: brandCount * self.blockSize)
        }
    }

    /// Shoppers per block in the batch path. 256 shoppers × 10k brands is 10 MiB of scores per
    /// worker. On the 2-core reference machine, 256 and 512 ranked fastest: each `sgemm` call
    /// repacks the whole brand table, and larger blocks spread that cost over more shoppers.
    /// Blocks of 64 were 5–20% slower.
    public static let defaultBlockSize = 256

    /// A workspace sized for this ranker.
    public func makeWorkspace(blockSize: Int = BrandRanker.defaultBlockSize) -> Workspace {
        Workspace(brandCount: brands.count, blockSize: blockSize)
    }

    /// The best `k` brands for the factor vector `x` of `shopper` (its row in ``signals``; `nil`
    /// for a shopper without one, e.g. a cold start), written into `output`.
    /// O(brands · factors) for scoring plus selection.
    public func rank(
        _ k: Int, factors x: UnsafePointer<Float>, shopper: Int?, workspace: inout Workspace, into output: inout RankedBrands
    ) {
        workspace.scores.withUnsafeMutableBufferPointer { scores in
            brands.score(x, alpha: rules.factorWeight, into: scores.baseAddress!)
        }
        select(k, row: 0, shopper: shopper, workspace: &workspace)
        swap(&output, &workspace.ranked)
    }

    /// ``rank(_:factors:shopper:workspace:into:)`` for a factor array.
    public func rank(_ k: Int, factors x: [Float], shopper: Int?, workspace: inout Workspace, into output: inout RankedBrands) {
        precondition(x.count == brands.factors, "factor vector has \(x.count) elements, expected \(brands.factors)")
        x.withUnsafeBufferPointer { rank(k, factors: $0.baseAddress!, shopper: shopper, workspace: &workspace, into: &output) }
    }

    /// Ranks shopper rows `rows` of `shopperFactors` (also their rows in ``signals``) a block at a
    /// time — one `sgemm` per block of ``Workspace/blockSize`` — calling `body(shopper, ranked)`
    /// in row order. O(rows · brands · factors).
    public func rankBlocks(
        _ k: Int, shopperFactors: Matrix, rows: Range<Int>, workspace: inout Workspace,
        _ body: (Int, RankedBrands) throws -> Void
    ) rethrows {
        precondition(
            shopperFactors.columns == brands.factors, "shopper factors have \(shopperFactors.columns) columns, expected \(brands.factors)")
        var start = rows.lowerBound
        while start < rows.upperBound {
            let m = min(workspace.blockSize, rows.upperBound - start)
            shopperFactors.withUnsafeBufferPointer { x in
                workspace.scores.withUnsafeMutableBufferPointer { scores in
                    brands.scoreBlock(
                        x.baseAddress! + start * brands.factors, shoppers: m, alpha: rules.factorWeight,
                        into: scores.baseAddress!, widened: &workspace.widened)
                }
            }
            for i in 0..<m {
                select(k, row: i, shopper: start + i, workspace: &workspace)
                try body(start + i, workspace.ranked)
            }
            start += m
        }
    }

    /// Ranks every row of `shopperFactors` on `threads` workers, a block of `blockSize` shoppers
    /// at a time, with `produce` turning each block's results into an output (say, JSON lines)
    /// in parallel and `consume` receiving the outputs in shopper order, one at a time (see
    /// ``ParallelChunks/stream(threads:window:makeWorker:produce:consume:)``).
    /// Memory: a few blocks of results per worker, however many shoppers.
    public func rankAll<Output>(
        _ k: Int, shopperFactors: Matrix, threads: Int, blockSize: Int = BrandRanker.defaultBlockSize,
        produce: @Sendable (RankedBlock) -> Output,
        consume: (Output) throws -> Void
    ) rethrows {
        let chunks = ParallelChunks(rowCount: shopperFactors.rows, chunkSize: blockSize)
        let ranker = self
        try chunks.stream(
            threads: threads,
            makeWorker: { (ranker.makeWorkspace(blockSize: blockSize), RankedBlock()) },
            produce: { worker, _, chunk in
                worker.1.reset(shoppers: chunk)
                ranker.rankBlocks(k, shopperFactors: shopperFactors, rows: chunk, workspace: &worker.0) { _, ranked in
                    worker.1.append(ranked)
                }
                return produce(worker.1)
            },
            consume: consume)
    }

    /// Applies the shopper's signals to score row `row` of the workspace and selects from it.
    private func select(_ k: Int, row: Int, shopper: Int?, workspace: inout Workspace) {
        select(k, row: row, brands: 0..<brands.count, shopper: shopper, workspace: &workspace)
    }

    /// Applies the shopper's signals to the brands in `range` of score row `row` and selects the
    /// best `k` of them into `workspace.ranked` (brand indices over the whole table).
    func select(_ k: Int, row: Int, brands range: Range<Int>, shopper: Int?, workspace: inout Workspace) {
        let n = brands.count
        workspace.scores.withUnsafeMutableBufferPointer { all in
            let scores = all.baseAddress! + row * n
            if let shopper {
                if let boosts = signals.boosts {
                    for j in boosts.range(ofRow: shopper) where range.contains(Int(boosts.columnIndices[j])) {
                        scores[Int(boosts.columnIndices[j])] += boosts.values[j]
                    }
                }
                if rules.excludeOwned, let owned = signals.owned {
                    for j in owned.range(ofRow: shopper) where range.contains(Int(owned.columnIndices[j])) {
                        scores[Int(owned.columnIndices[j])] = -.infinity
                    }
                }
            }
            base.withUnsafeBufferPointerIfPresent { base in
                workspace.pool.select(
                    k, scores: scores + range.lowerBound, base: base.map { $0 + range.lowerBound }, count: range.count,
                    first: range.lowerBound, into: &workspace.ranked)
            }
        }
    }

    /// Scores the brands in `range` for `x` into row 0 of the workspace and selects the best `k`
    /// of them into `workspace.ranked`: one part of a split ranking (``SplitRanker``).
    func rankPart(_ k: Int, factors x: UnsafePointer<Float>, shopper: Int?, brands range: Range<Int>, workspace: inout Workspace) {
        workspace.scores.withUnsafeMutableBufferPointer { scores in
            brands.score(x, alpha: rules.factorWeight, brands: range, into: scores.baseAddress!)
        }
        select(k, row: 0, brands: range, shopper: shopper, workspace: &workspace)
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with the array's base address, or `nil`.
    fileprivate func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
        guard let array = self else { return try body(nil) }
        return try array.withUnsafeBufferPointer { try body($0.baseAddress) }
    }
}
