import Testing
import VenueKit

/// A venue of a few brands and one layout: small enough that every slot, coupon and price a page
/// should get is worked out by hand beside the test.
private struct SmallVenue {
    /// The moment every page is for: midnight starting day 1000.
    static let at: Int64 = 1000 * 86_400
    let assembler: VenueAssembler

    /// Brands `B0`, `B1`, … as listed, all in stock and in the sale, equally popular, on `layout`.
    init(_ brands: [(category: String, price: Double, maxDiscountPercent: Int)], layout: VenueLayout) {
        var ids = IdentifierMap()
        let entries = brands.enumerated().map { b, brand in
            _ = ids.intern("B\(b)")
            return CatalogBrand(
                id: "B\(b)", name: "品牌\(b)", category: brand.category, merchant: "M", price: brand.price, participating: true,
                stock: .inStock, maxDiscountPercent: brand.maxDiscountPercent)
        }
        assembler = VenueAssembler(
            catalog: Catalog(brands: entries), layout: layout, brandIDs: ids, popularity: [Float](repeating: 1, count: brands.count))
    }

    /// One brand, `B0` in category `home`, on a picked floor of one slot.
    init(price: Double, maxDiscountPercent: Int) {
        self.init(
            [("home", price, maxDiscountPercent)], layout: VenueLayout(floors: [.init(id: "p", kind: .picked, title: "p", slots: 1)]))
    }

    /// A coupon valid on the venue's day only.
    static func coupon(_ id: String, _ kind: CouponKind, _ scope: CouponScope, _ threshold: Double, _ amount: Double) -> Coupon {
        Coupon(id: id, kind: kind, scope: scope, threshold: threshold, amount: amount, validFrom: at, validUntil: at + 86_399)
    }

    /// The page of a shopper with `candidates` (best first), `history` (ascending brands, with
    /// strengths) and `wallet`, and the assembler's tally of it.
    func page(candidates: [Int32] = [0], history: [(Int32, Float)] = [], wallet: [Coupon] = []) -> (VenuePage, VenueAssembler.Tally) {
        var scratch = VenueAssembler.Scratch(for: assembler)
        var tally = VenueAssembler.Tally()
        let scores = candidates.indices.map { Float(candidates.count - $0) }
        let shopper = VenueAssembler.Shopper(
            id: "S", at: Self.at, candidates: (candidates[...], scores[...]),
            history: (history.map(\.0)[...], history.map(\.1)[...]), coupons: wallet[...])
        return (assembler.assemble(shopper, scratch: &scratch, tally: &tally), tally)
    }

    /// The first card of the page of a shopper holding `wallet`.
    func card(_ wallet: [Coupon]) -> VenuePage.Slot? { page(wallet: wallet).0.floors.first?.slots.first }
}

@Suite("Page rules: known answers")
struct PageRuleTests {
    @Test("coupons stack store → category → cross-store → red envelope; never below zero; spend-more is exact")
    func couponStacking() {
        let venue = SmallVenue(price: 400, maxDiscountPercent: 10)
        let coupon = SmallVenue.coupon
        // Deal: 400 → 360. Store 满300减40 → 320; category 满300减30 → 290; cross-store 满300 not reached (290); red 20 → 270.
        let wallet = [
            coupon("s", .store, .brand("B0"), 300, 40), coupon("c", .category, .category("home"), 300, 30),
            coupon("x", .crossStore, .all, 300, 50), coupon("r", .redEnvelope, .all, 0, 20),
            coupon("far", .store, .brand("B0"), 500, 100),
        ]
        let (page, tally) = venue.page(wallet: wallet)
        let slot = page.floors.first?.slots.first
        #expect(slot?.deal?.percentOff == 10 && slot?.deal?.price == 360)
        #expect(slot?.finalPrice == 270)
        #expect(slot?.coupon?.id == "x" && slot?.coupon?.spendMore == 0, "largest reachable amount at the deal price")
        #expect(tally.couponsAttached == 1)
        // Only an unreachable coupon: it is shown with what is left to spend; a huge red envelope stops at zero.
        let far = venue.card([coupon("far", .store, .brand("B0"), 500, 100)])
        #expect(far?.coupon?.spendMore == 140 && far?.finalPrice == 360)
        #expect(venue.card([coupon("big", .redEnvelope, .all, 0, 1000)])?.finalPrice == 0)
    }

    @Test("each kind's coupon applies to the price the kinds before it left, in Taobao's order")
    func stackingOrder() {
        // Price 100, no deal: store 满95减5 → 95, category 满90减10 → 85, cross-store 满80减10 → 75,
        // red envelope 满50减25 → 50. Any two neighbours swapped end elsewhere: store and category
        // at 55, category and cross-store at 60, cross-store and red envelope at 60.
        let coupon = SmallVenue.coupon
        let card = SmallVenue(price: 100, maxDiscountPercent: 0).card([
            coupon("r", .redEnvelope, .all, 50, 25), coupon("x", .crossStore, .all, 80, 10),
            coupon("c", .category, .category("home"), 90, 10), coupon("s", .store, .brand("B0"), 95, 5),
        ])
        #expect(card?.deal == nil && card?.finalPrice == 50)
        #expect(card?.coupon?.id == "r", "the largest amount is shown")
    }

    @Test("coupon edges: valid through the last second of the last day; a threshold equal to the deal price is reached; ties")
    func couponEdges() {
        let coupon = SmallVenue.coupon
        let day = coupon("d", .redEnvelope, .all, 0, 5)
        #expect(!day.isValid(at: SmallVenue.at - 1) && day.isValid(at: SmallVenue.at))
        #expect(day.isValid(at: SmallVenue.at + 86_399) && !day.isValid(at: SmallVenue.at + 86_400))

        // Deal 400 → 360: 满360减60 is reached exactly.
        let venue = SmallVenue(price: 400, maxDiscountPercent: 10)
        let exact = venue.card([coupon("s", .store, .brand("B0"), 360, 60)])
        #expect(exact?.coupon?.spendMore == 0 && exact?.finalPrice == 300)
        // Equal amounts, reachable or not: the wallet's first (soonest expiry, then id) is shown.
        #expect(venue.card([coupon("t2", .store, .brand("B0"), 100, 20), coupon("t1", .crossStore, .all, 200, 20)])?.coupon?.id == "t1")
        let unreachable = venue.card([coupon("u2", .store, .brand("B0"), 500, 20), coupon("u1", .category, .category("home"), 500, 30)])
        #expect(unreachable?.coupon?.id == "u1" && unreachable?.coupon?.spendMore == 140)

        // Two category coupons for 10 off: the lower threshold stacks, since after the store
        // coupon the running price (70) reaches 60 but not 100; in either wallet order.
        let plain = SmallVenue(price: 100, maxDiscountPercent: 0)
        let store = coupon("s", .store, .brand("B0"), 100, 30)
        let high = coupon("c1", .category, .category("home"), 100, 10)
        let low = coupon("c2", .category, .category("home"), 60, 10)
        #expect(plain.card([store, high, low])?.finalPrice == 60)
        #expect(plain.card([store, low, high])?.finalPrice == 60)
    }

    @Test("deals: the brand's own discount, at most 90% off, to the cent; none at 0%")
    func deals() {
        let deepest = SmallVenue(price: 99.99, maxDiscountPercent: 95).card([])
        #expect(deepest?.deal?.percentOff == 90 && deepest?.deal?.price == 10 && deepest?.finalPrice == 10)
        let third = SmallVenue(price: 10, maxDiscountPercent: 33).card([])
        #expect(third?.deal?.percentOff == 33 && third?.deal?.price == 6.7)
        let none = SmallVenue(price: 10, maxDiscountPercent: 0).card([])
        #expect(none?.deal == nil && none?.finalPrice == 10)
    }

    @Test("mixed floors keep a category to N of any W consecutive slots, and are no stricter")
    func diversityWindow() {
        func picked(_ categories: [String], window: Int, most: Int) -> [String] {
            let venue = SmallVenue(
                categories.map { ($0, 100, 0) },
                layout: VenueLayout(
                    floors: [.init(id: "p", kind: .picked, title: "p", slots: categories.count)], diversityWindow: window,
                    maxPerCategory: most))
            return venue.page(candidates: categories.indices.map(Int32.init)).0.floors.first?.slots.map(\.brand) ?? []
        }
        // W 2, N 1: B1 would put two a's side by side; B3, after B2's b, does not.
        #expect(picked(["a", "a", "b", "a"], window: 2, most: 1) == ["B0", "B2", "B3"])
        // W 3, N 2: B2 would make three a's in three slots; B4's window (B1, B3, B4) holds two.
        #expect(picked(["a", "a", "a", "b", "a"], window: 3, most: 2) == ["B0", "B1", "B3", "B4"])
    }

    @Test("category floors: the shopper's categories by history weight, ties in catalog order")
    func categoryOrder() {
        // B0 is in z, listed first; B1 in a.
        let venue = SmallVenue(
            [("z", 100, 0), ("a", 100, 0)],
            layout: VenueLayout(floors: [.init(id: "c", kind: .category, title: "c", slots: 1, count: 2)]))
        func categories(_ strengths: [Float]) -> [String?] {
            venue.page(candidates: [], history: [(0, strengths[0]), (1, strengths[1])]).0.floors.map(\.category)
        }
        #expect(categories([1, 1]) == ["z", "a"])
        #expect(categories([1, 2]) == ["a", "z"])
        #expect(categories([2, 1]) == ["z", "a"])
    }
}
