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
/// history: every shard of a run computes the same plan. Building it (``Allocation``) is
/// O(plan brands · shoppers · factors), one pass over the shopper factors per 16 plan brands; an
/// allocation can be saved once and read by every shard instead (``Saved/json(brandIDs:)``).
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
        /// Whether the catalog let the brand be shown when the plan was made.
        public var showable: Bool
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

    /// What the plan decided for the population: a few numbers per plan brand.
    public let allocation: Allocation
    /// The catalog's guaranteed or capped brands that the model knows, in model order.
    public var lines: [Line] { allocation.lines }
    /// Guaranteed placements a page carries at most.
    public var perPage: Int { allocation.perPage }
    /// The line of each model brand, or -1.
    let lineOfBrand: [Int32]
    /// Capped brands.
    let capped: BrandSet
    /// The lines' brand factors, row-major, padded with zero rows to a multiple of 4.
    private let lineFactors: [Float]
    /// The model's factors and the history the pages are made from, to score a page's shopper.
    private let factors: Int
    private let shopperFactors: Matrix
    private let history: SparseMatrix
    /// Each model shopper's row in the population the allocation was made over, when the model
    /// holds part of it (`nil`: the same rows).
    private let populationRows: [Int32]?

    /// No guarantees and no caps, for `brands` brands (and any number of shoppers).
    public init(brands: Int) {
        allocation = Allocation(brands: brands)
        lineOfBrand = [Int32](repeating: -1, count: brands)
        capped = BrandSet(capacity: brands)
        lineFactors = []
        factors = 0
        shopperFactors = Matrix(rows: 0, columns: 0)
        history = SparseMatrix(rows: 0, columns: brands, rowIndices: [], columnIndices: [], values: [])
        populationRows = nil
    }

    /// The plan for the shoppers and brands of `model`, with the guarantees and caps of `catalog`
    /// (for brands in `showable`; a guarantee on a brand that cannot be shown plans nothing) and
    /// the shoppers' `history` rows (model indices), placing at most `perPage` guaranteed brands
    /// per page: ``Allocation/init(model:catalog:showable:history:perPage:threads:)``, on
    /// `threads` workers, then ``init(allocation:model:history:)``. The plan is the same on any
    /// thread count.
    public init(model: FactorModel, catalog: Catalog, showable: BrandSet, history: SparseMatrix, perPage: Int = 2, threads: Int = 1) {
        self.init(
            allocation: Allocation(
                model: model, catalog: catalog, showable: showable, history: history, perPage: perPage, threads: threads),
            model: model, history: history)
    }

    /// The plan of `allocation` (made for `model`'s shoppers and brands: its
    /// ``Allocation/shoppers`` and ``Allocation/brands`` must be theirs), placing brands on the
    /// pages of `model`'s shoppers with their `history` rows (model indices): the history the
    /// allocation was made from, for pages to get what it planned. When `model` holds part of
    /// the population (``ModelFile/read(path:keepingShoppers:)``), `populationRows` gives each of
    /// its shoppers' rows in the whole. O(plan brands · factors).
    public init(allocation: Allocation, model: FactorModel, history: SparseMatrix, populationRows: [Int32]? = nil) {
        precondition(
            (populationRows?.count ?? allocation.shoppers) == model.shopperIDs.count && allocation.brands == model.brandIDs.count,
            "an allocation for \(allocation.shoppers) shoppers and \(allocation.brands) brands, not the model's")
        precondition(populationRows?.last.map { Int($0) < allocation.shoppers } ?? true, "rows beyond the allocation's shoppers")
        var capped = BrandSet(capacity: allocation.brands)
        for line in allocation.lines where line.cap != nil { capped.insert(Int(line.brand)) }
        self.allocation = allocation
        lineOfBrand = Allocation.lineOfBrand(allocation.lines, brands: allocation.brands)
        self.capped = capped
        lineFactors = Allocation.lineFactors(allocation.lines, model: model)
        factors = model.factors
        shopperFactors = model.shopperFactors
        self.history = history
        self.populationRows = populationRows
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
        let r = populationRows?[row] ?? Int32(row)
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
        for l in allocation.guaranteeOrder where room > 0 {
            let l = Int(l)
            guard !workspace.touched[l], allocation.guaranteeThreshold[l].admits(workspace.scores[l], row: r) else { continue }
            workspace.placed[l] = true
            workspace.guaranteed.append(lines[l].brand)
            room -= 1
        }
        workspace.guaranteed.heapSort()
        for (l, line) in lines.enumerated() where line.cap != nil {
            let allowed =
                workspace.placed[l]
                || (workspace.touched[l]
                    ? r <= allocation.lastAllowedToucher[l] : allocation.capThreshold[l].admits(workspace.scores[l], row: r))
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
