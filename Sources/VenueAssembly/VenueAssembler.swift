import VenueInteractions
import VenueLinearAlgebra
import VenueRanking

/// Composes a shopper's venue page from ranked candidates, history, the catalog and the wallet,
/// under rules that always hold:
/// - no sold-out, non-participating or uncatalogued brand anywhere on the page;
/// - no displayed discount deeper than the brand allows;
/// - in followed, picked, similar and popular floors, a category at most `maxPerCategory` times in any
///   `diversityWindow` consecutive slots (a category floor is one category by design);
/// - a brand at most once per page;
/// - a capped brand only on the pages its ``ExposurePlan`` allows, and guaranteed placements
///   first on the picked floor of the pages it plans them for;
/// - identical inputs give identical pages.
///
/// Built once per population (catalog alignment, popularity lists);
/// ``assemble(_:scratch:tally:)`` is then O(candidates + history + wallet) per shopper and keeps
/// its per-brand state in a reusable ``Scratch``.
public struct VenueAssembler: Sendable {
    /// The layout.
    public let layout: VenueLayout
    /// Brand ids in the model's order (the indices ranked lists use).
    public let brandIDs: IdentifierMap
    /// Catalog entries by brand index; `nil` when the catalog does not list the brand.
    private let entries: [CatalogBrand?]
    /// Brands that may be shown.
    public let showable: BrandSet
    private let categoryOfBrand: [Int32]
    private let categories: [String]
    private let categoryIndex: [String: Int32]
    private let popular: [Int32]
    private let popularByCategory: [[Int32]]
    private let popularity: [Float]
    /// Each catalogued brand's own deal (``deal(_:)``), computed once.
    private let deals: [VenuePage.Deal?]
    /// Each catalogued brand's constant JSON (identity, price and deal).
    private let fragments: BrandFragments
    /// Merchants' exposure guarantees and caps.
    public let exposure: ExposurePlan
    /// Each brand's nearest brands, for similar floors (`nil`: those floors stay empty).
    public let nearest: NearestBrands?
    /// Per layout floor, the id of its floor for each category (category floors only; empty
    /// otherwise), so a page builds no strings.
    private let categoryFloorIDs: [[String]]

    /// An assembler for brands `brandIDs` (a model's order) with `popularity` per brand (higher
    /// is more popular; ties by index), honouring `exposure` (none by default). Similar floors
    /// draw on `nearest` (for the same brands; typically ranked among the showable ones,
    /// ``Catalog/showable(among:)``). O(brands log brands).
    public init(
        catalog: Catalog, layout: VenueLayout, brandIDs: IdentifierMap, popularity: [Float], exposure: ExposurePlan? = nil,
        nearest: NearestBrands? = nil
    ) {
        precondition(popularity.count == brandIDs.count, "popularity for \(popularity.count) brands, not \(brandIDs.count)")
        precondition(nearest.map { $0.count == brandIDs.count } ?? true, "nearest brands for \(nearest?.count ?? 0), not \(brandIDs.count)")
        self.exposure = exposure ?? ExposurePlan(brands: brandIDs.count)
        self.nearest = nearest
        self.layout = layout
        self.brandIDs = brandIDs
        self.popularity = popularity
        entries = (0..<brandIDs.count).map { catalog[brandIDs[$0]] }
        showable = catalog.showable(among: brandIDs)
        var categoryIndex: [String: Int32] = [:]
        var categories: [String] = []
        categoryOfBrand = entries.map { entry in
            guard let entry else { return -1 }
            if let i = categoryIndex[entry.category] { return i }
            categoryIndex[entry.category] = Int32(categories.count)
            categories.append(entry.category)
            return Int32(categories.count - 1)
        }
        self.categories = categories
        self.categoryIndex = categoryIndex
        categoryFloorIDs = layout.floors.map { spec in spec.kind == .category ? categories.map { spec.id + ":" + $0 } : [] }
        let showable = self.showable
        popular = (0..<brandIDs.count).filter(showable.contains).sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }.map(Int32.init)
        var byCategory = [[Int32]](repeating: [], count: categories.count)
        for b in popular { byCategory[Int(categoryOfBrand[Int(b)])].append(b) }
        popularByCategory = byCategory
        let deals = entries.map { $0.flatMap(Self.deal) }
        self.deals = deals
        fragments = BrandFragments(entries: entries, deals: deals)
    }

    /// Appends `page` as one JSON line's worth of bytes, exactly as ``VenuePage/writeJSON(to:)``
    /// does, but copying each brand's constant fields from a cache built once. O(page size).
    public func writeJSON(_ page: VenuePage, to json: inout JSONWriter) {
        page.writeJSON(to: &json, fragments: fragments)
    }

    /// What the assembler needs to know about one shopper.
    public struct Shopper: Sendable {
        /// Shopper id.
        public var id: String
        /// The moment the page is for (Unix seconds); coupons are checked against it.
        public var at: Int64
        /// Candidates from the venue ranker, best first (brand indices and scores).
        public var candidates: (brands: ArraySlice<Int32>, scores: ArraySlice<Float>)
        /// The shopper's history row: brands (sorted) and recency-weighted strengths.
        public var history: (brands: ArraySlice<Int32>, strengths: ArraySlice<Float>)
        /// Brands the shopper follows or favourited, with strengths.
        public var followed: (brands: ArraySlice<Int32>, strengths: ArraySlice<Float>)
        /// The shopper's coupons (valid or not; invalid ones are never shown): a wallet of
        /// ``CouponWallets``, or any array's `[...]`.
        public var coupons: ArraySlice<Coupon>
        /// Guaranteed brands to place first on the picked floor (``ExposurePlan/place(row:workspace:)``).
        public var guaranteed: ArraySlice<Int32> = []
        /// Capped brands this page may show (``ExposurePlan/place(row:workspace:)``); other capped
        /// brands never appear.
        public var allowedCapped: ArraySlice<Int32> = []

        /// A shopper.
        public init(
            id: String, at: Int64, candidates: (brands: ArraySlice<Int32>, scores: ArraySlice<Float>),
            history: (brands: ArraySlice<Int32>, strengths: ArraySlice<Float>) = ([], []),
            followed: (brands: ArraySlice<Int32>, strengths: ArraySlice<Float>) = ([], []), coupons: ArraySlice<Coupon> = []
        ) {
            self.id = id
            self.at = at
            self.candidates = candidates
            self.history = history
            self.followed = followed
            self.coupons = coupons
        }
    }

    /// Per-thread state, reused from shopper to shopper: page stamps per brand instead of sets.
    public struct Scratch: Sendable {
        var stamp: UInt32 = 0
        var used: [UInt32]
        var inHistory: [UInt32]
        var allowed: [UInt32]
        var categoryWeight: [Float]
        /// The shopper's categories by history weight (``topCategories(_:count:_:)``).
        var topCategories: [Int32] = []
        /// Slot storage of floors a page no longer has, for the next pages' floors.
        var spareSlots: [[VenuePage.Slot]] = []
        var recent: [Int32] = []
        var order: [Int] = []
        /// What each of the page's valid coupons applies to, by index (no string comparisons per card).
        var couponTargets: [CouponTarget] = []

        /// Scratch for `assembler`.
        public init(for assembler: VenueAssembler) {
            used = [UInt32](repeating: 0, count: assembler.brandIDs.count)
            inHistory = used
            allowed = used
            categoryWeight = [Float](repeating: 0, count: assembler.categories.count)
        }
    }

    /// A coupon's scope resolved to this assembler's indices.
    enum CouponTarget {
        /// Every brand.
        case all
        /// One brand, by index.
        case brand(Int32)
        /// One category, by index.
        case category(Int32)
        /// A brand or category this assembler does not know: covers nothing.
        case nothing
    }

    /// `scope` in indices. O(1) expected (one hash lookup).
    private func target(of scope: CouponScope) -> CouponTarget {
        switch scope {
        case .all: .all
        case .brand(let id): brandIDs.index(of: id).map { .brand(Int32($0)) } ?? .nothing
        case .category(let id): categoryIndex[id].map { .category($0) } ?? .nothing
        }
    }

    /// Counters a generation run reports.
    public struct Tally: Sendable, Equatable {
        /// Pages assembled.
        public var pages = 0
        /// Slots filled.
        public var slots = 0
        /// Cards with a coupon attached.
        public var couponsAttached = 0
        /// Candidates skipped because the brand is not showable (stock or sale rules).
        public var excludedByStock = 0
        /// Candidates skipped because the brand is capped and this page is not among its allowed ones.
        public var excludedByCap = 0
        /// Pages showing each ``ExposurePlan/lines`` brand, in that order (empty until one is shown).
        public var exposure: [Int] = []
        /// Guaranteed placements the plan gave the assembled pages (``Shopper/guaranteed``), per
        /// ``ExposurePlan/lines`` brand in that order (empty until one is planned): what a run over
        /// part of the population owes each guaranteed brand.
        public var planned: [Int] = []

        /// Zero counts.
        public init() {}

        /// Adds another tally.
        public mutating func add(_ other: Tally) {
            pages += other.pages
            slots += other.slots
            couponsAttached += other.couponsAttached
            excludedByStock += other.excludedByStock
            excludedByCap += other.excludedByCap
            Self.add(other.exposure, to: &exposure)
            Self.add(other.planned, to: &planned)
        }

        /// This tally plus `other`.
        public func adding(_ other: Tally) -> Tally {
            var sum = self
            sum.add(other)
            return sum
        }

        /// Adds `counts` to `total` element by element, padding `total` with zeros.
        static func add(_ counts: [Int], to total: inout [Int]) {
            if total.count < counts.count { total += [Int](repeating: 0, count: counts.count - total.count) }
            for (line, count) in counts.enumerated() { total[line] += count }
        }

        /// Adds one to `counts[line]`, sizing `counts` for `lines` lines on first use.
        static func count(line: Int, of lines: Int, in counts: inout [Int]) {
            if counts.isEmpty { counts = [Int](repeating: 0, count: lines) }
            counts[line] += 1
        }
    }

    /// The page of `shopper`. O(candidates + history · log slots + followed + coupons · slots).
    public func assemble(_ shopper: Shopper, scratch: inout Scratch, tally: inout Tally) -> VenuePage {
        var page = VenuePage()
        assemble(shopper, into: &page, scratch: &scratch, tally: &tally)
        return page
    }

    /// The page of `shopper` into `page`, replacing all of it but keeping the storage of its floors,
    /// slots and wallet: a worker that reuses one page (and holds no copy of it) allocates nothing
    /// per page once that storage has grown. The page is the same as ``assemble(_:scratch:tally:)``'s.
    /// O(candidates + history · log slots + followed + coupons · slots).
    public func assemble(_ shopper: Shopper, into page: inout VenuePage, scratch: inout Scratch, tally: inout Tally) {
        scratch.stamp &+= 1
        if scratch.stamp == 0 {  // wrapped: clear the stamps once every 2³² pages
            for i in scratch.used.indices { scratch.used[i] = 0; scratch.inHistory[i] = 0; scratch.allowed[i] = 0 }
            scratch.stamp = 1
        }
        let stamp = scratch.stamp
        for b in shopper.history.brands { scratch.inHistory[Int(b)] = stamp }
        for b in shopper.allowedCapped { scratch.allowed[Int(b)] = stamp }
        for b in shopper.guaranteed {
            let line = Int(exposure.lineOfBrand[Int(b)])
            if line >= 0 { Tally.count(line: line, of: exposure.lines.count, in: &tally.planned) }
        }
        page.shopper = shopper.id
        page.at = shopper.at
        validCoupons(shopper.coupons, at: shopper.at, into: &page.wallet.coupons)
        let coupons = page.wallet.coupons
        page.wallet.total = coupons.reduce(0) { $0 + $1.amount }
        scratch.couponTargets.removeAll(keepingCapacity: true)
        for coupon in coupons { scratch.couponTargets.append(target(of: coupon.scope)) }
        var floors = FloorBuilder()
        for (f, spec) in layout.floors.enumerated() {
            switch spec.kind {
            case .followed:
                scratch.order.removeAll(keepingCapacity: true)
                scratch.order.append(contentsOf: shopper.followed.brands.indices)
                let strengths = shopper.followed.strengths
                let brands = shopper.followed.brands
                scratch.order.heapSort { (strengths[$0], -brands[$0]) > (strengths[$1], -brands[$1]) }
                var slots = floors.begin(&page, &scratch)
                scratch.recent.removeAll(keepingCapacity: true)
                for i in scratch.order.indices {
                    guard slots.count < spec.slots else { break }
                    let b = scratch.order[i]
                    offer(brands[b], score: strengths[b], reason: .followed, diverse: true, into: &slots, coupons, &scratch, &tally)
                }
                floors.end(spec, id: spec.id, category: nil, &slots, &page, &scratch)
            case .picked:
                var slots = floors.begin(&page, &scratch)
                scratch.recent.removeAll(keepingCapacity: true)
                for b in shopper.guaranteed {
                    guard slots.count < spec.slots else { break }
                    offer(b, score: 0, reason: .guaranteed, diverse: true, into: &slots, coupons, &scratch, &tally)
                }
                for (b, score) in zip(shopper.candidates.brands, shopper.candidates.scores) {
                    guard slots.count < spec.slots else { break }
                    guard scratch.inHistory[Int(b)] != stamp else { continue }
                    offer(b, score: score, reason: .picked, diverse: true, into: &slots, coupons, &scratch, &tally)
                }
                floors.end(spec, id: spec.id, category: nil, &slots, &page, &scratch)
            case .similar:
                var slots = floors.begin(&page, &scratch)
                scratch.recent.removeAll(keepingCapacity: true)
                if let nearest { fillSimilar(spec.slots, shopper, nearest, into: &slots, coupons, &scratch, &tally) }
                floors.end(spec, id: spec.id, category: nil, &slots, &page, &scratch)
            case .category:
                for i in 0..<topCategories(shopper, count: spec.count, &scratch) {
                    let category = scratch.topCategories[i]
                    var slots = floors.begin(&page, &scratch)
                    for (b, score) in zip(shopper.candidates.brands, shopper.candidates.scores) where categoryOfBrand[Int(b)] == category {
                        guard slots.count < spec.slots else { break }
                        offer(b, score: score, reason: .category, diverse: false, into: &slots, coupons, &scratch, &tally)
                    }
                    for b in popularByCategory[Int(category)] {
                        guard slots.count < spec.slots else { break }
                        offer(b, score: popularity[Int(b)], reason: .category, diverse: false, into: &slots, coupons, &scratch, &tally)
                    }
                    floors.end(spec, id: categoryFloorIDs[f][Int(category)], category: categories[Int(category)], &slots, &page, &scratch)
                }
            case .popular:
                var slots = floors.begin(&page, &scratch)
                scratch.recent.removeAll(keepingCapacity: true)
                for b in popular {
                    guard slots.count < spec.slots else { break }
                    offer(b, score: popularity[Int(b)], reason: .popular, diverse: true, into: &slots, coupons, &scratch, &tally)
                }
                floors.end(spec, id: spec.id, category: nil, &slots, &page, &scratch)
            }
        }
        floors.finish(&page, &scratch)
        tally.pages += 1
    }

    /// Fills a page's floors in order, reusing the slot storage of the floors the page had (and of
    /// floors set aside in ``Scratch/spareSlots``): ``begin(_:_:)`` hands out an empty slot list,
    /// ``end(_:id:category:_:_:_:)`` makes it the next floor (or sets it aside when empty), and
    /// ``finish(_:_:)`` sets aside the old floors left over.
    private struct FloorBuilder {
        /// Floors written so far.
        private var count = 0

        /// An empty slot list with the storage of the next floor.
        func begin(_ page: inout VenuePage, _ scratch: inout Scratch) -> [VenuePage.Slot] {
            var slots: [VenuePage.Slot] = []
            if count < page.floors.count {
                swap(&slots, &page.floors[count].slots)
            } else if let spare = scratch.spareSlots.popLast() {
                slots = spare
            }
            slots.removeAll(keepingCapacity: true)
            return slots
        }

        /// Makes `slots` the next floor, or gives its storage back when it is empty (an empty floor
        /// is left out).
        mutating func end(
            _ spec: VenueLayout.Floor, id: String, category: String?, _ slots: inout [VenuePage.Slot], _ page: inout VenuePage,
            _ scratch: inout Scratch
        ) {
            if slots.isEmpty {
                if count < page.floors.count { swap(&slots, &page.floors[count].slots) } else { scratch.spareSlots.append(slots) }
                return
            }
            if count < page.floors.count {
                page.floors[count].id = id
                page.floors[count].kind = spec.kind
                page.floors[count].title = spec.title
                page.floors[count].category = category
                swap(&slots, &page.floors[count].slots)
            } else {
                page.floors.append(VenuePage.Floor(id: id, kind: spec.kind, title: spec.title, category: category, slots: slots))
            }
            count += 1
        }

        /// Drops the old floors beyond those written, keeping their slot storage in `scratch`.
        func finish(_ page: inout VenuePage, _ scratch: inout Scratch) {
            while page.floors.count > count { scratch.spareSlots.append(page.floors.removeLast().slots) }
        }
    }

    /// A similar floor of up to `count` slots: the shopper's `count` strongest catalogued brands
    /// (by history strength, ties to the lower index) take turns, each offering its next nearest
    /// brand not in the history, so the floor mixes the brands it is like.
    /// O(history · log count + count · nearest.perBrand), plus O(count) per strong brand found.
    private func fillSimilar(
        _ count: Int, _ shopper: Shopper, _ nearest: NearestBrands, into slots: inout [VenuePage.Slot], _ coupons: [Coupon],
        _ scratch: inout Scratch, _ tally: inout Tally
    ) {
        let (brands, strengths) = shopper.history
        // The strongest `count`, best first, kept sorted as the history streams by.
        func before(_ i: Int, _ j: Int) -> Bool { (strengths[i], -brands[i]) > (strengths[j], -brands[j]) }
        scratch.order.removeAll(keepingCapacity: true)
        for i in brands.indices where entries[Int(brands[i])] != nil {
            if scratch.order.count == count {
                guard before(i, scratch.order[count - 1]) else { continue }
                scratch.order.removeLast()
            }
            var (low, high) = (0, scratch.order.count)
            while low < high {
                let middle = (low + high) / 2
                if before(scratch.order[middle], i) { low = middle + 1 } else { high = middle }
            }
            scratch.order.insert(i, at: low)
        }
        let stamp = scratch.stamp
        for rank in 0..<nearest.perBrand {
            for i in scratch.order {
                guard slots.count < count else { return }
                let seed = brands[i]
                guard let (b, score) = nearest.neighbour(of: Int(seed), rank: rank), scratch.inHistory[Int(b)] != stamp else { continue }
                let filled = slots.count
                offer(b, score: score, reason: .similar, diverse: true, into: &slots, coupons, &scratch, &tally)
                if slots.count > filled, let liked = entries[Int(seed)] {
                    slots[filled].like = VenuePage.Like(brand: liked.id, name: liked.name)
                }
            }
        }
    }

    /// Adds brand `b` as the next slot when it is showable, not yet on the page and (for mixed
    /// floors) keeps the diversity rule.
    private func offer(
        _ b: Int32, score: Float, reason: VenuePage.Reason, diverse: Bool, into slots: inout [VenuePage.Slot],
        _ coupons: [Coupon], _ scratch: inout Scratch, _ tally: inout Tally
    ) {
        let index = Int(b)
        guard scratch.used[index] != scratch.stamp else { return }
        guard showable.contains(index), let entry = entries[index] else {
            tally.excludedByStock += 1
            return
        }
        guard !exposure.capped.contains(index) || scratch.allowed[index] == scratch.stamp else {
            tally.excludedByCap += 1
            return
        }
        let category = categoryOfBrand[index]
        if diverse {
            let window = layout.diversityWindow - 1
            var same = 0
            for c in scratch.recent.suffix(window) where c == category { same += 1 }
            guard same < layout.maxPerCategory else { return }
            scratch.recent.append(category)
        }
        scratch.used[index] = scratch.stamp
        let slot = card(entry, index: b, score: score, reason: reason, coupons: coupons, targets: scratch.couponTargets)
        if slot.coupon != nil { tally.couponsAttached += 1 }
        let line = Int(exposure.lineOfBrand[index])
        if line >= 0 { Tally.count(line: line, of: exposure.lines.count, in: &tally.exposure) }
        tally.slots += 1
        slots.append(slot)
    }

    /// The shopper's `count` categories with the most history weight (ties by first appearance in
    /// the catalog), into the first elements of `scratch.topCategories`; returns how many there are.
    private func topCategories(_ shopper: Shopper, count: Int, _ scratch: inout Scratch) -> Int {
        scratch.topCategories.removeAll(keepingCapacity: true)
        for (b, strength) in zip(shopper.history.brands, shopper.history.strengths) {
            let c = categoryOfBrand[Int(b)]
            guard c >= 0 else { continue }
            if scratch.categoryWeight[Int(c)] == 0 { scratch.topCategories.append(c) }
            scratch.categoryWeight[Int(c)] += max(strength, .leastNonzeroMagnitude)
        }
        let weights = scratch.categoryWeight
        scratch.topCategories.heapSort { (weights[Int($0)], -$0) > (weights[Int($1)], -$1) }
        for c in scratch.topCategories { scratch.categoryWeight[Int(c)] = 0 }
        return min(count, scratch.topCategories.count)
    }

    /// A brand card: the brand's deal at its allowed discount, the best coupon and the stacked
    /// final price.
    /// `targets` are the coupons' scopes in indices (``target(of:)``).
    func card(
        _ entry: CatalogBrand, index: Int32, score: Float, reason: VenuePage.Reason, coupons: [Coupon], targets: [CouponTarget]
    ) -> VenuePage.Slot {
        let category = categoryOfBrand[Int(index)]
        let deal = deals[Int(index)]
        let dealPrice = deal?.price ?? entry.price
        // Best coupon: the largest reachable amount; if none is reachable, the nearest threshold.
        // Coupons are named by index, so choosing copies none of them.
        var best = -1
        var bestReachable = false
        // One coupon of each kind stacks: the largest reachable per kind (of equal amounts, the
        // lowest threshold, which the running price reaches whenever the others' does), applied
        // in Taobao's order.
        var stack = (-1, -1, -1, -1)
        for c in coupons.indices {
            switch targets[c] {
            case .all: break
            case .brand(let b): guard b == index else { continue }
            case .category(let k): guard k == category else { continue }
            case .nothing: continue
            }
            let amount = coupons[c].amount
            let threshold = coupons[c].threshold
            let reachable = threshold <= dealPrice
            if reachable {
                func keep(_ slot: inout Int) {
                    if slot < 0 || (amount, -threshold) > (coupons[slot].amount, -coupons[slot].threshold) { slot = c }
                }
                switch coupons[c].kind.stackingOrder {
                case 0: keep(&stack.0)
                case 1: keep(&stack.1)
                case 2: keep(&stack.2)
                default: keep(&stack.3)
                }
            }
            let better =
                best < 0
                || (reachable
                    ? (!bestReachable || amount > coupons[best].amount)
                    : (!bestReachable && threshold < coupons[best].threshold))
            if better {
                best = c
                bestReachable = reachable
            }
        }
        var final = dealPrice
        func apply(_ c: Int) { if c >= 0, final >= coupons[c].threshold { final = max(0, final - coupons[c].amount) } }
        apply(stack.0)
        apply(stack.1)
        apply(stack.2)
        apply(stack.3)
        return VenuePage.Slot(
            brand: entry.id, name: entry.name, category: entry.category, reason: reason, score: score, price: entry.price,
            deal: deal,
            coupon: best < 0
                ? nil
                : VenuePage.AppliedCoupon(
                    id: coupons[best].id, kind: coupons[best].kind, amount: coupons[best].amount, threshold: coupons[best].threshold,
                    spendMore: Self.cents(max(0, coupons[best].threshold - dealPrice))),
            finalPrice: Self.cents(final), lowStock: entry.stock == .low, brandIndex: index)
    }

    /// The coupons valid at `time`, each once (first of a duplicated id), soonest expiry first,
    /// into `valid`, replacing its contents and keeping its capacity.
    func validCoupons(_ coupons: ArraySlice<Coupon>, at time: Int64, into valid: inout [Coupon]) {
        valid.removeAll(keepingCapacity: true)
        for coupon in coupons where coupon.isValid(at: time) && !valid.contains(where: { $0.id == coupon.id }) { valid.append(coupon) }
        // Ids are unique here, so the order is total.
        valid.heapSort { ($0.validUntil, $0.id) < ($1.validUntil, $1.id) }
    }

    /// The brand's own deal: its allowed discount (capped at 90%) off its price, to the cent;
    /// `nil` when it allows none.
    static func deal(_ entry: CatalogBrand) -> VenuePage.Deal? {
        let percent = min(max(entry.maxDiscountPercent, 0), 90)
        guard percent > 0 else { return nil }
        return VenuePage.Deal(percentOff: percent, price: cents(entry.price * Double(100 - percent) / 100))
    }

    static func cents(_ yuan: Double) -> Double { (yuan * 100).rounded() / 100 }
}
