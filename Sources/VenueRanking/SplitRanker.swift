import VenueLinearAlgebra

/// One shopper's top-K on several cores at once, for latency: the brand table is cut into
/// ``WorkerTeam/size`` contiguous parts, each part is scored and filtered on its own core, and the
/// parts' top-K lists are merged.
///
/// On the 2-core reference machine one shopper's ranking streams the 2.56 MB brand table from L3,
/// and that stream, not arithmetic, bounds a single core; two cores each streaming half nearly
/// halve the latency. Results are identical to ``BrandRanker/rank(_:factors:shopper:workspace:into:)``:
/// part boundaries fall on multiples of 64 brands, so every score is computed the same way, and
/// the merge orders by score, then lower brand index, as selection does.
///
/// Not `Sendable`: one caller at a time (it owns the team's helper threads).
public final class SplitRanker {
    /// The ranker whose results this reproduces.
    public let ranker: BrandRanker
    /// Brand ranges, one per part.
    public let parts: [Range<Int>]
    private let query: PartQuery
    private let team: WorkerTeam
    private var cursors: [Int]

    /// A split over `threads` cores (the caller plus `threads − 1` helper threads), in parts of
    /// whole multiples of 64 brands. Helpers spin for `spin` after each query, then sleep.
    public init(_ ranker: BrandRanker, threads: Int, spin: Duration = .microseconds(200)) {
        self.ranker = ranker
        let n = ranker.brands.count
        let count = max(1, min(threads, (n + 63) / 64))
        let step = max(64, ((n + count - 1) / count + 63) / 64 * 64)
        let parts = stride(from: 0, to: max(n, 1), by: step).map { $0..<min(n, $0 + step) }
        let query = PartQuery(workspaces: parts.map { _ in ranker.makeWorkspace(blockSize: 1) })
        self.parts = parts
        self.query = query
        cursors = [Int](repeating: 0, count: parts.count)
        team = WorkerTeam(size: parts.count, spin: spin) { p in
            ranker.rankPart(query.k, factors: query.factors!, shopper: query.shopper, brands: parts[p], workspace: &query.workspaces[p])
        }
    }

    /// The best `k` brands for the factor vector `x` of `shopper` (its row in the ranker's
    /// signals; `nil` for none), written into `output`. O(brands · factors / threads) for scoring,
    /// plus selection per part and an O(parts · k) merge; allocates nothing once `output` has
    /// grown to `k`.
    public func rank(_ k: Int, factors x: UnsafePointer<Float>, shopper: Int?, into output: inout RankedBrands) {
        query.k = k
        query.factors = x
        query.shopper = shopper
        team.run()
        query.factors = nil
        merge(k, into: &output)
    }

    /// ``rank(_:factors:shopper:into:)`` for a factor array.
    public func rank(_ k: Int, factors x: [Float], shopper: Int?, into output: inout RankedBrands) {
        precondition(x.count == ranker.brands.factors, "factor vector has \(x.count) elements, expected \(ranker.brands.factors)")
        x.withUnsafeBufferPointer { rank(k, factors: $0.baseAddress!, shopper: shopper, into: &output) }
    }

    /// Merges the parts' lists (each best first) into the best `k`, ties to the lower brand.
    private func merge(_ k: Int, into output: inout RankedBrands) {
        let lists = query.workspaces
        var available = 0
        for p in parts.indices { available += lists[p].ranked.count }
        let total = min(max(0, k), available)
        output.resize(total)
        for p in cursors.indices { cursors[p] = 0 }
        for i in 0..<total {
            var best = -1
            var bestKey: UInt64 = 0
            for p in parts.indices where cursors[p] < lists[p].ranked.count {
                let key = RankingKernels.key(score: lists[p].ranked.scores[cursors[p]], index: lists[p].ranked.brands[cursors[p]])
                if best < 0 || key > bestKey {
                    best = p
                    bestKey = key
                }
            }
            output.brands[i] = lists[best].ranked.brands[cursors[best]]
            output.scores[i] = lists[best].ranked.scores[cursors[best]]
            cursors[best] += 1
        }
    }
}

/// The current query as the team's threads see it, and one workspace per part.
///
/// Rule: `k`, `factors` and `shopper` are written only by ``SplitRanker/rank(_:factors:shopper:into:)``
/// outside `WorkerTeam.run()` and only read inside it; part `p` reads and writes only
/// `workspaces[p]` (raw storage, so parts on different threads never access one Swift array).
private final class PartQuery: @unchecked Sendable {
    var k = 0
    var factors: UnsafePointer<Float>?
    var shopper: Int?
    let workspaces: UnsafeMutablePointer<BrandRanker.Workspace>
    private let count: Int

    init(workspaces: [BrandRanker.Workspace]) {
        count = workspaces.count
        self.workspaces = .allocate(capacity: count)
        self.workspaces.initialize(from: workspaces, count: count)
    }

    deinit {
        workspaces.deinitialize(count: count)
        workspaces.deallocate()
    }
}

// One caller at a time: it owns its team's helper threads.
@available(*, unavailable)
extension SplitRanker: Sendable {}
