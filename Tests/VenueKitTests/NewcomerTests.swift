import Foundation
import Testing
import VenueKit

/// Shoppers with events whom the model does not know (they arrived after it was trained) get
/// pages from folded-in factors and their own history, not cold starts.
@Suite("Newcomers")
struct NewcomerTests {
    @Test("a shopper the model does not know is folded in from its events: factor scores, follows and history on its page")
    func newcomerPage() throws {
        let fixtures = TestSupport.fixtures
        let log = try EventReader(format: .generic).read(path: fixtures + "/events.csv")
        let at = CalendarTime.seconds(year: 2026, month: 11, day: 11)
        // The first shopper with a favourite or follow among at least ten events, left out of training.
        var eventCount = [Int](repeating: 0, count: log.shopperIDs.count)
        for s in log.shoppers { eventCount[Int(s)] += 1 }
        let newcomer = try #require(
            (0..<log.count).first { (log.kinds[$0] == .favorite || log.kinds[$0] == .follow) && eventCount[Int(log.shoppers[$0])] >= 10 }
                .map { Int(log.shoppers[$0]) })
        let newcomerID = log.shopperIDs[newcomer]
        var settings = ALSConfiguration()
        settings.factors = 16
        var others = EventLog()  // new id maps: `filtered` would keep the newcomer's id
        for i in 0..<log.count where Int(log.shoppers[i]) != newcomer {
            others.append(
                shopper: log.shopperIDs[Int(log.shoppers[i])], brand: log.brandIDs[Int(log.brands[i])], kind: log.kinds[i],
                time: log.times[i],
                value: log.values[i])
        }
        let model = try ImplicitALS(settings).train(InteractionMatrix(log: others))
        #expect(model.shopperIDs.index(of: newcomerID) == nil)
        let generator = VenueGenerator(
            model: model, events: log, catalog: try Catalog.read(path: fixtures + "/catalog.csv"),
            wallets: try CouponWallets.read(path: fixtures + "/coupons.csv"), layout: try VenueLayout.read(path: fixtures + "/layout.json"),
            at: at)
        var pages: [VenuePage] = []
        generator.pages(for: [newcomerID, "NOBODY"]) { pages.append($0) }
        let (page, cold) = (pages[0], pages[1])

        // The newcomer's own brands, and those it follows or favourited.
        let own = (0..<log.count).filter { Int(log.shoppers[$0]) == newcomer }
        let touched = Set(own.map { log.brandIDs[Int(log.brands[$0])] })
        let follows = Set(own.filter { log.kinds[$0] == .favorite || log.kinds[$0] == .follow }.map { log.brandIDs[Int(log.brands[$0])] })
        let followedFloor = try #require(page.floors.first { $0.kind == .followed })
        #expect(followedFloor.slots.allSatisfy { follows.contains($0.brand) })
        #expect(!cold.floors.contains { $0.kind == .followed })

        // Picked brands are scored by the folded-in factors (plus the blend's popularity), none
        // of them the shopper's own.
        var ids = IdentifierMap()
        ids.intern(newcomerID)
        let row = InteractionMatrix(log: log.through(at), weighting: model.weighting).aligned(shoppers: ids, brands: model.brandIDs)
        var foldIn = FoldIn(model: model)
        let x = try foldIn.factors(brands: row.columnIndices, strengths: row.values)
        let blend = VenueBlend()
        let popularity = blend.popularity(log, at: at, brands: model.brandIDs)
        let picked = try #require(page.floors.first { $0.kind == .picked }).slots
        #expect(picked.count >= 4)
        for slot in picked {
            let b = try #require(model.brandIDs.index(of: slot.brand))
            let expected = zip(x, model.brandFactors.row(b)).reduce(0) { $0 + $1.0 * $1.1 } + blend.popularity * popularity[b]
            #expect(abs(slot.score - expected) <= 1e-4 * max(1, abs(expected)), "\(slot.brand)")
            #expect(!touched.contains(slot.brand))
        }
        #expect(picked.map(\.brand) != cold.floors.first { $0.kind == .picked }?.slots.map(\.brand))

        // The batch path writes the same pages, in order, with a model shopper beside them.
        let shoppers = [newcomerID, "NOBODY", model.shopperIDs[0]]
        var expected = JSONWriter()
        generator.pages(for: shoppers) {
            $0.writeJSON(to: &expected)
            expected.newline()
        }
        var written: [UInt8] = []
        _ = try generator.generate(shoppers: shoppers, threads: 2, blockSize: 1) { written += $0 }
        #expect(written == expected.bytes)
    }

    @Test("a shopper whose events all come after the pages' moment is still a cold start")
    func lateEvents() throws {
        var log = EventLog()
        let day: Int64 = 86_400
        for s in 0..<20 {
            for b in 0..<6 where (s + b) % 3 != 0 { log.append(shopper: "S\(s)", brand: "B\(b)", kind: .click, time: 10 * day) }
        }
        var settings = ALSConfiguration()
        settings.factors = 4
        let model = try ImplicitALS(settings).train(InteractionMatrix(log: log))
        log.append(shopper: "LATE", brand: "B1", kind: .favorite, time: 30 * day)
        #expect(model.shopperIDs.index(of: "LATE") == nil)
        let catalog = Catalog(
            brands: (0..<6).map {
                CatalogBrand(
                    id: "B\($0)", name: "品牌\($0)", category: "c\($0 % 2)", merchant: "M", price: 100, participating: true,
                    stock: .inStock, maxDiscountPercent: 0)
            })
        let layout = VenueLayout(floors: [
            .init(id: "yours", kind: .followed, title: "关注", slots: 3), .init(id: "picked", kind: .picked, title: "推荐", slots: 3),
        ])
        func page(_ id: String, at: Int64) -> VenuePage {
            let generator = VenueGenerator(model: model, events: log, catalog: catalog, wallets: CouponWallets([:]), layout: layout, at: at)
            var page = VenuePage()
            generator.pages(for: [id]) { page = $0 }
            return page
        }
        // Before its favourite the shopper is a cold start like any unknown id; after it, its page
        // has the followed floor.
        var unknown = page("NOBODY", at: 20 * day)
        unknown.shopper = "LATE"
        #expect(page("LATE", at: 20 * day) == unknown)
        #expect(page("LATE", at: 31 * day).floors.first?.slots.map(\.brand) == ["B1"])
    }
}
