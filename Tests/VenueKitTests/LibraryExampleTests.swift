import Foundation
import Testing
import VenueKit

/// The README's Swift example, run as written: the README shows the lines between the markers
/// below, after `import VenueKit` and `let fixtures = "Fixtures"`.
@Suite("The README's library example")
struct LibraryExampleTests {
    /// The example, on the repository's fixtures: a shopper's top brands and venue page.
    static func example() throws -> (top: [String], page: VenuePage) {
        let fixtures = TestSupport.fixtures
        // README example begins
        // Events → a shopper × brand matrix → implicit ALS factors.
        let log = try EventReader(format: .generic).read(path: fixtures + "/events.csv")
        var settings = ALSConfiguration()
        settings.factors = 32
        let model = try ImplicitALS(settings).train(InteractionMatrix(log: log))

        // A shopper's ten best brands by factor score, among those the sale can show.
        let catalog = try Catalog.read(path: fixtures + "/catalog.csv")
        let ranker = BrandRanker(
            brands: BrandTable(model.brandFactors), rules: RankingRules(eligible: catalog.showable(among: model.brandIDs)))
        let row = model.shopperIDs.index(of: "S0001")!
        let ranked = ranker.rank(10, factors: model.shopperFactors.row(row), shopper: row)
        let top = ranked.brands.map { model.brandIDs[Int($0)] }

        // The shopper's venue page on the first day of the sale: floors of brand cards with deals
        // and the best coupon for each, and the wallet. `generate` is the parallel batch path.
        let generator = VenueGenerator(
            model: model, events: log, catalog: catalog, wallets: try CouponWallets.read(path: fixtures + "/coupons.csv"),
            layout: try VenueLayout.read(path: fixtures + "/layout.json"), at: CalendarTime.seconds(year: 2026, month: 11, day: 11))
        var page = VenuePage()
        generator.pages(for: ["S0001"]) { page = $0 }
        let html = page.html()  // or JSON: page.writeJSON(to:)
        // README example ends
        #expect(html.contains("S0001"))
        return (top, page)
    }

    @Test("the example runs: ten showable brands, and a page with floors for the shopper")
    func runs() throws {
        let (top, page) = try Self.example()
        let catalog = try Catalog.read(path: TestSupport.fixtures + "/catalog.csv")
        #expect(top.count == 10 && Set(top).count == 10)
        #expect(top.allSatisfy { catalog[$0]?.isShowable == true }, "every listed brand is in the sale and in stock")
        #expect(page.shopper == "S0001" && !page.floors.isEmpty && page.floors.allSatisfy { !$0.slots.isEmpty })
    }

    @Test("the README shows the example as the test runs it")
    func readmeMatches() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard let begin = lines.firstIndex(where: { $0.hasSuffix("// README example begins") }),
            let end = lines.firstIndex(where: { $0.hasSuffix("// README example ends") })
        else {
            Issue.record("markers not found")
            return
        }
        let example = lines[(begin + 1)..<end].map { $0.hasPrefix("        ") ? $0.dropFirst(8) : $0 }.joined(separator: "\n")
        let readme = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let block = "```swift\nimport VenueKit\n\nlet fixtures = \"Fixtures\"\n\n" + example + "\n```"
        let shown = readme.contains(block)
        #expect(shown, "README.md's Swift example differs from LibraryExampleTests.example(), which runs:\n\(block)")
    }
}
