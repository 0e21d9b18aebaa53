import Foundation
import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra

/// Per shopper-brand features as of a cut, for the learned venue blend: what the shopper did with
/// the brand (counts per event kind, recency-weighted history, days since), what the brand does
/// (repurchase rate, trend, popularity), and what the models say (factor score, item-kNN score).
///
/// Candidates for a shopper are the brands of its history, its top brands by factor score, its
/// top brands by item-kNN score and the most-bought brands.
public struct BlendFeatures: Sendable {
    /// Feature names, in order (the first is the constant 1).
    public static let names = [
        "bias", "own_history", "clicks", "purchases", "favorites", "carts", "recency", "in_history", "repurchase_rate",
        "trend", "popularity", "factor", "item_knn", "shopper_activity", "history_share", "history_rank", "factor_rank",
        "purchase_recency", "recent_clicks",
    ]

    /// One candidate: brand and feature vector.
    public struct Candidate: Sendable {
        /// Brand index.
        public var brand: Int32
        /// Features, ``BlendFeatures/names`` order.
        public var values: [Double]
    }

    fileprivate struct Pair {
        var counts = (0.0, 0.0, 0.0, 0.0)  // clicks, purchases, favourites + follows, carts
        var history = 0.0
        var lastDay: Int64 = .min
        var lastPurchaseDay: Int64 = .min
        var recentClicks = 0.0
    }

    private let pairs: [[Int32: Pair]]
    private let brandRepurchase: [Double]
    private let brandTrend: [Double]
    private let brandPopularity: [Double]
    private let activity: [Double]
    /// The most-bought brands (``BaselineRankers/popularity(_:order:)``), candidates for every shopper.
    private let popular: [Int32]
    private let cutDay: Int64
    private let model: FactorModel
    private let knn: ItemKNN
    private let matrix: InteractionMatrix
    /// Candidates per model source (factor, item-kNN) beyond the shopper's history.
    public let perSource: Int
    /// Most-bought brands added to every shopper's candidates.
    public let popularCandidates: Int

    /// Features from `log` up to `cut` (later events are ignored), with `model` trained on those
    /// events (same id order as `log`) and item-kNN built from them. O(events + shoppers · brands).
    public init(
        log: EventLog, cut: Int64, model: FactorModel, knnNeighbours: Int = 50, perSource: Int = 30, popularCandidates: Int = 10,
        halfLifeDays: Double = 30
    ) {
        let history = log.through(cut)
        self.model = model
        self.perSource = perSource
        self.popularCandidates = max(0, popularCandidates)
        cutDay = cut / 86_400
        var pairs = [[Int32: Pair]](repeating: [:], count: log.shopperIDs.count)
        var purchases = [[Int32: Set<Int64>]](repeating: [:], count: log.brandIDs.count)
        var recent = [Double](repeating: 0, count: log.brandIDs.count)
        var total = [Double](repeating: 0, count: log.brandIDs.count)
        var activity = [Double](repeating: 0, count: log.shopperIDs.count)
        let weights = EventWeighting()
        for i in 0..<history.count where history.times[i] != EventLog.noTime {
            let s = Int(history.shoppers[i])
            let b = history.brands[i]
            let day = history.times[i] / 86_400
            var pair = pairs[s][b] ?? Pair()
            switch history.kinds[i] {
            case .click:
                pair.counts.0 += 1
                if cutDay - day < 7 { pair.recentClicks += 1 }
            case .purchase:
                pair.counts.1 += 1
                pair.lastPurchaseDay = max(pair.lastPurchaseDay, day)
                purchases[Int(b)][Int32(s), default: []].insert(day)
                total[Int(b)] += 1
                if cutDay - day < 30 { recent[Int(b)] += 1 }
            case .favorite, .follow: pair.counts.2 += 1
            case .cart: pair.counts.3 += 1
            case .weight: pair.counts.0 += Double(history.values[i])
            }
            pair.history += Double(weights.weight(of: history.kinds[i])) * pow(0.5, Double(cutDay - day) / halfLifeDays)
            pair.lastDay = max(pair.lastDay, day)
            pairs[s][b] = pair
            activity[s] += 1
        }
        self.pairs = pairs
        brandRepurchase = purchases.map { buyers in
            Double(buyers.values.filter { $0.count >= 2 }.count) / Double(buyers.count + 1)
        }
        brandTrend = zip(recent, total).map { log1p($0) - log1p(max(0, $1 - $0) / 2) }
        brandPopularity = total.map { log1p($0) }
        self.activity = activity.map { log1p($0) }
        popular = Array(BaselineRankers.popularity(history, order: BrandIDOrder(log.brandIDs)).prefix(popularCandidates))
        matrix = InteractionMatrix(log: history)
        knn = ItemKNN(matrix, k: knnNeighbours)
    }

    /// Whether shopper `s` had an event with brand `b` up to the cut (`b` is then one of its
    /// candidates, with `in_history` 1). O(1) expected.
    public func touched(_ b: Int32, by s: Int32) -> Bool {
        pairs[Int(s)][b] != nil
    }

    /// Per-brand buffers for ``candidates(of:workspace:)``, so a loop over shoppers does not
    /// allocate two brand-sized arrays per shopper, and the factor scores of a block of shoppers
    /// prepared by ``prepare(_:workspace:)``. One per thread.
    public struct Workspace: Sendable {
        /// Shoppers ``BlendFeatures/prepare(_:workspace:)`` scores at once, at most.
        public static let blockCapacity = 16
        fileprivate var factorScores: [Float]
        /// Item-kNN scores: zero, but for the last shopper's `knnTouched` brands.
        fileprivate var knnScores: [Float]
        fileprivate var knnTouched: [Int32] = []
        /// The item-kNN source's selection.
        fileprivate var top: TopK
        /// The factor source's selection, and its top brands, best first.
        fileprivate var pool = CandidatePool()
        fileprivate var byFactorScore = RankedBrands()
        /// The prepared shoppers, and their factor scores: row `i` of `block` (brands apart) is
        /// `prepared[i]`'s.
        fileprivate var prepared: [Int32] = []
        fileprivate var block: [Float]
        fileprivate var gathered: [Float]
        /// Per brand, set for the last shopper's `chosen` brands only: whether it is a candidate,
        /// and its ranks by the shopper's history and by factor score (-1: none).
        fileprivate var isCandidate: [Bool]
        fileprivate var historyRank: [Int32]
        fileprivate var factorRank: [Int32]
        /// The shopper's candidates (ascending), the same as ``RankingKernels/key(score:index:)``
        /// keys of their factor scores (ascending: worst first), its history pairs (best first:
        /// `own[historyRank[b]]` is brand `b`'s), and one feature row.
        fileprivate var chosen: [Int32] = []
        fileprivate var byFactor: [UInt64] = []
        fileprivate var own: [(brand: Int32, pair: Pair)] = []
        fileprivate var row: [Double]
    }

    /// A workspace for this model's brands.
    public func makeWorkspace() -> Workspace {
        let n = model.brandIDs.count
        return Workspace(
            factorScores: [Float](repeating: 0, count: n), knnScores: [Float](repeating: 0, count: n), top: TopK(k: perSource),
            block: [], gathered: [],
            isCandidate: [Bool](repeating: false, count: n), historyRank: [Int32](repeating: -1, count: n),
            factorRank: [Int32](repeating: -1, count: n), row: [Double](repeating: 0, count: Self.names.count))
    }

    /// Scores `shoppers` (at most ``Workspace/blockCapacity``, indices of the log's shoppers)
    /// against every brand at once, reading the brand factors once for all of them instead of
    /// once per shopper; ``candidates(of:workspace:)`` then uses these scores for them, which have
    /// the bits it would compute alone. Replaces the previous block. O(shoppers · brands · factors).
    public func prepare(_ shoppers: some Collection<Int32>, workspace: inout Workspace) {
        precondition(shoppers.count <= Workspace.blockCapacity, "at most \(Workspace.blockCapacity) shoppers per block")
        let (n, f) = (model.brandIDs.count, model.factors)
        if workspace.block.isEmpty {  // the first block: the buffers only blocks need
            workspace.block = [Float](repeating: 0, count: Workspace.blockCapacity * n)
            workspace.gathered = [Float](repeating: 0, count: Workspace.blockCapacity * f)
        }
        workspace.prepared.removeAll(keepingCapacity: true)
        workspace.prepared.append(contentsOf: shoppers)
        for (i, s) in workspace.prepared.enumerated() {
            for j in 0..<f { workspace.gathered[i * f + j] = model.shopperFactors[Int(s), j] }
        }
        let count = workspace.prepared.count
        model.brandFactors.withUnsafeBufferPointer { y in
            workspace.gathered.withUnsafeBufferPointer { x in
                workspace.block.withUnsafeMutableBufferPointer {
                    RankingKernels.gemvRows(
                        factors: f, rows: n, table: y.baseAddress!, vectors: count, x: x.baseAddress!, y: $0.baseAddress!, ldy: n)
                }
            }
        }
    }

    /// The candidates of shopper `s` with their features. O(brands · factors) for the factor scores.
    public func candidates(of s: Int32) -> [Candidate] {
        var workspace = makeWorkspace()
        return candidates(of: s, workspace: &workspace)
    }

    /// The candidates of shopper `s` with their features, using `workspace`'s buffers (from
    /// ``makeWorkspace()``) and its factor scores when ``prepare(_:workspace:)`` scored `s`.
    /// O(brands · factors) for the factor scores, O(brands) when prepared.
    public func candidates(of s: Int32, workspace: inout Workspace) -> [Candidate] {
        var list: [Candidate] = []
        forEachCandidate(of: s, workspace: &workspace) { list.append(Candidate(brand: $0, values: Array($1))) }
        return list
    }

    /// Calls `body` with each candidate of shopper `s`, ascending, and its features (valid
    /// during the call only), as ``candidates(of:workspace:)`` lists them, without allocating per
    /// candidate. O(brands · factors) for the factor scores, O(brands) when prepared.
    public func forEachCandidate(
        of s: Int32, workspace: inout Workspace, _ body: (Int32, UnsafeBufferPointer<Double>) throws -> Void
    ) rethrows {
        let n = model.brandIDs.count
        // The shopper's factor scores are `factorScores[base ..< base + n]`: its row of the
        // prepared block, read in place, or computed into the workspace. A local reference, so
        // the workspace can change while it is read (neither array is written until the next call).
        let factorScores: [Float]
        let base: Int
        if let i = workspace.prepared.firstIndex(of: s) {
            factorScores = workspace.block
            base = i * n
        } else {
            model.brandFactors.withUnsafeBufferPointer { y in
                model.shopperFactors.withUnsafeBufferPointer { x in
                    workspace.factorScores.withUnsafeMutableBufferPointer {
                        RankingKernels.gemvRows(
                            factors: model.factors, rows: n, table: y.baseAddress!, x: x.baseAddress! + Int(s) * model.factors,
                            y: $0.baseAddress!)
                    }
                }
            }
            factorScores = workspace.factorScores
            base = 0
        }
        // The per-brand buffers back at rest: the previous shopper's entries are cleared here,
        // not after `body`, which may throw.
        for b in workspace.knnTouched { workspace.knnScores[Int(b)] = 0 }
        workspace.knnTouched.removeAll(keepingCapacity: true)
        for b in workspace.chosen {
            workspace.isCandidate[Int(b)] = false
            workspace.historyRank[Int(b)] = -1
            workspace.factorRank[Int(b)] = -1
        }
        let topHistory = chooseCandidates(of: s, factorScores: factorScores, base: base, workspace: &workspace)
        for b in workspace.chosen {
            // A brand's rank in the history is its place in ``own``, sorted by it.
            let historyRank = workspace.historyRank[Int(b)]
            let pair = historyRank >= 0 ? workspace.own[Int(historyRank)].pair : nil
            writeFeatures(
                of: b, shopper: s, pair: pair, historyRank: historyRank, topHistory: topHistory,
                factorScore: factorScores[base + Int(b)], factorRank: workspace.factorRank[Int(b)],
                knnScore: workspace.knnScores[Int(b)], into: &workspace.row)
            try workspace.row.withUnsafeBufferPointer { try body(b, $0) }
        }
    }

    /// Fills `workspace.chosen` with shopper `s`'s candidates, ascending: its history, the top
    /// ``perSource`` brands by factor score and by item-kNN score (both positive), and the most
    /// bought. Also sets the kNN scores (of `knnTouched`), `own` (the history, best first) and
    /// the candidates' ranks by history and factor score; returns the best history value. The
    /// shopper's factor scores are `factorScores[base ..< base + brands]`.
    private func chooseCandidates(of s: Int32, factorScores: [Float], base: Int, workspace: inout Workspace) -> Double {
        workspace.chosen.removeAll(keepingCapacity: true)
        func choose(_ b: Int32, _ workspace: inout Workspace) {
            guard !workspace.isCandidate[Int(b)] else { return }
            workspace.isCandidate[Int(b)] = true
            workspace.chosen.append(b)
        }
        workspace.own.removeAll(keepingCapacity: true)
        for (b, pair) in pairs[Int(s)] { workspace.own.append((b, pair)) }
        for (b, _) in workspace.own { choose(b, &workspace) }
        // The order brands are chosen in does not matter: ``chosen`` is sorted last. Each
        // selection is read through a local reference while `choose` writes the workspace's
        // other fields, so neither is copied.
        factorScores.withUnsafeBufferPointer {
            workspace.pool.select(
                perSource, scores: $0.baseAddress! + base, base: nil, count: model.brandIDs.count, into: &workspace.byFactorScore)
        }
        let byFactorScore = workspace.byFactorScore
        for (b, score) in zip(byFactorScore.brands, byFactorScore.scores) where score > 0 { choose(b, &workspace) }
        let row = matrix.byShopper.range(ofRow: Int(s))
        knn.best(
            brands: matrix.byShopper.columnIndices[row], strengths: matrix.byShopper.values[row], scores: &workspace.knnScores,
            touched: &workspace.knnTouched, into: &workspace.top)
        let top = workspace.top
        top.forEachUnordered { b, _ in choose(b, &workspace) }
        for b in popular { choose(b, &workspace) }
        // Sorts that allocate nothing per shopper; every order is total (ties by brand).
        workspace.chosen.heapSort()
        // Ranks within the shopper (0 = best), ties by brand index.
        workspace.own.heapSort { ($0.pair.history, -$0.brand) > ($1.pair.history, -$1.brand) }
        for (r, entry) in workspace.own.enumerated() { workspace.historyRank[Int(entry.brand)] = Int32(r) }
        // By factor score as keys (a higher score, then a lower index, is a larger key), which
        // sort without a closure; read from the end.
        workspace.byFactor.removeAll(keepingCapacity: true)
        for b in workspace.chosen { workspace.byFactor.append(RankingKernels.key(score: factorScores[base + Int(b)], index: b)) }
        workspace.byFactor.heapSort()
        for (r, key) in workspace.byFactor.reversed().enumerated() {
            workspace.factorRank[Int(RankingKernels.index(ofKey: key))] = Int32(r)
        }
        return workspace.own.first?.pair.history ?? 0
    }

    /// Writes the features of candidate `b` of shopper `s` to `row`, in ``names`` order. `pair`
    /// is what `s` did with `b` (`nil`: nothing), at `historyRank` (-1: none) in a history whose
    /// best value is `topHistory`. Plain stores, no closure: this runs once per candidate.
    private func writeFeatures(
        of b: Int32, shopper s: Int32, pair: Pair?, historyRank: Int32, topHistory: Double, factorScore: Float, factorRank: Int32,
        knnScore: Float, into row: inout [Double]
    ) {
        let counts = pair?.counts ?? (0, 0, 0, 0)
        row[0] = 1
        row[1] = log1p(pair?.history ?? 0)
        row[2] = log1p(counts.0)
        row[3] = log1p(counts.1)
        row[4] = log1p(counts.2)
        row[5] = log1p(counts.3)
        row[6] = pair.map { exp(-Double(cutDay - $0.lastDay) / 15) } ?? 0
        row[7] = pair == nil ? 0 : 1
        row[8] = brandRepurchase[Int(b)]
        row[9] = brandTrend[Int(b)]
        row[10] = brandPopularity[Int(b)]
        row[11] = Double(factorScore)
        row[12] = log1p(Double(knnScore))
        row[13] = activity[Int(s)]
        row[14] = topHistory > 0 ? (pair?.history ?? 0) / topHistory : 0
        row[15] = historyRank >= 0 ? 1 / (1 + Double(historyRank)) : 0
        row[16] = 1 / (1 + Double(factorRank))
        row[17] = pair.map { $0.lastPurchaseDay == .min ? 0 : exp(-Double(cutDay - $0.lastPurchaseDay) / 30) } ?? 0
        row[18] = log1p(pair?.recentClicks ?? 0)
    }
}
