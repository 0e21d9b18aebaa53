import Synchronization
import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra
import VenueRanking

extension ExposurePlan {
    /// What a plan decided for the whole population, as a few numbers per plan brand: for each
    /// guarantee, the last shopper it took (by score, then lower row) and its place in the order
    /// the guarantees chose; for each cap, the last toucher allowed and the last other shopper.
    /// Its size does not grow with the population, so it can be computed once, saved
    /// (``ExposurePlan/Saved/json(brandIDs:)``), and read by every shard of a run
    /// (``ExposurePlan/Saved/read(path:model:population:catalog:madeFrom:)``).
    public struct Allocation: Sendable, Equatable {
        /// The catalog's guaranteed or capped brands that the model knows, in model order.
        public let lines: [Line]
        /// Guaranteed placements a page carries at most.
        public let perPage: Int
        /// The shoppers of the population it was made over (the model's).
        public let shoppers: Int
        /// The model's brands.
        public let brands: Int
        /// The lines with placements, tightest first (the order they chose shoppers in).
        let guaranteeOrder: [Int32]
        /// Per line: the last shopper its guarantee took (shoppers with room who had not touched
        /// the brand, at or above it, were placed).
        let guaranteeThreshold: [Threshold]
        /// Per capped line: the row of the last shopper who touched the brand and may see it
        /// (-1: none; `Int32.max`: every one).
        let lastAllowedToucher: [Int32]
        /// Per capped line: the others (no placement, never touched) who may see it, at or above it.
        let capThreshold: [Threshold]

        /// No lines, for `brands` brands.
        init(brands: Int) {
            self.init(
                lines: [], perPage: 0, shoppers: 0, brands: brands, guaranteeOrder: [], guaranteeThreshold: [],
                lastAllowedToucher: [], capThreshold: [])
        }

        /// The lines of an allocation for brands `brandIDs` (a model's) under `catalog`: its
        /// guaranteed or capped brands that the model knows, in model order, each `showable` or
        /// not, with nothing planned yet. O(brands).
        static func lines(brandIDs: IdentifierMap, catalog: Catalog, showable: BrandSet) -> [Line] {
            (0..<brandIDs.count).compactMap { b in
                guard let entry = catalog[brandIDs[b]], entry.exposureGuarantee != nil || entry.exposureCap != nil else { return nil }
                return Line(
                    brand: Int32(b), guarantee: entry.exposureGuarantee, cap: entry.exposureCap, planned: 0, showable: showable.contains(b))
            }
        }

        /// Each of `brands` model brands' line in `lines`, or -1. O(brands).
        static func lineOfBrand(_ lines: [Line], brands: Int) -> [Int32] {
            var lineOfBrand = [Int32](repeating: -1, count: brands)
            for (l, line) in lines.enumerated() { lineOfBrand[Int(line.brand)] = Int32(l) }
            return lineOfBrand
        }

        /// The brand factors of `lines` in `model`, row-major, padded with zero rows to a multiple
        /// of 4 (for the four-row kernel). O(lines · factors).
        static func lineFactors(_ lines: [Line], model: FactorModel) -> [Float] {
            let f = model.factors
            var factors = [Float](repeating: 0, count: (lines.count + 3) / 4 * 4 * f)
            for (l, line) in lines.enumerated() {
                for k in 0..<f { factors[l * f + k] = model.brandFactors[Int(line.brand), k] }
            }
            return factors
        }

        /// An allocation as given (read from a file, checked there).
        init(
            lines: [Line], perPage: Int, shoppers: Int, brands: Int, guaranteeOrder: [Int32], guaranteeThreshold: [Threshold],
            lastAllowedToucher: [Int32], capThreshold: [Threshold]
        ) {
            self.lines = lines
            self.perPage = perPage
            self.shoppers = shoppers
            self.brands = brands
            self.guaranteeOrder = guaranteeOrder
            self.guaranteeThreshold = guaranteeThreshold
            self.lastAllowedToucher = lastAllowedToucher
            self.capThreshold = capThreshold
        }

        /// The allocation for the shoppers and brands of `model`, with the guarantees and caps of
        /// `catalog` (for brands in `showable`; a guarantee on a brand that cannot be shown plans
        /// nothing) and the shoppers' `history` rows (model indices), placing at most `perPage`
        /// guaranteed brands per page. The passes over the shoppers run on `threads` workers; the
        /// allocation is the same on any thread count. O(plan brands · shoppers · factors).
        public init(
            model: FactorModel, catalog: Catalog, showable: BrandSet, history: SparseMatrix, perPage: Int = 2, threads: Int = 1
        ) {
            let shoppers = model.shopperIDs.count
            let brands = model.brandIDs.count
            self.perPage = min(max(0, perPage), Int(UInt16.max))
            var lines = Self.lines(brandIDs: model.brandIDs, catalog: catalog, showable: showable)
            let lineOfBrand = Self.lineOfBrand(lines, brands: brands)
            // The shoppers who touched each plan brand, ascending.
            var touched = [[Int32]](repeating: [], count: lines.count)
            for r in 0..<min(history.rows, shoppers) {
                for b in history.columnIndices[history.range(ofRow: r)] where lineOfBrand[Int(b)] >= 0 {
                    touched[Int(lineOfBrand[Int(b)])].append(Int32(r))
                }
            }
            let scan = PopulationScan(factors: model.shopperFactors, lineFactors: Self.lineFactors(lines, model: model), threads: threads)

            // Guarantees, tightest first, 16 lines per pass over the shoppers.
            var room = [UInt16](repeating: UInt16(self.perPage), count: shoppers)
            var placed = [[Int32]](repeating: [], count: lines.count)
            var guaranteeThreshold = [Threshold](repeating: .none, count: lines.count)
            let guaranteed = lines.indices.filter { lines[$0].guarantee.map { $0 > 0 } == true && lines[$0].showable }
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
            self.shoppers = shoppers
            self.brands = brands
            self.guaranteeOrder = byTightness.filter { lines[$0].planned > 0 }.map(Int32.init)
            self.guaranteeThreshold = guaranteeThreshold
            self.lastAllowedToucher = lastAllowedToucher
            self.capThreshold = capThreshold
        }
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
