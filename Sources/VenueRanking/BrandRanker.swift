import VenueInteractions
import VenueLinearAlgebra

/// Top-K brands per shopper: factor scores plus rules and per-shopper signals, selected without
/// sorting all brands.
///
/// One shopper (``rank(_:factors:shopper:workspace:into:)``): a row kernel scores every brand, then
/// the K-th largest of small blocks' maxima gives a safe starting threshold, a vectorised scan
/// passes on only scores above it (with the base of ``RankingRules`` added on the fly), and a
/// quickselect compacts the candidates whenever 4K have gathered. Expected cost beyond scoring:
/// O(brands + K log(brands/K) + K log K). ``SplitRanker`` spreads one shopper over several cores.
///
/// Blocks of shoppers (``rankBlocks(_:shopperFactors:rows:workspace:_:)``, ``rankAll(_:shopperFactors:threads:blockSize:produce:consume:)``):
/// scoring and selection are fused, 6 shoppers × 16 brands at a time in registers, so no
/// shoppers × brands score matrix is written; each shopper starts from a threshold guessed from
/// the spread of its scores and is ranked again from scratch in the rare case the guess was too
/// high.
///
/// Ties go to the lower brand index, so results are deterministic, and equal on any thread count
/// (blocks are fixed, OpenBLAS runs single-threaded in workers).
public struct BrandRanker: Sendable {
    /// One ranked brand and its final score, as ``rankAll(_:shopperFactors:threads:blockSize:produce:consume:)``
    /// hands lists over.
    public typealias Entry = (brand: Int32, score: Float)

    /// The brand table scored against.
    public let brands: BrandTable
    /// Rules shared by all shoppers.
    public let rules: RankingRules
    /// Per-shopper rows (indexed like the shopper factor rows passed to the ranking calls).
    public let signals: ShopperSignals
    private let base: [Float]?
    private let distribution: ScoreDistribution

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
        distribution = ScoreDistribution(table: brands, alpha: rules.factorWeight, base: base)
    }

    /// Scratch for one thread: a score row, candidate lists, marks. Reused across calls.
    public struct Workspace: Sendable {
        var scores: [Float]
        var pool = CandidatePool()
        var ranked = RankedBrands()
        // The block path: half-precision panels widened a chunk at a time, and each shopper's
        // candidate keys.
        var widened: [Float] = []
        var keys: [UInt64] = []
        var counts: [Int64] = []
        var thresholds: [Float] = []
        var keep: [Int64] = []
        var starts: [Float] = []
        var moments: [Float] = []
        // Per-brand marks for one shopper's owned (1) and boosted (2) brands, cleared after use.
        var marks: [UInt8] = []
        var boostSums: [Float] = []
        var boosted: [Int32] = []
        /// Shoppers scored together in the batch path.
        public let blockSize: Int

        /// Scratch for blocks of up to `blockSize` shoppers over `brandCount` brands.
        public init(brandCount: Int, blockSize: Int = BrandRanker.defaultBlockSize) {
            self.blockSize = max(1, blockSize)
            scores = [Float](repeating: 0, count: brandCount)
        }
    }

    /// Shoppers per block in the batch path. Each block streams the brand table once (a packed
    /// chunk of 1024 brands at a time, from L2), so larger blocks read less; 256 shoppers × 64
    /// factors is 64 KiB of shopper rows.
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
        rankPart(k, factors: x, shopper: shopper, brands: 0..<brands.count, workspace: &workspace)
        swap(&output, &workspace.ranked)
    }

    /// The best `k` brands for the factor vector `x` of `shopper` (as
    /// ``rank(_:factors:shopper:workspace:into:)``), with buffers of its own: for a one-off query.
    /// A loop over shoppers keeps one workspace and one output instead, and allocates nothing per
    /// shopper. O(brands · factors) for scoring plus selection.
    public func rank(_ k: Int, factors x: [Float], shopper: Int? = nil) -> RankedBrands {
        var workspace = makeWorkspace(blockSize: 1)
        var ranked = RankedBrands()
        rank(k, factors: x, shopper: shopper, workspace: &workspace, into: &ranked)
        return ranked
    }

    /// ``rank(_:factors:shopper:workspace:into:)`` for a factor array.
    public func rank(_ k: Int, factors x: [Float], shopper: Int?, workspace: inout Workspace, into output: inout RankedBrands) {
        precondition(x.count == brands.factors, "factor vector has \(x.count) elements, expected \(brands.factors)")
        x.withUnsafeBufferPointer { rank(k, factors: $0.baseAddress!, shopper: shopper, workspace: &workspace, into: &output) }
    }

    /// Ranks shopper rows `rows` of `shopperFactors` (also their rows in ``signals``) a block at a
    /// time, calling `body(shopper, ranked)` in row order. Scoring and selection are fused: a tile
    /// of 6 shoppers × 16 brands is scored in registers and only scores that can still make a
    /// shopper's top K leave them, so the shoppers × brands score matrix is never written. Owned
    /// and boosted brands are settled afterwards from each shopper's short candidate list.
    /// O(rows · brands · factors).
    public func rankBlocks(
        _ k: Int, shopperFactors: Matrix, rows: Range<Int>, workspace: inout Workspace,
        _ body: (Int, RankedBrands) throws -> Void
    ) rethrows {
        precondition(
            shopperFactors.columns == brands.factors, "shopper factors have \(shopperFactors.columns) columns, expected \(brands.factors)")
        let k = min(max(0, k), brands.count)  // a list never holds more than every brand
        guard k > 0 else {
            workspace.ranked.resize(0)
            for shopper in rows { try body(shopper, workspace.ranked) }
            return
        }
        let m = min(workspace.blockSize, max(1, rows.count))  // a block never holds more than the rows
        if workspace.counts.count < m {
            workspace.counts = [Int64](repeating: 0, count: m)
            workspace.thresholds = [Float](repeating: 0, count: m)
            workspace.keep = [Int64](repeating: 0, count: m)
            workspace.starts = [Float](repeating: 0, count: m)
        }
        if brands.precision == .float16 && workspace.widened.count < RankingKernels.candidateScratch(factors: brands.factors) {
            workspace.widened = [Float](repeating: 0, count: RankingKernels.candidateScratch(factors: brands.factors))
        }
        var start = rows.lowerBound
        while start < rows.upperBound {
            let m = min(m, rows.upperBound - start)
            // Each shopper keeps K plus room for the brands settled afterwards.
            var widest = 0
            for i in 0..<m {
                let keep = k + extraCandidates(of: start + i)
                workspace.keep[i] = Int64(keep)
                widest = max(widest, keep)
            }
            let capacity = 4 * widest + 16
            if workspace.keys.count < m * capacity { workspace.keys = [UInt64](repeating: 0, count: m * capacity) }
            // A starting threshold per shopper from the spread of its scores, so that only a few
            // times K candidates ever leave the registers.
            shopperFactors.withUnsafeBufferPointer { x in
                workspace.keep.withUnsafeBufferPointer { keep in
                    workspace.starts.withUnsafeMutableBufferPointer { starts in
                        distribution.thresholds(
                            x.baseAddress! + start * brands.factors, shoppers: m, keep: keep.baseAddress!, into: starts.baseAddress!,
                            scratch: &workspace.moments)
                    }
                }
            }
            for i in 0..<m { workspace.thresholds[i] = workspace.starts[i] }
            shopperFactors.withUnsafeBufferPointer { x in
                base.withUnsafeBufferPointerIfPresent { base in
                    workspace.widened.withUnsafeMutableBufferPointer { widened in
                        workspace.keys.withUnsafeMutableBufferPointer { keys in
                            workspace.counts.withUnsafeMutableBufferPointer { counts in
                                workspace.thresholds.withUnsafeMutableBufferPointer { thresholds in
                                    workspace.keep.withUnsafeBufferPointer { keep in
                                        brands.candidates(
                                            x.baseAddress! + start * brands.factors, shoppers: m, alpha: rules.factorWeight, base: base,
                                            widened: widened.baseAddress, keys: keys.baseAddress!, capacity: capacity,
                                            counts: counts.baseAddress!, thresholds: thresholds.baseAddress!, keep: keep.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for i in 0..<m {
                if workspace.counts[i] < workspace.keep[i] && workspace.starts[i] > -.infinity {
                    // The starting threshold was above this shopper's K-th best: rank it from scratch.
                    shopperFactors.withUnsafeBufferPointer { x in
                        rankPart(
                            k, factors: x.baseAddress! + (start + i) * brands.factors, shopper: start + i, brands: 0..<brands.count,
                            workspace: &workspace)
                    }
                    try body(start + i, workspace.ranked)
                    continue
                }
                shopperFactors.withUnsafeBufferPointer { x in
                    finish(
                        k, shopper: start + i, factors: x.baseAddress! + (start + i) * brands.factors, list: i * capacity,
                        count: Int(workspace.counts[i]), workspace: &workspace)
                }
                try body(start + i, workspace.ranked)
            }
            start += m
        }
    }

    /// How many of a shopper's brands are settled after block selection: its owned brands when
    /// they are excluded, and its boosted brands (whose fused scores lack the boost).
    private func extraCandidates(of shopper: Int) -> Int {
        var extra = 0
        if rules.excludeOwned, let owned = signals.owned { extra += owned.range(ofRow: shopper).count }
        if let boosts = signals.boosts { extra += boosts.range(ofRow: shopper).count }
        return extra
    }

    /// Turns shopper `shopper`'s candidate list (keys `list ..< list + count` of the workspace)
    /// into its top `k` in `workspace.ranked`: owned brands leave (when excluded), boosted brands
    /// are rescored with their boosts, then the best `k` are kept and sorted.
    private func finish(
        _ k: Int, shopper: Int, factors x: UnsafePointer<Float>, list: Int, count: Int, workspace: inout Workspace
    ) {
        let n = brands.count
        let owned = rules.excludeOwned ? signals.owned.map { $0.range(ofRow: shopper) } ?? 0..<0 : 0..<0
        let boosts = signals.boosts.map { $0.range(ofRow: shopper) } ?? 0..<0
        var count = count
        if !owned.isEmpty || !boosts.isEmpty {
            if workspace.marks.count < n {
                workspace.marks = [UInt8](repeating: 0, count: n)
                workspace.boostSums = [Float](repeating: 0, count: n)
            }
            workspace.boosted.removeAll(keepingCapacity: true)
            for j in owned { workspace.marks[Int(signals.owned!.columnIndices[j])] |= 1 }
            for j in boosts {
                let b = Int(signals.boosts!.columnIndices[j])
                if workspace.marks[b] & 2 == 0 { workspace.boosted.append(Int32(b)) }
                workspace.marks[b] |= 2
                workspace.boostSums[b] += signals.boosts!.values[j]
            }
            workspace.keys.withUnsafeMutableBufferPointer { keys in
                let keys = keys.baseAddress! + list
                var kept = 0
                for j in 0..<count where workspace.marks[Int(RankingKernels.index(ofKey: keys[j]))] == 0 {
                    keys[kept] = keys[j]
                    kept += 1
                }
                count = kept
                // Boosted brands, scored as the one-shopper path does: factor score, plus boost, plus base.
                for b in workspace.boosted where workspace.marks[Int(b)] & 1 == 0 {
                    let score =
                        (brands.score(brand: Int(b), x, alpha: rules.factorWeight) + workspace.boostSums[Int(b)]) + (base?[Int(b)] ?? 0)
                    if score > -.infinity {
                        keys[count] = RankingKernels.key(score: score, index: b)
                        count += 1
                    }
                }
            }
            for j in owned { workspace.marks[Int(signals.owned!.columnIndices[j])] = 0 }
            for b in workspace.boosted {
                workspace.marks[Int(b)] = 0
                workspace.boostSums[Int(b)] = 0
            }
        }
        workspace.keys.withUnsafeMutableBufferPointer { keys in
            CandidatePool.emit(UnsafeMutableBufferPointer(rebasing: keys[list..<list + count]), best: k, into: &workspace.ranked)
        }
    }

    /// Ranks every row of `shopperFactors` on `threads` workers, a block of `blockSize` shoppers
    /// at a time, with `produce` turning each block's results into an output (say, JSON lines)
    /// in parallel and `consume` receiving the outputs in shopper order, one at a time (see
    /// ``ParallelChunks/stream(threads:window:makeWorker:produce:consume:)``).
    /// Memory: a few blocks of results per worker, however many shoppers.
    public func rankAll<Output>(
        _ k: Int, shopperFactors: Matrix, threads: Int, blockSize: Int = BrandRanker.defaultBlockSize,
        produce: @Sendable (RankedBlock<Entry>) -> Output,
        consume: (Output) throws -> Void
    ) rethrows {
        let chunks = ParallelChunks(rowCount: shopperFactors.rows, chunkSize: blockSize)
        let ranker = self
        try chunks.stream(
            threads: threads,
            makeWorker: { (ranker.makeWorkspace(blockSize: blockSize), RankedBlock<Entry>()) },
            produce: { worker, _, chunk in
                worker.1.reset(first: chunk.lowerBound)
                ranker.rankBlocks(k, shopperFactors: shopperFactors, rows: chunk, workspace: &worker.0) { _, ranked in
                    worker.1.append(zip(ranked.brands, ranked.scores).lazy.map { (brand: $0, score: $1) })
                }
                return produce(worker.1)
            },
            consume: consume)
    }

    /// Applies the shopper's signals to the brands in `range` of the workspace's score row and
    /// selects the best `k` of them into `workspace.ranked` (brand indices over the whole table).
    private func select(_ k: Int, brands range: Range<Int>, shopper: Int?, workspace: inout Workspace) {
        workspace.scores.withUnsafeMutableBufferPointer { row in
            let scores = row.baseAddress!
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

    /// Scores the brands in `range` for `x` into the workspace's score row and selects the best
    /// `k` of them into `workspace.ranked`: the one-shopper path (all brands), or one part of a
    /// split ranking (``SplitRanker``).
    func rankPart(_ k: Int, factors x: UnsafePointer<Float>, shopper: Int?, brands range: Range<Int>, workspace: inout Workspace) {
        workspace.scores.withUnsafeMutableBufferPointer { scores in
            brands.score(x, alpha: rules.factorWeight, brands: range, into: scores.baseAddress!)
        }
        select(k, brands: range, shopper: shopper, workspace: &workspace)
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with the array's base address, or `nil`.
    fileprivate func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
        guard let array = self else { return try body(nil) }
        return try array.withUnsafeBufferPointer { try body($0.baseAddress) }
    }
}
