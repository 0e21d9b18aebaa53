import Synchronization
import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra
import VenueRanking

/// Merchants' exposure guarantees and caps, planned over the whole shopper population before any
/// page is made, so personalisation does not leave merchants blind.
///
/// - **Guarantees** (`exposure_guarantee`): a guaranteed brand is placed first on the "picked for
///   you" floor of that many pages. The shoppers are chosen as in High Water Mark allocation for
///   guaranteed delivery: brands in order of tightness (guarantee ÷ eligible shoppers, tightest
///   first), each taking the eligible shoppers with the highest factor score for it who still have
///   room. Eligible: the brand can be shown and is not in the shopper's history (the floor is for
///   discoveries). A page carries at most ``perPage`` guaranteed placements.
/// - **Caps** (`exposure_cap`): a capped brand may appear on at most that many pages, on any
///   floor: the shoppers who touched it first, then those with the highest factor score for it
///   (and, for a brand that is guaranteed too, the guaranteed placements before both). No other
///   page shows it.
///
/// **A plan is a few numbers per brand**, like the dual prices of guaranteed-delivery allocation,
/// not a list of shoppers: since each brand takes the best shoppers by (score, lower row first)
/// among those still eligible, what it took is exactly the eligible shoppers at or above the last
/// one it took. So the plan keeps, per brand, that threshold (and for caps, the last toucher
/// allowed), and ``place(row:workspace:)`` decides a page's brands from the shopper's own scores
/// when the page is made, in O(plan brands · factors), with the same result as the whole-population
/// allocation. The plan's size does not grow with the population; building it keeps two bytes of
/// room per shopper and streams the shopper factors in blocks.
///
/// Ties go to the lower shopper row, so the plan depends only on the model, the catalog and the
/// history: every shard of a run computes the same plan. Building it is O(plan brands · shoppers ·
/// factors), one pass over the shopper factors per 16 plan brands.
public struct ExposurePlan: Sendable, Equatable {
    /// One guaranteed or capped brand and what was planned for it.
    public struct Line: Sendable, Equatable {
        /// The brand (model index).
        public var brand: Int32
        /// Pages promised, if any.
        public var guarantee: Int?
        /// Pages allowed at most, if any.
        public var cap: Int?
        /// Guaranteed placements planned (at most the guarantee; fewer when too few shoppers are
        /// eligible, or when the brand cannot be shown at all).
        public var planned: Int
    }

    /// A shopper's rank for a brand: by score, then by lower row. `row == -1` with an infinite
    /// score are the two ends: ``none`` takes no shopper, ``everyone`` every finite score.
    struct Threshold: Sendable, Equatable {
        var score: Float
        var row: Int32

        /// No shopper reaches it.
        static let none = Threshold(score: .infinity, row: -1)
        /// Every shopper with a finite score reaches it.
        static let everyone = Threshold(score: -.infinity, row: -1)

        /// Shopper `row` with `score` ranks at or above the threshold.
        @inline(__always)
        func admits(_ score: Float, row: Int32) -> Bool { score > self.score || (score == self.score && row <= self.row) }
    }

    /// The catalog's guaranteed or capped brands that the model knows, in model order.
    public let lines: [Line]
    /// Guaranteed placements a page carries at most.
    public let perPage: Int
    /// The line of each model brand, or -1.
    let lineOfBrand: [Int32]
    /// Capped brands.
    let capped: BrandSet
    /// The lines with placements, tightest first (the order they chose shoppers in).
    private let guaranteeOrder: [Int32]
    /// Per line: the last shopper its guarantee took (shoppers with room who had not touched the
    /// brand, at or above it, were placed).
    private let guaranteeThreshold: [Threshold]
    /// Per capped line: the row of the last shopper who touched the brand and may see it (-1: none).
    private let lastAllowedToucher: [Int32]
    /// Per capped line: the others (no placement, never touched) who may see it, at or above it.
    private let capThreshold: [Threshold]
    /// The lines' brand factors, row-major, padded with zero rows to a multiple of 4.
    private let lineFactors: [Float]
    /// The model's factors and the history the plan was made from, to score a page's shopper.
    private let factors: Int
    private let shopperFactors: Matrix
    private let history: SparseMatrix

    /// No guarantees and no caps, for `brands` brands (and any number of shoppers).
    public init(brands: Int) {
        lines = []
        perPage = 0
        lineOfBrand = [Int32](repeating: -1, count: brands)
        capped = BrandSet(capacity: brands)
        guaranteeOrder = []
        guaranteeThreshold = []
        lastAllowedToucher = []
        capThreshold = []
        lineFactors = []
        factors = 0
        shopperFactors = Matrix(rows: 0, columns: 0)
        history = SparseMatrix(rows: 0, columns: brands, rowIndices: [], columnIndices: [], values: [])
    }

    /// The plan for the shoppers and brands of `model`, with the guarantees and caps of `catalog`
    /// (for brands in `showable`; a guarantee on a brand that cannot be shown plans nothing) and
    /// the shoppers' `history` rows (model indices), placing at most `perPage` guaranteed brands
    /// per page. The passes over the shoppers run on `threads` workers; the plan is the same on
    /// any thread count.
    public init(model: FactorModel, catalog: Catalog, showable: BrandSet, history: SparseMatrix, perPage: Int = 2, threads: Int = 1) {
        let shoppers = model.shopperIDs.count
        let brands = model.brandIDs.count
        let f = model.factors
        self.perPage = min(max(0, perPage), Int(UInt16.max))
        var lines: [Line] = []
        var lineOfBrand = [Int32](repeating: -1, count: brands)
        var capped = BrandSet(capacity: brands)
        for b in 0..<brands {
            guard let entry = catalog[model.brandIDs[b]], entry.exposureGuarantee != nil || entry.exposureCap != nil else { continue }
            lineOfBrand[b] = Int32(lines.count)
            lines.append(Line(brand: Int32(b), guarantee: entry.exposureGuarantee, cap: entry.exposureCap, planned: 0))
            if entry.exposureCap != nil { capped.insert(b) }
        }
        // The shoppers who touched each plan brand, ascending.
        var touched = [[Int32]](repeating: [], count: lines.count)
        for r in 0..<min(history.rows, shoppers) {
            for b in history.columnIndices[history.range(ofRow: r)] where lineOfBrand[Int(b)] >= 0 {
                touched[Int(lineOfBrand[Int(b)])].append(Int32(r))
            }
        }
        var lineFactors = [Float](repeating: 0, count: (lines.count + 3) / 4 * 4 * f)
        for (l, line) in lines.enumerated() {
            for k in 0..<f { lineFactors[l * f + k] = model.brandFactors[Int(line.brand), k] }
        }
        let scan = PopulationScan(factors: model.shopperFactors, lineFactors: lineFactors, threads: threads)

        // Guarantees, tightest first, 16 lines per pass over the shoppers.
        var room = [UInt16](repeating: UInt16(self.perPage), count: shoppers)
        var placed = [[Int32]](repeating: [], count: lines.count)
        var guaranteeThreshold = [Threshold](repeating: .none, count: lines.count)
        let guaranteed = lines.indices.filter { lines[$0].guarantee.map { $0 > 0 } == true && showable.contains(Int(lines[$0].brand)) }
        let tightness = { (l: Int) in Double(lines[l].guarantee!) / Double(max(1, shoppers - touched[l].count)) }
        let byTightness = self.perPage > 0 ? guaranteed.sorted(by: { (tightness($0), -$0) > (tightness($1), -$1) }) : []
        for start in stride(from: 0, to: byTightness.count, by: PopulationScan.group) {
            let group = Array(byTightness[start..<min(start + PopulationScan.group, byTightness.count)])
            // No line can take more shoppers than there are (a catalog may promise billions).
            let wanted = group.map { min(lines[$0].guarantee!, lines[$0].cap ?? .max, shoppers) }
            // The best shoppers with room as the group starts: twice the guarantee and a few more.
            // Lines earlier in the group may fill some of them; a line left short scans again alone.
            let looks = wanted.map { 2 * $0 + 16 }
            let looked = scan.best(group, counts: looks, touched: touched, room: room)
            for (i, l) in group.enumerated() {
                var chosen = Array(looked[i].lazy.filter { room[Int($0.index)] > 0 }.prefix(wanted[i]))
                if chosen.count < wanted[i] && looked[i].count == looks[i] {
                    chosen = scan.best([l], counts: [wanted[i]], touched: touched, room: room)[0]
                }
                for entry in chosen { room[Int(entry.index)] -= 1 }
                placed[l] = chosen.map(\.index).sorted()
                lines[l].planned = chosen.count
                guaranteeThreshold[l] =
                    chosen.count == wanted[i] ? chosen.last.map { Threshold(score: $0.score, row: $0.index) } ?? .none : .everyone
            }
        }
        room = []

        // Caps: guaranteed placements, then the shoppers who touched the brand (ascending), then the
        // others by score.
        var lastAllowedToucher = [Int32](repeating: -1, count: lines.count)
        var capThreshold = [Threshold](repeating: .none, count: lines.count)
        var byScore: [Int] = []
        for l in lines.indices {
            guard let cap = lines[l].cap else { continue }
            let left = max(0, cap - placed[l].count)
            if touched[l].count >= left {
                lastAllowedToucher[l] = left > 0 ? touched[l][left - 1] : -1
            } else {
                lastAllowedToucher[l] = .max
                byScore.append(l)
            }
        }
        for start in stride(from: 0, to: byScore.count, by: PopulationScan.group) {
            let group = Array(byScore[start..<min(start + PopulationScan.group, byScore.count)])
            let counts = group.map { lines[$0].cap! - placed[$0].count - touched[$0].count }
            let looked = scan.best(group, counts: counts, touched: touched, placed: placed)
            for (i, l) in group.enumerated() {
                capThreshold[l] =
                    looked[i].count == counts[i] ? looked[i].last.map { Threshold(score: $0.score, row: $0.index) } ?? .none : .everyone
            }
        }

        self.lines = lines
        self.lineOfBrand = lineOfBrand
        self.capped = capped
        self.guaranteeOrder = byTightness.filter { lines[$0].planned > 0 }.map(Int32.init)
        self.guaranteeThreshold = guaranteeThreshold
        self.lastAllowedToucher = lastAllowedToucher
        self.capThreshold = capThreshold
        self.lineFactors = lineFactors
        factors = f
        shopperFactors = model.shopperFactors
        self.history = history
    }

    /// A page's share of the plan: reused from page to page by ``place(row:workspace:)``.
    public struct Workspace: Sendable {
        /// The guaranteed brands to place first on the picked floor, ascending.
        public fileprivate(set) var guaranteed: [Int32] = []
        /// The capped brands the page may show, ascending.
        public fileprivate(set) var allowedCapped: [Int32] = []
        fileprivate var scores: [Float] = []
        fileprivate var touched: [Bool] = []
        fileprivate var placed: [Bool] = []
    }

    /// An empty workspace for this plan.
    public func makeWorkspace() -> Workspace {
        var workspace = Workspace()
        workspace.scores = [Float](repeating: 0, count: lineFactors.count / max(1, factors))
        workspace.touched = [Bool](repeating: false, count: lines.count)
        workspace.placed = workspace.touched
        return workspace
    }

    /// Shopper row `row`'s guaranteed and capped brands into `workspace` (``Workspace/guaranteed``,
    /// ``Workspace/allowedCapped``), exactly as the population-wide allocation gave them. Allocates
    /// nothing. O(plan brands · factors + the shopper's history).
    public func place(row: Int, workspace: inout Workspace) {
        workspace.guaranteed.removeAll(keepingCapacity: true)
        workspace.allowedCapped.removeAll(keepingCapacity: true)
        guard !lines.isEmpty, row < shopperFactors.rows else { return }
        let r = Int32(row)
        shopperFactors.withUnsafeBufferPointer { x in
            lineFactors.withUnsafeBufferPointer { table in
                workspace.scores.withUnsafeMutableBufferPointer {
                    RankingKernels.gemvRows(
                        factors: factors, rows: $0.count, table: table.baseAddress!, x: x.baseAddress! + row * factors, y: $0.baseAddress!)
                }
            }
        }
        let brands = row < history.rows ? history.columnIndices[history.range(ofRow: row)] : []
        for b in brands where lineOfBrand[Int(b)] >= 0 { workspace.touched[Int(lineOfBrand[Int(b)])] = true }
        var room = perPage
        for l in guaranteeOrder where room > 0 {
            let l = Int(l)
            guard !workspace.touched[l], guaranteeThreshold[l].admits(workspace.scores[l], row: r) else { continue }
            workspace.placed[l] = true
            workspace.guaranteed.append(lines[l].brand)
            room -= 1
        }
        workspace.guaranteed.heapSort()
        for (l, line) in lines.enumerated() where line.cap != nil {
            let allowed =
                workspace.placed[l]
                || (workspace.touched[l] ? r <= lastAllowedToucher[l] : capThreshold[l].admits(workspace.scores[l], row: r))
            if allowed { workspace.allowedCapped.append(line.brand) }
        }
        for b in brands where lineOfBrand[Int(b)] >= 0 { workspace.touched[Int(lineOfBrand[Int(b)])] = false }
        for b in workspace.guaranteed { workspace.placed[Int(lineOfBrand[Int(b)])] = false }
    }

    /// The guaranteed brands to place first on shopper row `row`'s picked floor, ascending
    /// (``place(row:workspace:)`` with a workspace of its own).
    public func guaranteed(row: Int) -> [Int32] {
        var workspace = makeWorkspace()
        place(row: row, workspace: &workspace)
        return workspace.guaranteed
    }

    /// The capped brands shopper row `row`'s page may show, ascending.
    public func allowedCapped(row: Int) -> [Int32] {
        var workspace = makeWorkspace()
        place(row: row, workspace: &workspace)
        return workspace.allowedCapped
    }
}

/// Passes over every shopper's factor scores for a group of plan lines, a block of shoppers at a
/// time: the plan's memory does not grow with the population beyond what the caller keeps.
///
/// Each score has the bits ``ExposurePlan/place(row:workspace:)`` computes for the same shopper and
/// brand: both go through the four-row kernel (a shopper row against a brand, or a brand row
/// against a shopper: the same products and sums), and the last rows of the population, which
/// would not fill a group of four, are scored from a copy padded with zero rows.
///
/// With several threads, each scans a run of whole blocks and keeps its own best; the best of
/// their union, by (score, lower row), is the best of the whole, so the result does not depend on
/// the thread count.
private struct PopulationScan: Sendable {
    /// Plan lines scored per pass.
    static let group = 16
    /// Shoppers per block (a multiple of 4).
    static let block = 4096

    let factors: Matrix
    let lineFactors: [Float]
    let threads: Int

    /// For each of `lines` (at most ``group``), the best `counts[i]` shoppers, best first (ties:
    /// lower row), among those with a finite score above −∞ who did not touch the brand
    /// (`touched`, ascending rows per line), are not among `placed` (ascending rows per line, if
    /// given), and have `room` (above zero, if given). O(shoppers · lines · factors), on
    /// ``threads`` workers.
    func best(
        _ lines: [Int], counts: [Int], touched: [[Int32]], placed: [[Int32]]? = nil, room: [UInt16]? = nil
    ) -> [[(index: Int32, score: Float)]] {
        let f = factors.columns
        var vectors: [Float] = []
        vectors.reserveCapacity(lines.count * f)
        for l in lines { vectors.append(contentsOf: lineFactors[l * f..<(l + 1) * f]) }
        let pass = Pass(factors: factors, vectors: vectors, lines: lines, counts: counts, touched: touched, placed: placed, room: room)
        // A run of whole blocks per worker (never more workers than blocks, so any thread count
        // is safe to divide by).
        let blocks = (factors.rows + Self.block - 1) / Self.block
        let workers = max(1, min(threads, blocks))
        let runs = ParallelChunks(rowCount: factors.rows, chunkSize: max(1, (blocks + workers - 1) / workers) * Self.block)
        guard runs.chunks.count > 1 else { return pass.scan(0..<factors.rows).map { $0.sorted() } }
        let found = Mutex([[TopK]](repeating: [], count: runs.chunks.count))
        runs.run(threads: workers, makeWorker: {}) { _, run, rows in
            let tops = pass.scan(rows)
            found.withLock { $0[run] = tops }
        }
        var merged = counts.map { TopK(k: $0) }
        for tops in found.withLock({ $0 }) {
            for i in lines.indices { tops[i].forEachUnordered { merged[i].insert($0, score: $1) } }
        }
        return merged.map { $0.sorted() }
    }

    /// One call of ``best(_:counts:touched:placed:room:)``: what every worker reads.
    private struct Pass: Sendable {
        let factors: Matrix
        /// The lines' brand factors, a row each.
        let vectors: [Float]
        let lines: [Int]
        let counts: [Int]
        let touched: [[Int32]]
        let placed: [[Int32]]?
        let room: [UInt16]?

        /// The best of shoppers `rows` (whole blocks from a block's start) for each line.
        func scan(_ rows: Range<Int>) -> [TopK] {
            let m = lines.count
            var tops = counts.map { TopK(k: $0) }
            var thresholds = [Float](repeating: -.infinity, count: m)
            var touchedAt = [Int](repeating: 0, count: m)
            var placedAt = [Int](repeating: 0, count: m)
            var scores = [Float](repeating: 0, count: m * PopulationScan.block)
            for start in stride(from: rows.lowerBound, to: rows.upperBound, by: PopulationScan.block) {
                let count = min(PopulationScan.block, rows.upperBound - start)
                score(start: start, rows: count, into: &scores)
                for (i, l) in lines.enumerated() where counts[i] > 0 {
                    let touchers = touched[l]
                    let placements = placed?[l] ?? []
                    var threshold = thresholds[i]
                    for k in 0..<count {
                        let s = scores[i * PopulationScan.block + k]
                        guard s > threshold else { continue }
                        let r = Int32(start + k)
                        while touchedAt[i] < touchers.count && touchers[touchedAt[i]] < r { touchedAt[i] += 1 }
                        if touchedAt[i] < touchers.count && touchers[touchedAt[i]] == r { continue }
                        while placedAt[i] < placements.count && placements[placedAt[i]] < r { placedAt[i] += 1 }
                        if placedAt[i] < placements.count && placements[placedAt[i]] == r { continue }
                        if let room, room[Int(r)] == 0 { continue }
                        tops[i].insert(r, score: s)
                        threshold = tops[i].threshold
                    }
                    thresholds[i] = threshold
                }
            }
            return tops
        }

        /// Scores shoppers `start ..< start + rows` against every line into `scores` (line `i`'s at
        /// `i · block`).
        private func score(start: Int, rows: Int, into scores: inout [Float]) {
            let (f, m) = (factors.columns, lines.count)
            let whole = rows / 4 * 4
            factors.withUnsafeBufferPointer { table in
                vectors.withUnsafeBufferPointer { x in
                    scores.withUnsafeMutableBufferPointer { y in
                        if whole > 0 {
                            RankingKernels.gemvRows(
                                factors: f, rows: whole, table: table.baseAddress! + start * f, vectors: m, x: x.baseAddress!,
                                y: y.baseAddress!, ldy: PopulationScan.block)
                        }
                    }
                }
            }
            guard whole < rows else { return }
            // The last one to three shoppers, from a copy padded to four rows.
            var padded = [Float](repeating: 0, count: 4 * f)
            for k in whole..<rows {
                for j in 0..<f { padded[(k - whole) * f + j] = factors[start + k, j] }
            }
            var tail = [Float](repeating: 0, count: 4 * m)
            padded.withUnsafeBufferPointer { table in
                vectors.withUnsafeBufferPointer { x in
                    tail.withUnsafeMutableBufferPointer { y in
                        RankingKernels.gemvRows(
                            factors: f, rows: 4, table: table.baseAddress!, vectors: m, x: x.baseAddress!, y: y.baseAddress!, ldy: 4)
                    }
                }
            }
            for i in 0..<m {
                for k in whole..<rows { scores[i * PopulationScan.block + k] = tail[i * 4 + k - whole] }
            }
        }
    }
}
