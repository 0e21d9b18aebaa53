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
/// Ties go to the lower shopper row, so the plan depends only on the model, the catalog and the
/// history: every shard of a run computes the same plan. O(plan brands · shoppers · factors).
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

    /// The catalog's guaranteed or capped brands that the model knows, in model order.
    public let lines: [Line]
    /// Guaranteed placements a page carries at most.
    public let perPage: Int
    /// The line of each model brand, or -1.
    let lineOfBrand: [Int32]
    /// Capped brands.
    let capped: BrandSet
    /// Per shopper row, the guaranteed brands to place (CSR: `guaranteedStarts[r] ..< [r + 1]`).
    private let guaranteedStarts: [Int]
    private let guaranteedBrands: [Int32]
    /// Per shopper row, the capped brands the page may show.
    private let allowedStarts: [Int]
    private let allowedBrands: [Int32]

    /// No guarantees and no caps, for `brands` brands and `shoppers` shoppers.
    public init(brands: Int, shoppers: Int) {
        lines = []
        perPage = 0
        lineOfBrand = [Int32](repeating: -1, count: brands)
        capped = BrandSet(capacity: brands)
        guaranteedStarts = [Int](repeating: 0, count: shoppers + 1)
        guaranteedBrands = []
        allowedStarts = guaranteedStarts
        allowedBrands = []
    }

    /// The plan for the shoppers and brands of `model`, with the guarantees and caps of `catalog`
    /// (for brands in `showable`; a guarantee on a brand that cannot be shown plans nothing) and
    /// the shoppers' `history` rows (model indices), placing at most `perPage` guaranteed brands
    /// per page.
    public init(model: FactorModel, catalog: Catalog, showable: BrandSet, history: SparseMatrix, perPage: Int = 2) {
        let shoppers = model.shopperIDs.count
        let brands = model.brandIDs.count
        self.perPage = max(0, perPage)
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
        // Every shopper's factor scores for a few plan brands at a time: one pass over the
        // shopper factors serves them all (the table is read once per group, not once per brand).
        let group = 16
        var scores = [Float](repeating: 0, count: group * shoppers)
        var scored: [Int32] = []
        var vectors = [Float](repeating: 0, count: group * model.factors)
        /// Scores brands `next` (at most `group`) for every shopper, replacing the previous group.
        func score(_ next: ArraySlice<Int32>) {
            scored = Array(next)
            for (i, b) in scored.enumerated() {
                for f in 0..<model.factors { vectors[i * model.factors + f] = model.brandFactors[Int(b), f] }
            }
            model.shopperFactors.withUnsafeBufferPointer { x in
                vectors.withUnsafeBufferPointer { y in
                    scores.withUnsafeMutableBufferPointer {
                        RankingKernels.gemvRows(
                            factors: model.factors, rows: shoppers, table: x.baseAddress!, vectors: scored.count, x: y.baseAddress!,
                            y: $0.baseAddress!, ldy: shoppers)
                    }
                }
            }
        }
        var excluded = [Bool](repeating: false, count: shoppers)
        /// The `k` best shoppers for brand `b` (of the scored group) by score, not `excluded`,
        /// best first (ties: lower row).
        func best(_ k: Int, for b: Int32) -> [Int32] {
            let offset = scored.firstIndex(of: b)! * shoppers
            var top = TopK(k: min(k, shoppers))
            // Rows ascending: a score that only ties the worst kept one would lose the tie.
            var threshold = -Float.infinity
            scores.withUnsafeBufferPointer { scores in
                excluded.withUnsafeBufferPointer { excluded in
                    for r in 0..<shoppers where scores[offset + r] > threshold && !excluded[r] {
                        top.insert(Int32(r), score: scores[offset + r])
                        threshold = top.threshold
                    }
                }
            }
            return top.sorted().map(\.index)
        }

        // Guarantees, tightest first. A shopper who cannot be used is full: at most
        // ΣG / perPage of them, so looking at that many more than the guarantee always suffices.
        var room = [Int](repeating: self.perPage, count: shoppers)
        var placements: [(row: Int32, brand: Int32)] = []
        let guaranteed = lines.indices.filter { lines[$0].guarantee.map { $0 > 0 } == true && showable.contains(Int(lines[$0].brand)) }
        let totalGuarantee = guaranteed.reduce(0) { $0 + lines[$1].guarantee! }
        let tightness = { (l: Int) in Double(lines[l].guarantee!) / Double(max(1, shoppers - touched[l].count)) }
        let byTightness = self.perPage > 0 ? guaranteed.sorted(by: { (tightness($0), -$0) > (tightness($1), -$1) }) : []
        for (i, l) in byTightness.enumerated() {
            let b = lines[l].brand
            let guarantee = min(lines[l].guarantee!, lines[l].cap ?? .max)
            if i % group == 0 { score(byTightness[i..<min(i + group, byTightness.count)].map { lines[$0].brand }[...]) }
            for r in touched[l] { excluded[Int(r)] = true }
            // The best shoppers with room: look at twice the guarantee first, and more only when
            // too many of those are full (never more than the bound above).
            let bound = guarantee + totalGuarantee / self.perPage + 1
            var look = min(bound, 2 * guarantee + 16)
            var chosen: [Int32] = []
            while true {
                let ranked = best(look, for: b)
                chosen = ranked.filter { room[Int($0)] > 0 }.prefix(guarantee).map { $0 }
                if chosen.count == guarantee || ranked.count < look || look >= bound { break }
                look = min(bound, 2 * look)
            }
            for r in chosen { room[Int(r)] -= 1 }
            placements += chosen.map { ($0, b) }
            let planned = chosen.count
            for r in touched[l] { excluded[Int(r)] = false }
            lines[l].planned = planned
        }
        placements.sort { ($0.row, $0.brand) < ($1.row, $1.brand) }
        (guaranteedStarts, guaranteedBrands) = Self.rows(placements, shoppers: shoppers)

        // Caps: guaranteed placements, then the shoppers who touched the brand, then the best by score.
        var allowed: [(row: Int32, brand: Int32)] = []
        let cappedLines = lines.indices.filter { lines[$0].cap != nil }
        for (i, l) in cappedLines.enumerated() {
            let cap = lines[l].cap!
            let b = lines[l].brand
            if i % group == 0 { score(cappedLines[i..<min(i + group, cappedLines.count)].map { lines[$0].brand }[...]) }
            var chosen = placements.filter { $0.brand == b }.map(\.row)
            for r in chosen { excluded[Int(r)] = true }
            for r in touched[l] where chosen.count < cap && !excluded[Int(r)] {
                chosen.append(r)
                excluded[Int(r)] = true
            }
            if chosen.count < cap { chosen += best(cap - chosen.count, for: b) }
            for r in chosen { excluded[Int(r)] = false }
            allowed += chosen.prefix(cap).map { ($0, b) }
        }
        allowed.sort { ($0.row, $0.brand) < ($1.row, $1.brand) }
        (allowedStarts, allowedBrands) = Self.rows(allowed, shoppers: shoppers)
        self.lines = lines
        self.lineOfBrand = lineOfBrand
        self.capped = capped
    }

    /// `pairs` sorted by row, as CSR offsets and brands.
    private static func rows(_ pairs: [(row: Int32, brand: Int32)], shoppers: Int) -> ([Int], [Int32]) {
        var starts = [Int](repeating: 0, count: shoppers + 1)
        for pair in pairs { starts[Int(pair.row) + 1] += 1 }
        for r in 0..<shoppers { starts[r + 1] += starts[r] }
        return (starts, pairs.map(\.brand))
    }

    /// The guaranteed brands to place first on shopper row `row`'s picked floor.
    public func guaranteed(row: Int) -> ArraySlice<Int32> { guaranteedBrands[guaranteedStarts[row]..<guaranteedStarts[row + 1]] }

    /// The capped brands shopper row `row`'s page may show.
    public func allowedCapped(row: Int) -> ArraySlice<Int32> { allowedBrands[allowedStarts[row]..<allowedStarts[row + 1]] }
}
