import Foundation
import Testing
import VenueKit

/// A random marketplace for property tests: catalog, layout, and shoppers with candidates,
/// history, follows and wallets.
private struct RandomWorld {
    let catalog: Catalog
    let layout: VenueLayout
    let assembler: VenueAssembler
    let brandIDs: IdentifierMap
    /// Each brand's nearest showable brands, by random factors.
    let nearest: NearestBrands
    var random: SeededRandom
    static let day: Int64 = 86_400
    static let at: Int64 = 20_000 * day

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let brands = 30 + random.below(150)
        let categories = 1 + random.below(8)
        var list: [CatalogBrand] = []
        var ids = IdentifierMap()
        for b in 0..<brands {
            let id = "B\(b)"
            _ = ids.intern(id)
            guard random.unit() < 0.9 else { continue }  // some brands are not in the catalog
            list.append(
                CatalogBrand(
                    id: id, name: "品牌 \"\(b)\"\\", category: "c\(random.below(categories))", merchant: "M\(random.below(20))",
                    price: Double(1 + random.below(2000)) + Double(random.below(100)) / 100, participating: random.unit() < 0.85,
                    stock: StockLevel.allCases[random.below(3)], maxDiscountPercent: random.below(91)))
        }
        catalog = Catalog(brands: list)
        brandIDs = ids
        layout = VenueLayout(
            floors: [
                .init(id: "yours", kind: .followed, title: "关注", slots: 1 + random.below(8)),
                .init(id: "picked", kind: .picked, title: "推荐", slots: 1 + random.below(15)),
                .init(id: "similar", kind: .similar, title: "相似", slots: 1 + random.below(8)),
                .init(id: "cat", kind: .category, title: "品类", slots: 1 + random.below(8), count: 1 + random.below(3)),
                .init(id: "popular", kind: .popular, title: "热卖", slots: 1 + random.below(10)),
            ], diversityWindow: 2 + random.below(4), maxPerCategory: 1 + random.below(2))
        let popularity = (0..<brands).map { _ in Float(random.below(50)) }
        let factors = Matrix(rows: brands, columns: 6, storage: (0..<brands * 6).map { _ in Float(random.unit()) - 0.5 })
        nearest = NearestBrands(
            SimilarBrands(brandFactors: factors, eligible: catalog.showable(among: ids)), perBrand: 1 + random.below(12), threads: 1)
        assembler = VenueAssembler(catalog: catalog, layout: layout, brandIDs: ids, popularity: popularity, nearest: nearest)
        self.random = random
    }

    mutating func shopper(_ n: Int) -> VenueAssembler.Shopper {
        let brands = brandIDs.count
        let candidates = (0..<brands).shuffled(using: &random).prefix(random.below(brands)).map(Int32.init)
        let scores = candidates.indices.map { Float(candidates.count - $0) / 10 }
        let history = Array(Set((0..<random.below(20)).map { _ in Int32(random.below(brands)) })).sorted()
        let followed = history.filter { _ in random.unit() < 0.5 }
        let coupons = (0..<random.below(8)).map { i -> Coupon in
            let kind = CouponKind.allCases[random.below(4)]
            let scope: CouponScope =
                switch kind {
                case .store: .brand("B\(random.below(brands))")
                case .category: .category("c\(random.below(4))")
                default: .all
                }
            let from = Self.at + Int64(random.below(10) - 6) * Self.day
            return Coupon(
                id: "C\(n)-\(i % 5)", kind: kind, scope: scope, threshold: Double(random.below(3) * 100),
                amount: Double(5 + random.below(60)),
                validFrom: from, validUntil: from + Int64(random.below(6)) * Self.day + 86_399)
        }
        return VenueAssembler.Shopper(
            id: "S\(n)", at: Self.at, candidates: (candidates[...], scores[...]),
            history: (history[...], history.map { _ in Float(random.below(10)) }[...]),
            followed: (followed[...], followed.map { _ in Float(1 + random.below(5)) }[...]), coupons: coupons[...])
    }
}

@Suite("Venue pages")
struct VenueTests {
    @Test("page invariants hold for many random shoppers and catalogs", arguments: 1...8)
    func invariants(seed: UInt64) throws {
        var world = RandomWorld(seed: seed)
        var scratch = VenueAssembler.Scratch(for: world.assembler)
        var tally = VenueAssembler.Tally()
        // One page reused for every shopper, as the generator's workers do.
        var reused = VenuePage()
        var reusedScratch = VenueAssembler.Scratch(for: world.assembler)
        var reusedTally = VenueAssembler.Tally()
        for n in 0..<150 {
            let shopper = world.shopper(n)
            let page = world.assembler.assemble(shopper, scratch: &scratch, tally: &tally)
            world.assembler.assemble(shopper, into: &reused, scratch: &reusedScratch, tally: &reusedTally)
            let same = reused == page  // a Bool, so a failure does not print two whole pages
            #expect(same, "shopper \(n): a reused page is the same page")
            var seen: Set<String> = []
            for floor in page.floors {
                #expect(!floor.slots.isEmpty)
                let spec = world.layout.floors.first { floor.id.hasPrefix($0.id) }!
                #expect(floor.slots.count <= spec.slots)
                for (i, slot) in floor.slots.enumerated() {
                    let entry = world.catalog[slot.brand]
                    #expect(entry?.isShowable == true, "\(slot.brand) is sold out, not in the sale or not in the catalog")
                    #expect(seen.insert(slot.brand).inserted, "\(slot.brand) twice on \(page.shopper)'s page")
                    if let deal = slot.deal, let entry { #expect(deal.percentOff <= entry.maxDiscountPercent && deal.price >= 0) }
                    #expect(slot.finalPrice >= 0 && slot.finalPrice <= slot.price)
                    if floor.kind == .category { #expect(slot.category == floor.category) }
                    if floor.kind != .category {
                        let window = floor.slots[max(0, i - world.layout.diversityWindow + 1)...i]
                        #expect(window.filter { $0.category == slot.category }.count <= world.layout.maxPerCategory)
                    }
                    let index = Int32(world.brandIDs.index(of: slot.brand)!)
                    if floor.kind == .picked || floor.kind == .similar { #expect(!shopper.history.brands.contains(index)) }
                    // A similar card is like one of the shopper's brands, and among its nearest.
                    #expect((floor.kind == .similar) == (slot.reason == .similar) && (slot.reason == .similar) == (slot.like != nil))
                    if let like = slot.like {
                        let liked = try #require(world.brandIDs.index(of: like.brand))
                        #expect(shopper.history.brands.contains(Int32(liked)) && world.catalog[like.brand]?.name == like.name)
                        #expect(world.nearest[liked].brands.contains(index), "\(slot.brand) is not among \(like.brand)'s nearest")
                    }
                }
            }
            // Wallet: valid coupons only, each id once, soonest expiry first, total adds up.
            let wallet = page.wallet.coupons
            #expect(wallet.allSatisfy { $0.isValid(at: shopper.at) })
            #expect(Set(wallet.map(\.id)).count == wallet.count)
            #expect(zip(wallet, wallet.dropFirst()).allSatisfy { $0.validUntil <= $1.validUntil })
            #expect(page.wallet.total == wallet.reduce(0) { $0 + $1.amount })
            let expectedValid = Set(shopper.coupons.filter { $0.isValid(at: shopper.at) }.map(\.id))
            #expect(Set(wallet.map(\.id)) == expectedValid)
            // Identical inputs → identical bytes, with a fresh scratch too.
            var fresh = VenueAssembler.Scratch(for: world.assembler)
            var a = JSONWriter()
            var b = JSONWriter()
            page.writeJSON(to: &a)
            world.assembler.assemble(shopper, scratch: &fresh, tally: &tally).writeJSON(to: &b)
            #expect(a.bytes == b.bytes)
            var cached = JSONWriter()
            world.assembler.writeJSON(page, to: &cached)
            #expect(cached.bytes == a.bytes, "the cached brand fragments write the same bytes")
            // An edited card is encoded from its fields, not from the cache.
            if !page.floors.isEmpty {
                var edited = page
                edited.floors[0].slots[0].price += 1
                edited.floors[0].slots[0].name = "edited \"name\""
                var plain = JSONWriter()
                var viaAssembler = JSONWriter()
                edited.writeJSON(to: &plain)
                world.assembler.writeJSON(edited, to: &viaAssembler)
                #expect(viaAssembler.bytes == plain.bytes && plain.bytes != a.bytes)
            }
            // Cards sharing a coupon copy its bytes from earlier on the line: every card's coupon
            // still reads back as its own, also after one card's coupon is edited.
            var edited = page
            if let f = edited.floors.indices.last, let s = edited.floors[f].slots.indices.last, edited.floors[f].slots[s].coupon != nil {
                edited.floors[f].slots[s].coupon!.amount += 0.5
            }
            for version in [page, edited] {
                var line = JSONWriter()
                world.assembler.writeJSON(version, to: &line)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.bytes)) as? [String: Any])
                let floors = try #require(object["floors"] as? [[String: Any]])
                let read = floors.flatMap { ($0["slots"] as? [[String: Any]]) ?? [] }.map { $0["coupon"] as? [String: Any] }
                let slots = version.floors.flatMap(\.slots)
                #expect(read.count == slots.count)
                for (json, slot) in zip(read, slots) {
                    #expect((json == nil) == (slot.coupon == nil))
                    guard let json, let coupon = slot.coupon else { continue }
                    #expect(json["id"] as? String == coupon.id && json["kind"] as? String == coupon.kind.rawValue)
                    #expect((json["amount"] as? NSNumber)?.doubleValue == coupon.amount)
                    #expect((json["threshold"] as? NSNumber)?.doubleValue == coupon.threshold)
                    #expect((json["spend_more"] as? NSNumber)?.doubleValue == coupon.spendMore)
                }
            }
        }
    }

    @Test("a similar floor: the shopper's strongest brands take turns offering their nearest brands not in the history")
    func similarFloor() {
        // Two directions: B0–B2 point one way, B4–B6 the other, B3 between them, B7 away from all.
        let factors: [(Float, Float)] = [(1, 0), (1, 0.1), (1, 0.3), (1, 1), (0, 1), (0.1, 1), (0.3, 1), (-1, 0)]
        var ids = IdentifierMap()
        for b in factors.indices { _ = ids.intern("B\(b)") }
        let catalog = Catalog(
            brands: factors.indices.map {
                CatalogBrand(
                    id: "B\($0)", name: "品牌\($0)", category: "c\($0)", merchant: "M", price: 100, participating: true, stock: .inStock,
                    maxDiscountPercent: 0)
            })
        let matrix = Matrix(rows: factors.count, columns: 2, storage: factors.flatMap { [$0.0, $0.1] })
        let layout = VenueLayout(floors: [.init(id: "like", kind: .similar, title: "相似", slots: 4)])
        func floor(perBrand: Int?) -> [(brand: String, like: String?)] {
            let nearest = perBrand.map { NearestBrands(SimilarBrands(brandFactors: matrix, eligible: nil), perBrand: $0, threads: 1) }
            let assembler = VenueAssembler(
                catalog: catalog, layout: layout, brandIDs: ids, popularity: [Float](repeating: 0, count: factors.count),
                nearest: nearest)
            var scratch = VenueAssembler.Scratch(for: assembler)
            var tally = VenueAssembler.Tally()
            // History B0 (strongest), B1 (weakest), B4: seeds B0, B4, B1 in turn.
            let shopper = VenueAssembler.Shopper(
                id: "S", at: 0, candidates: ([], []), history: ([0, 1, 4], [5, 0.5, 3]))
            let page = assembler.assemble(shopper, scratch: &scratch, tally: &tally)
            return page.floors.flatMap(\.slots).map { ($0.brand, $0.like?.brand) }
        }
        // Turn 1: B0's nearest B1 and B1's nearest B0 are history, B4 offers B5. Turn 2: B0 offers
        // B2, B4 offers B6, B1's B2 is on the page already. Turn 3: B0 offers B3, and the floor is full.
        let full = floor(perBrand: 7)
        #expect(full.map(\.brand) == ["B5", "B2", "B6", "B3"])
        #expect(full.map(\.like) == ["B4", "B0", "B4", "B0"])
        // One nearest brand each: only B4's first is new.
        #expect(floor(perBrand: 1).map(\.brand) == ["B5"])
        // Without nearest brands the floor is left out.
        #expect(floor(perBrand: nil).isEmpty)
    }

    @Test("JSON writer: copies are independent, growth keeps the bytes, reset keeps nothing")
    func jsonWriterStorage() {
        var a = JSONWriter()
        a.raw("[")
        var b = a
        b.string("copy")
        #expect(a.bytes == Array("[".utf8) && b.bytes == Array("[\"copy\"".utf8))
        let long = String(repeating: "双11 🧧 ", count: 2000)  // far beyond the first capacity
        for _ in 0..<3 { a.string(long) }
        #expect(a.count == 1 + 3 * (long.utf8.count + 2))
        #expect(a.bytes == Array(("[" + String(repeating: "\"" + long + "\"", count: 3)).utf8))
        let kept = a
        a.reset()
        a.integer(-42)
        #expect(a.bytes == Array("-42".utf8) && kept.count == 1 + 3 * (long.utf8.count + 2))
        a.withUnsafeBytes { #expect(Array($0) == Array("-42".utf8)) }
    }

    @Test("JSON decimals agree with rounding half away from zero and trimming, for any magnitude and places")
    func jsonDecimals() {
        var random = SeededRandom(seed: 11)
        var json = JSONWriter()
        for trial in 0..<20_000 {
            let places = trial % 7
            let magnitude = [1e-3, 0.5, 1, 99.995, 1e4, 1e7, 8e12][trial % 7 == 0 ? 6 : Int(random.next() % 7)]
            var value = (Double(random.next() % 2_000_001) / 1_000_000 - 1) * magnitude
            if trial % 5 == 0 { value = (value * 200).rounded() / 200 }  // exact halves at two places
            // Reference: the libm rounding, trailing zeros trimmed, the point put back by text.
            var scaled = Int64((value * pow(10, Double(places))).rounded())
            var kept = places
            while kept > 0 && scaled % 10 == 0 {
                scaled /= 10
                kept -= 1
            }
            var digits = String(scaled.magnitude)
            if kept > 0 {
                digits = String(repeating: "0", count: max(0, kept + 1 - digits.count)) + digits
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -kept))
            }
            let expected = (scaled < 0 ? "-" : "") + digits
            json.reset()
            json.decimal(value, places: places)
            #expect(String(decoding: json.bytes, as: UTF8.self) == expected, "\(value) at \(places) places")
        }
    }

    @Test("JSON dates and prefixed strings: the same bytes as encoding the built strings")
    func jsonDatesAndPrefixes() {
        var random = SeededRandom(seed: 5)
        for trial in 0..<5_000 {
            // Around the epoch, across centuries, and before 1970 (negative seconds).
            let span: Int64 = trial % 3 == 0 ? 86_400 * 3 : 86_400 * 365 * 400
            let seconds = Int64(random.next() % UInt64(2 * span)) - span
            var direct = JSONWriter()
            var built = JSONWriter()
            direct.date(seconds)
            built.string(CalendarTime.isoDate(seconds))
            #expect(direct.bytes == built.bytes, "\(seconds)")
        }
        for text in ["B12", "a\"b\\c\n", "双11 🧧", ""] {
            var direct = JSONWriter()
            var built = JSONWriter()
            direct.string(prefix: "brand:", text)
            built.string("brand:" + text)
            #expect(direct.bytes == built.bytes)
        }
        var json = JSONWriter()
        json.raw("[")
        json.string("repeat me")
        json.repeatWritten(0..<json.count)
        #expect(String(decoding: json.bytes, as: UTF8.self) == "[\"repeat me\"[\"repeat me\"")
    }

    @Test("JSON strings: quotes, backslashes, control characters, emoji and Chinese round-trip")
    func jsonEscaping() throws {
        let samples = ["plain", "quote \" and \\ backslash", "tab\tnew\nline\rreturn", "\u{0}\u{1}\u{1F}\u{7F}", "🧧🛍️👩‍👩‍👧", "双11 · 山海", ""]
        for text in samples {
            var json = JSONWriter()
            json.raw("[")
            json.string(text)
            json.raw("]")
            let parsed = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String]
            #expect(parsed == [text])
            #expect(!json.bytes.contains { $0 < 0x20 }, "no raw control bytes")
        }
        var json = JSONWriter()
        for (value, places) in [(1.05, 2), (1.5, 2), (-0.004, 2), (207.9, 2), (0.6063, 4), (12.0, 2), (-3.25, 2), (Double.nan, 2)] {
            json.decimal(value, places: places)
            json.raw(" ")
        }
        #expect(String(decoding: json.bytes, as: UTF8.self) == "1.05 1.5 0 207.9 0.6063 12 -3.25 null ")
        json.reset()
        for (value, places) in [(-0.05, 2), (0.007, 3), (123_456_789.125, 2), (0.5, 0), (-7.0, 6)] {
            json.decimal(value, places: places)
            json.raw(" ")
        }
        json.integer(.min)
        #expect(String(decoding: json.bytes, as: UTF8.self) == "-0.05 0.007 123456789.13 1 -7 -9223372036854775808")
        #expect(VenuePage.escape("<a href=\"x\">&'</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;")
    }

    @Test("coupon wallets: each shopper's coupons together in file order, however the file interleaves them; scopes and amounts as written")
    func walletsKeepFileOrder() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let path = folder + "/coupons.csv"
        try """
        valid_until,shopper,coupon,kind,scope,threshold,amount,valid_from,note
        2026-11-11,S2,C1,store,brand:B1,99,10,2026-11-01,x
        2026-11-11,S1,C2,red_envelope,all,0,5.5,2026-11-01,
        2026-11-11,S2,C3,category,category:食品,1e3,007,2026-11-01,
        2026-11-11,"S1",C4,cross_store,all,300,50,2026-11-01,
        2026-11-11,S3,C5,store,brand:B:2,0,0,2026-11-11,
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let wallets = try CouponWallets.read(path: path)
        #expect(wallets.count == 5 && wallets.shopperIDs.ids == ["S2", "S1", "S3"])
        #expect(wallets["S1"].map(\.id) == ["C2", "C4"] && wallets["S2"].map(\.id) == ["C1", "C3"] && wallets["S3"].map(\.id) == ["C5"])
        #expect(wallets["S4"].isEmpty && wallets[wallet: 1].map(\.id) == ["C2", "C4"])
        let c3 = try #require(wallets["S2"].last)
        #expect(c3.scope == .category("食品") && c3.threshold == 1000 && c3.amount == 7)
        #expect(wallets["S1"].first?.amount == 5.5 && wallets["S3"].first?.scope == .brand("B:2"))
        #expect(wallets["S3"].first?.validUntil == CalendarTime.seconds(year: 2026, month: 11, day: 11) + 86_399)

        // A dictionary of wallets: shoppers in id order, each wallet as given.
        let given = CouponWallets(["b": Array(wallets["S1"]), "a": Array(wallets["S2"]), "c": []])
        #expect(given.shopperIDs.ids == ["a", "b"] && given["b"].map(\.id) == ["C2", "C4"] && given.count == 4)

        // Scopes need an id after the prefix; `all` is exact.
        for scope in ["brand:", "category:", "allx", "All", ""] {
            try "shopper,coupon,kind,scope,threshold,amount,valid_from,valid_until\nS1,C1,store,\(scope),0,1,2026-11-01,2026-11-02\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: InputError.self, "\(scope)") { try CouponWallets.read(path: path) }
        }
    }

    @Test("coupon and layout files: located errors")
    func readers() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let coupons = folder + "/coupons.csv"
        try """
        shopper,coupon,kind,scope,threshold,amount,valid_from,valid_until
        S1,C1,store,brand:B1,99,10,2026-11-01,2026-11-11
        S1,C2,voucher,all,0,5,2026-11-01,2026-11-11
        S2,C3,category,shelf:x,0,5,2026-11-01,2026-11-11
        S2,C4,red_envelope,all,0,5,2026-11-12,2026-11-11
        S3,C5,red_envelope,all,0,5,1762000000,2026-11-11
        S3,C6,red_envelope,all,0,5,2026-11-01,2026-11-11T23:59
        S4,C7,red_envelope,all,0,9223372036854775807,2026-11-01,2026-11-11
        """.write(toFile: coupons, atomically: true, encoding: .utf8)
        // Validity dates are days: Unix seconds and date-times are refused, not read as some moment.
        // Amounts stop at ¥1 billion, which a page's JSON writes exactly.
        #expect {
            try CouponWallets.read(path: coupons)
        } throws: { error in
            guard case .malformedRows(let problems, 6) = error as? InputError else { return false }
            return problems.map(\.location.line) == [3, 4, 5, 6, 7, 8] && problems[0].location.column == 7
                && problems[3...4].map(\.location.column) == [28, 39]
                && problems[3...4].allSatisfy { $0.expected.contains("YYYY-MM-DD") }
                && problems[5].location.column == 26 && problems[5].expected == "an amount from 0 to 1000000000"
        }
        // Layout errors give the line and column of the bad value, or of the object missing a key,
        // and its key path.
        let layout = folder + "/layout.json"
        func layoutProblem(_ text: String) throws -> InputProblem? {
            try text.write(toFile: layout, atomically: true, encoding: .utf8)
            do {
                _ = try VenueLayout.read(path: layout)
                return nil
            } catch {
                guard case .invalid(let problem) = error else { return nil }
                return problem
            }
        }
        let aisle = try layoutProblem(
            """
            {
              "version": 1,
              "floors": [
                {"id": "a", "kind": "followed", "slots": 3},
                {"id": "b",
                 "kind": "aisle", "slots": 3}
              ]
            }
            """)
        #expect(
            aisle?.description == layout + ":6:14: expected followed, picked, similar, category or popular at floors[1].kind, found aisle")
        let noSlots = try layoutProblem(#"{"version": 1,\#n  "floors": [ {"id": "a", "kind": "followed"} ] }"#)
        #expect(noSlots?.location.line == 2 && noSlots?.location.column == 15)
        #expect(noSlots?.expected == "1 to 100 slots at floors[0].slots")
        // An optional key holding the wrong kind of value is an error, not its default.
        let wrongKinds = try [
            #"{"version": 1, "floors": [ {"id": "a", "kind": "popular", "slots": 3, "count": "2"} ] }"#,
            #"{"version": 1, "floors": [ {"id": "a", "kind": "popular", "slots": 3, "count": 1e300} ] }"#,
            #"{"version": 1, "diversity": {"window": "4"}, "floors": [ {"id": "a", "kind": "popular", "slots": 3} ] }"#,
            #"{"version": 1, "diversity": [], "floors": [ {"id": "a", "kind": "popular", "slots": 3} ] }"#,
            #"{"version": 1, "floors": [ {"id": "a", "kind": "popular", "slots": 3, "title": 7} ] }"#,
        ].map { text in try layoutProblem(text) }
        #expect(
            wrongKinds.map { $0.map { "\($0.location.column) \($0.expected), found \($0.found)" } } == [
                "80 1 to 10 at floors[0].count, found \"2\"", "80 1 to 10 at floors[0].count, found 1e+300",
                "40 a whole number ≥ 1 at diversity.window, found \"4\"", "29 an object at diversity, found []",
                "80 a string at floors[0].title, found 7",
            ])
        // Text that is not JSON: the line and column where it stops being JSON, what JSON allows
        // there and what is there (Foundation's parser says neither).
        let syntax = try [
            "{\"version\": 1,\n  \"floors\": [ {\"id\": \"a\" \"kind\": \"followed\"} ] }",
            #"{"version": 1, "floors": [ {"id": "a", kind: "followed"} ] }"#,
            #"{"version": 01, "floors": []}"#,
            #"{"version": 1, "floors": [ {"id": "a\q"} ] }"#,
            #"{"version": 1} x"#,
            #"{"version": 1, "floors": [ {"id": "a", "slots": 3"#,
            "{\"version\": 1, \"floors\": [ {\"id\": \"a\tb\"} ] }",
            #"{"version": 1e400, "floors": []}"#,
            #"{"version": 1, "floors": [ {"id": "\ud800"} ] }"#,
        ].map { text in try layoutProblem(text) }
        let faults: [(Int, Int, String, String)] = [
            (2, 26, "',' or '}'", "the string \"kind\""),
            (1, 40, "a key in double quotes", "\"kind\""),
            (1, 13, "a value (object, array, string, number, true, false or null)", "\"01\""),
            (1, 38, #"an escape (\", \\, \/, \b, \f, \n, \r, \t or \uXXXX)"#, "\"q\""),
            (1, 16, "the end of the text after the top-level value", "\"x\""),
            (1, 50, "',' or '}'", "end of text"),
            (1, 37, "a closing double quote (or an escape such as \\n) before a control character", "control character 0x9"),
            (1, 13, "a number within the range of a Double", "\"1e400\""),
            (1, 37, "a \\uDC00…\\uDFFF escape completing the surrogate pair", "\"ud800\""),
        ]
        for (problem, fault) in zip(syntax, faults) {
            #expect(problem?.location.line == fault.0 && problem?.location.column == fault.1, "\(String(describing: problem))")
            #expect(problem?.expected == fault.2)
            #expect(problem?.found == fault.3)
        }
        // Foundation's parser accepts trailing commas, and values after one are still located.
        let trailing = try layoutProblem(
            "{\"version\": 1, \"diversity\": {\"window\": 4,},\n \"floors\": [{\"id\": \"a\", \"kind\": \"x\", \"slots\": 3},]}")
        #expect(trailing?.location.line == 2 && trailing?.location.column == 33, "\(String(describing: trailing))")
        let array = try layoutProblem("[1, 2]")
        #expect(array?.description == layout + ":1:1: expected a JSON object, found an array")
        // Nesting too deep for the position scan, or for the parser, is an error, not a crash.
        let deep = try layoutProblem(String(repeating: "[", count: 100_000))
        #expect(deep?.location.line == 1 && deep?.location.column == 66)
        #expect(deep?.expected == "at most 64 levels of nesting")
        let fixtures = try VenueLayout.read(path: TestSupport.fixtures + "/layout.json")
        #expect(fixtures.floors.map(\.kind) == [.followed, .picked, .category, .popular] && fixtures.diversityWindow == 4)
        #expect(try CouponWallets.read(path: TestSupport.fixtures + "/coupons.csv").count > 1000)
    }

    /// Trains a small model on the fixtures (16 factors, 3 iterations) to `path`.
    static func trainFixtureModel(to path: String) throws {
        let train = try TestSupport.venue([
            "train", "--events", TestSupport.fixtures + "/events.csv", "--format", "generic", "--factors", "16", "--iterations", "3",
            "--model", path,
        ])
        #expect(train.status == 0, "\(train.err)")
    }

    @Test("venue generate: one valid page per shopper, identical on 1, 3 and Int.max threads; bad input leaves no file")
    func generateCommand() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        try Self.trainFixtureModel(to: folder + "/m.model")
        func generate(
            _ out: String, threads: Int, coupons: String = fixtures + "/coupons.csv", layout: String = fixtures + "/layout.json",
            extra: [String] = []
        ) throws -> (status: Int32, out: String, err: String) {
            try TestSupport.venue(
                [
                    "generate", "--model", folder + "/m.model", "--events", fixtures + "/events.csv", "--catalog",
                    fixtures + "/catalog.csv",
                    "--coupons", coupons, "--layout", layout, "--out", out, "--threads", "\(threads)",
                ] + extra)
        }
        let one = try generate(folder + "/one", threads: 1)
        let three = try generate(folder + "/three", threads: 3)
        // A thread count no machine has: no more workers than there is work for.
        let most = try generate(folder + "/most", threads: .max)
        #expect(one.status == 0 && three.status == 0 && most.status == 0, "\(most.err)")
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/one/venues.jsonl"))
        let b = try Data(contentsOf: URL(fileURLWithPath: folder + "/three/venues.jsonl"))
        #expect(a == b)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/most/venues.jsonl")) == a)
        let lines = a.split(separator: 0x0A)
        #expect(lines.count == 2000)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0])) as? [String: Any]
        #expect(first?["schema"] as? Int == 1 && first?["shopper"] as? String == "S0001" && first?["at"] as? String == "2026-11-11")
        #expect(one.out.contains("\"pages\":2000"))

        // A similar floor after the picked one: the same on 1 and 3 threads, on nearly every page
        // (every fixture shopper has history), each card naming another brand it is like; the
        // floors above it are unchanged.
        let similarLayout = folder + "/similar.json"
        try String(contentsOfFile: fixtures + "/layout.json", encoding: .utf8)
            .replacingOccurrences(
                of: "\n    { \"id\": \"category\"",
                with: "\n    { \"id\": \"like\", \"kind\": \"similar\", \"title\": \"相似\", \"slots\": 6 },\n    { \"id\": \"category\""
            )
            .write(toFile: similarLayout, atomically: true, encoding: .utf8)
        let similarOne = try generate(folder + "/similar1", threads: 1, layout: similarLayout)
        let similarThree = try generate(folder + "/similar3", threads: 3, layout: similarLayout)
        #expect(similarOne.status == 0 && similarThree.status == 0, "\(similarOne.err)")
        let withSimilar = try Data(contentsOf: URL(fileURLWithPath: folder + "/similar1/venues.jsonl"))
        #expect(try withSimilar == Data(contentsOf: URL(fileURLWithPath: folder + "/similar3/venues.jsonl")))
        var similarFloors = 0
        for (plainLine, line) in zip(lines, withSimilar.split(separator: 0x0A)) {
            let plain = try #require(try JSONSerialization.jsonObject(with: Data(plainLine)) as? [String: Any])
            let page = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let floors = page["floors"] as? [[String: Any]] ?? []
            let above = floors.prefix { $0["kind"] as? String != "similar" }
            let plainAbove = (plain["floors"] as? [[String: Any]] ?? []).prefix { ["followed", "picked"].contains($0["kind"] as? String) }
            #expect(NSArray(array: Array(above)) == NSArray(array: Array(plainAbove)), "\(page["shopper"] ?? "")")
            for floor in floors where floor["kind"] as? String == "similar" {
                similarFloors += 1
                for slot in floor["slots"] as? [[String: Any]] ?? [] {
                    let like = slot["like"] as? [String: Any]
                    #expect(slot["reason"] as? String == "similar" && like?["name"] is String)
                    #expect((like?["brand"] as? String).map { $0 != slot["brand"] as? String } == true)
                }
            }
        }
        #expect(similarFloors > 1900, "\(similarFloors) pages of 2000 have a similar floor")

        let html = try generate(folder + "/html", threads: 2, extra: ["--format", "html", "--shoppers", folder + "/few.txt"])
        #expect(html.status != 0, "missing shoppers file")
        try "S0001\nNOBODY\n".write(toFile: folder + "/few.txt", atomically: true, encoding: .utf8)
        let pages = try generate(folder + "/html", threads: 2, extra: ["--format", "html", "--shoppers", folder + "/few.txt"])
        #expect(pages.status == 0)
        let page = try String(contentsOfFile: folder + "/html/html/S0001.html", encoding: .utf8)
        #expect(page.contains("data-floor=\"picked\"") && page.contains("data-floor=\"wallet\"") && !page.contains("http"))
        #expect(FileManager.default.fileExists(atPath: folder + "/html/html/NOBODY.html"), "a cold start still gets a page")
        // The list's order, spaces and blank lines ignored, \r\n accepted, a repeated id skipped; a
        // byte that is not UTF-8, or a folder, is a located error and writes nothing.
        try Data("  S0002 \r\n\r\nS0001\nS0002\n".utf8).write(to: URL(fileURLWithPath: folder + "/two.txt"))
        let listed = try generate(folder + "/listed", threads: 2, extra: ["--shoppers", folder + "/two.txt"])
        let listedPages = try Data(contentsOf: URL(fileURLWithPath: folder + "/listed/venues.jsonl")).split(separator: 0x0A)
        #expect(listed.status == 0 && listedPages == [lines[1], lines[0]], "\(listed.err)")
        #expect(listed.err.contains("two.txt: skipped 1 repeated id: one page per shopper"))
        try Data("S0001\nSé0".utf8 + [0xFF] + Data("2\n".utf8)).write(to: URL(fileURLWithPath: folder + "/binary.txt"))
        for (file, message) in [
            ("binary.txt", "binary.txt:2:4: expected a shopper id in UTF-8, found a byte that is not UTF-8"),
            ("html", "html: cannot read: it is a folder, not a file"),
        ] {
            let refused = try generate(folder + "/unlisted", threads: 2, extra: ["--shoppers", folder + "/" + file])
            #expect(refused.status == 1 && refused.err.contains(message), "\(refused.err)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/unlisted/venues.jsonl"))
        }

        for refused in [["--half-life", "0"], ["--factor-weight", "nan"]] {
            let result = try generate(folder + "/refused", threads: 2, extra: refused)
            #expect(result.status == 64 && !FileManager.default.fileExists(atPath: folder + "/refused"), "\(refused): \(result.err)")
        }

        let broken = folder + "/broken.csv"
        try "shopper,coupon,kind,scope,threshold,amount,valid_from,valid_until\nS1,C1,store,brand:B1,lots,1,2026-11-01,2026-11-02\n"
            .write(toFile: broken, atomically: true, encoding: .utf8)
        // Errors come in argument order: the coupons' before the shopper list's, though the list is read first.
        for extra in [[], ["--shoppers", folder + "/binary.txt"]] {
            let bad = try generate(folder + "/bad", threads: 2, coupons: broken, extra: extra)
            #expect(bad.status == 1 && bad.err.contains("broken.csv:2:22") && !bad.err.contains("binary.txt"), "\(bad.err)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/bad/venues.jsonl"))
        }
    }

    @Test("venue demo: the main job's pages, previews, model and report; a bad marketplace file stops it before it writes anything")
    func demoCommand() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = folder + "/fixtures"
        try FileManager.default.copyItem(atPath: TestSupport.fixtures, toPath: fixtures)
        let run = try TestSupport.venue(["demo", "--fixtures", fixtures, "--out", folder + "/out", "--threads", "2"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("\"pages\":2000"), "\(run.out)")
        let pages = try String(contentsOfFile: folder + "/out/venues.jsonl", encoding: .utf8)
        #expect(pages.split(separator: "\n").count == 2000)
        for file in ["fixtures.model", "exposure.csv", "html/S0001.html", "html/S0100.html", "html/NEW-SHOPPER.html"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/out/" + file), "\(file)")
        }
        // Training comes first; the catalog, coupons and layout are checked before it.
        try #"{"version": 1, "floors": [}"#.write(toFile: fixtures + "/layout.json", atomically: true, encoding: .utf8)
        let bad = try TestSupport.venue(["demo", "--fixtures", fixtures, "--out", folder + "/bad", "--threads", "2"])
        #expect(bad.status == 1 && bad.err.contains("layout.json:1:27: expected a value"), "\(bad.err)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/bad"))
    }

    @Test("shards: FNV-1a's known answers; every id in exactly one of N shards, about evenly; shards out of range refused")
    func shards() throws {
        var empty = FNV1a()
        #expect(empty.value == 0xcbf2_9ce4_8422_2325)
        empty.add("a")
        #expect(empty.value == 0xaf63_dc4c_8601_ec8c)
        var foobar = FNV1a()
        foobar.add("foobar")
        #expect(foobar.value == 0x8594_4171_f739_67e8)
        #expect(Shard(index: 0, of: 3) == nil && Shard(index: 4, of: 3) == nil && Shard(index: 1, of: 0) == nil)
        let shards = try (1...3).map { try #require(Shard(index: $0, of: 3)) }
        let ids = (0..<3000).map { "S\($0)" }
        #expect(ids.allSatisfy { id in shards.filter { $0.contains(id) }.count == 1 })
        #expect(shards.map { shard in ids.filter(shard.contains).count }.allSatisfy { (900...1100).contains($0) })
        #expect(try #require(Shard(index: 1, of: 1)).contains("anyone"))
        // Shard hash % N + 1, so other programs can split the same way: "a" in 2 of 3, "foobar" in 7 of 7.
        #expect(try #require(Shard(index: 2, of: 3)).contains("a") && #require(Shard(index: 7, of: 7)).contains("foobar"))
        #expect(ids.allSatisfy { id in shards.allSatisfy { $0.contains(id) == $0.contains(utf8: Array(id.utf8)) } })
    }

    @Test(
        "a shard's or a shopper list's coupon wallets: exactly its shoppers' wallets, in the file's order; bad rows of others still refused"
    )
    func shardWallets() throws {
        let path = TestSupport.fixtures + "/coupons.csv"
        let all = try CouponWallets.read(path: path)
        let ids = all.shopperIDs.ids
        var union = 0
        for index in 1...3 {
            let shard = try #require(Shard(index: index, of: 3))
            let part = try CouponWallets.read(path: path, shard: shard)
            #expect(ids.allSatisfy { id in part[id] == (shard.contains(id) ? all[id] : []) }, "shard \(shard)")
            #expect(part.shopperIDs.count > 0 && (0..<part.shopperIDs.count).allSatisfy { shard.contains(part.shopperIDs[$0]) })
            union += part.count
        }
        #expect(union == all.count)
        // A list (with ids that hold no wallet) keeps its shoppers' wallets; with a shard, those in both.
        var listed = IdentifierMap()
        for i in stride(from: 0, to: all.shopperIDs.count, by: 3) { listed.intern(all.shopperIDs[i]) }
        listed.intern("NOBODY")
        let shard = try #require(Shard(index: 2, of: 3))
        let fromList = try CouponWallets.read(path: path, shoppers: listed)
        let fromBoth = try CouponWallets.read(path: path, shard: shard, shoppers: listed)
        #expect(fromList.shopperIDs.count == (all.shopperIDs.count + 2) / 3 && fromBoth.count > 0 && fromBoth.count < fromList.count)
        #expect(ids.allSatisfy { id in fromList[id] == (listed.index(of: id) != nil ? all[id] : []) })
        #expect(ids.allSatisfy { id in fromBoth[id] == (listed.index(of: id) != nil && shard.contains(id) ? all[id] : []) })
        // A bad row is refused by every shard and list, whichever shopper it belongs to.
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let damaged = folder + "/coupons.csv"
        try (String(contentsOfFile: path, encoding: .utf8) + "S0001,CX,store,brand:B001,100,-5,2026-11-01,2026-11-12\n").write(
            toFile: damaged, atomically: true, encoding: .utf8)
        for index in 1...3 {
            #expect(throws: InputError.self) { try CouponWallets.read(path: damaged, shard: Shard(index: index, of: 3)) }
        }
        #expect(throws: InputError.self) { try CouponWallets.read(path: damaged, shoppers: IdentifierMap()) }
    }

    @Test(
        "venue generate --shard and --resume: shards split the shoppers exactly; a run killed after a checkpoint resumes to the same bytes")
    func generateShardsAndResume() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        try Self.trainFixtureModel(to: folder + "/m.model")
        func generate(_ out: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> (
            status: Int32, out: String, err: String
        ) {
            try TestSupport.venue(
                [
                    "generate", "--model", folder + "/m.model", "--events", fixtures + "/events.csv", "--catalog",
                    fixtures + "/catalog.csv",
                    "--coupons", fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", out, "--threads", "2",
                ] + extra, environment: environment)
        }
        func lines(_ path: String) throws -> [Substring] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        }
        // A checkpoint's text with its last line, `check HEX`, recomputed: FNV-1a of the lines before.
        func resealed(_ checkpoint: String) -> String {
            let body = checkpoint.split(separator: "\n").dropLast().map { $0 + "\n" }.joined()
            var hash = FNV1a()
            hash.add(body)
            return body + "check \(String(hash.value, radix: 16))\n"
        }
        let wholeRun = try generate(folder + "/whole")
        #expect(wholeRun.status == 0)
        let whole = try lines(folder + "/whole/venues.jsonl")
        #expect(whole.count == 2000)

        // Three shards: every page exactly once, each shard in the whole run's order, with the same bytes.
        var union: [Substring] = []
        var shardRuns: [String] = []
        for index in 1...3 {
            let run = try generate(folder + "/shards", ["--shard", "\(index)/3"])
            #expect(run.status == 0 && run.out.contains("\"shard\":\"\(index)/3\""), "\(run.err)")
            shardRuns.append(run.out)
            let shard = try lines(folder + "/shards/venues.shard-\(index)-of-3.jsonl")
            #expect(!shard.isEmpty && shard == whole.filter(Set(shard).contains))
            union += shard
        }
        #expect(union.count == whole.count && Set(union) == Set(whole))
        // Each shard's exposure report counts its own pages; `merge-exposure` adds them up, in any
        // order, to the whole run's report, byte for byte, and judges it as the whole run does.
        let shardReports = [3, 1, 2].map { folder + "/shards/exposure.shard-\($0)-of-3.csv" }
        let merged = try TestSupport.venue(["merge-exposure"] + shardReports + ["--out", folder + "/merged.csv"])
        #expect(merged.status == 0, "\(merged.err)")
        #expect(
            try String(contentsOfFile: folder + "/merged.csv", encoding: .utf8)
                == String(contentsOfFile: folder + "/whole/exposure.csv", encoding: .utf8))
        let wholeSummary = try #require(TestSupport.jsonObject(wholeRun.out)["exposure"] as? [String: Any])
        let mergedSummary = try #require(TestSupport.jsonObject(merged.out)["exposure"] as? [String: Any])
        for key in ["guarantees", "guarantees_met", "caps", "caps_kept"] {
            #expect(mergedSummary[key] as? Int != nil && mergedSummary[key] as? Int == wholeSummary[key] as? Int, "\(key)")
        }
        #expect(try TestSupport.jsonObject(merged.out)["shards"] as? Int == 3)
        // Every report names the run, the same in each shard's and the whole run's: a shard of a
        // run for another day does not add up with the others, though its brands, guarantees and
        // caps are the same.
        let runs = try ([wholeRun.out] + shardRuns).map {
            try #require(TestSupport.jsonObject($0)["exposure"] as? [String: Any])["run"] as? String
        }
        #expect(runs.count == 4 && Set(runs).count == 1 && runs[0]?.count == 16, "\(runs)")
        let otherDay = try generate(folder + "/other-day", ["--shard", "2/3", "--at", "2026-11-12"])
        #expect(otherDay.status == 0, "\(otherDay.err)")
        let otherRun = try #require(TestSupport.jsonObject(otherDay.out)["exposure"] as? [String: Any])["run"] as? String
        #expect(otherRun != nil && otherRun != runs[0])
        let mixed = try TestSupport.venue(
            [
                "merge-exposure", shardReports[1], folder + "/other-day/exposure.shard-2-of-3.csv", shardReports[0], "--out",
                folder + "/mixed.csv",
            ])
        #expect(
            mixed.status != 0 && mixed.err.contains("expected run \(runs[0] ?? "") as on line 2 of \(shardReports[1])")
                && mixed.err.contains("other-day/exposure.shard-2-of-3.csv:2:"), "\(mixed.err)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/mixed.csv"))
        // A shard missing or given twice, or a report not of a shard, is refused before anything is written.
        let hugeShard = folder + "/exposure.shard-1-of-\(Int.max).csv"
        try FileManager.default.copyItem(atPath: shardReports[1], toPath: hugeShard)
        for (reports, message) in [
            (Array(shardReports.prefix(2)), "missing shard 2/3"),
            (shardReports + [shardReports[0]], "shard 3/3 is given twice"),
            (shardReports + [folder + "/whole/exposure.csv"], "expected a shard's exposure report"),
            // Int.max shards: the first missing ones are named without counting to Int.max.
            ([hugeShard], "missing shards 2/\(Int.max), 3/\(Int.max)"),
        ] {
            let refused = try TestSupport.venue(["merge-exposure"] + reports + ["--out", folder + "/refused.csv"])
            #expect(refused.status != 0 && refused.err.contains(message), "\(refused.err)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/refused.csv"))
        }

        // A shard killed after its first checkpoint resumes to the same pages and report: the
        // checkpoint carries the placements planned for the shard's pages so far.
        let crashedShard = try generate(
            folder + "/resumed-shard", ["--shard", "2/3", "--checkpoint-every", "256"], environment: ["VENUE_CRASH_AT_CHECKPOINT": "2"])
        #expect(crashedShard.status == 99)
        let shardCheckpoint = try String(contentsOfFile: folder + "/resumed-shard/.venues.shard-2-of-3.jsonl.checkpoint", encoding: .utf8)
        #expect(shardCheckpoint.hasPrefix("venue-checkpoint 3\n") && shardCheckpoint.contains("\nplanned "), "\(shardCheckpoint)")
        let resumedShard = try generate(folder + "/resumed-shard", ["--shard", "2/3", "--checkpoint-every", "256", "--resume"])
        #expect(resumedShard.status == 0 && resumedShard.out.contains("\"resumed_after\":256"), "\(resumedShard.err)")
        for file in ["venues.shard-2-of-3.jsonl", "exposure.shard-2-of-3.csv"] {
            #expect(try lines(folder + "/resumed-shard/" + file) == lines(folder + "/shards/" + file), "\(file)")
        }

        // Killed at the third checkpoint (256 shoppers apart), after its pages reached the disk but
        // before it was recorded: the second checkpoint stands, the bytes after it are cut.
        let crashed = try generate(folder + "/resumed", ["--checkpoint-every", "256"], environment: ["VENUE_CRASH_AT_CHECKPOINT": "3"])
        #expect(crashed.status == 99 && !FileManager.default.fileExists(atPath: folder + "/resumed/venues.jsonl"))
        let checkpoint = try String(contentsOfFile: folder + "/resumed/.venues.jsonl.checkpoint", encoding: .utf8)
        #expect(checkpoint.contains("shoppers 512\n") && checkpoint.contains("\nexposure "))
        let changed = try generate(folder + "/resumed", ["--checkpoint-every", "256", "--resume", "--at", "2026-11-12"])
        #expect(changed.status == 1 && changed.err.contains("was written by a run with other inputs or settings"), "\(changed.err)")
        // The last line is a checksum of the others, so a checkpoint changed on disk is refused: a
        // byte count a few short of the true one used to cut the last page short and go on.
        let checkpointPath = folder + "/resumed/.venues.jsonl.checkpoint"
        let bytes = try #require(checkpoint.split(separator: "\n").first { $0.hasPrefix("bytes ") })
        let short = "bytes \(try #require(Int(bytes.dropFirst(6))) - 60)"
        try checkpoint.replacingOccurrences(of: bytes, with: short).write(toFile: checkpointPath, atomically: true, encoding: .utf8)
        let changedOnDisk = try generate(folder + "/resumed", ["--checkpoint-every", "256", "--resume"])
        #expect(
            changedOnDisk.status == 1 && changedOnDisk.err.contains("not a checkpoint of venue generate"), "\(changedOnDisk.err)")
        // Resealing reproduces the checksum the run wrote, so the refusals below are of the content.
        #expect(resealed(checkpoint) == checkpoint)
        // A checkpoint of an earlier format is not continued.
        try resealed(checkpoint.replacingOccurrences(of: "venue-checkpoint 3", with: "venue-checkpoint 2")).write(
            toFile: checkpointPath, atomically: true, encoding: .utf8)
        let older = try generate(folder + "/resumed", ["--checkpoint-every", "256", "--resume"])
        #expect(older.status == 1 && older.err.contains("another version of venue generate"), "\(older.err)")
        // Counts no run could have made (more pages than shoppers so far) are refused even with a
        // valid checksum (Int.max used to overflow the report's sums), and so are counts for fewer
        // brands than the plan has.
        let exposure = try #require(checkpoint.split(separator: "\n").first { $0.hasPrefix("exposure ") })
        for damaged in ["exposure \(Int.max)", String(exposure.prefix { $0 != "," })] {
            try resealed(checkpoint.replacingOccurrences(of: exposure, with: damaged)).write(
                toFile: checkpointPath, atomically: true, encoding: .utf8)
            let impossible = try generate(folder + "/resumed", ["--checkpoint-every", "256", "--resume"])
            #expect(
                impossible.status == 1 && impossible.err.contains("not a checkpoint of venue generate"), "\(damaged): \(impossible.err)")
        }
        // A shopper count beyond the run's 2,000 shoppers cannot be this run's.
        try resealed(checkpoint.replacingOccurrences(of: "shoppers 512", with: "shoppers 2001")).write(
            toFile: checkpointPath, atomically: true, encoding: .utf8)
        let beyond = try generate(folder + "/resumed", ["--checkpoint-every", "256", "--resume"])
        #expect(beyond.status == 1 && beyond.err.contains("other inputs or settings"), "\(beyond.err)")
        // Counts that disagree with the partial output are refused even with a valid checksum: a
        // byte count inside a page, or at the end of the page before, or a shopper count one over
        // (all used to be followed, and the output came out corrupt).
        let partial = try Data(contentsOf: URL(fileURLWithPath: folder + "/resumed/.venues.jsonl.partial"))
        let kept = try #require(Int(bytes.dropFirst(6)))
        let pageBefore = try #require(partial[..<(kept - 1)].lastIndex(of: 0x0A)) + 1
        let shoppers = "shoppers 512"
        for damaged in [
            checkpoint.replacingOccurrences(of: bytes, with: short),
            checkpoint.replacingOccurrences(of: bytes, with: "bytes \(pageBefore)"),
            checkpoint.replacingOccurrences(of: shoppers, with: "shoppers 513"),
        ] {
            try resealed(damaged).write(toFile: checkpointPath, atomically: true, encoding: .utf8)
            let disagreeing = try generate(folder + "/resumed", ["--checkpoint-every", "256", "--resume"])
            #expect(disagreeing.status == 1 && disagreeing.err.contains("does not end, at byte"), "\(disagreeing.err)")
        }
        try checkpoint.write(toFile: checkpointPath, atomically: true, encoding: .utf8)
        let resumed = try generate(folder + "/resumed", ["--checkpoint-every", "256", "--resume"])
        #expect(resumed.status == 0 && resumed.out.contains("\"pages\":1488") && resumed.out.contains("\"resumed_after\":512"))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: folder + "/resumed/venues.jsonl"))
                == Data(contentsOf: URL(fileURLWithPath: folder + "/whole/venues.jsonl")))
        #expect(try lines(folder + "/resumed/exposure.csv") == lines(folder + "/whole/exposure.csv"), "pages before the checkpoint count")
        #expect(
            try Set(FileManager.default.contentsOfDirectory(atPath: folder + "/resumed")) == ["venues.jsonl", "exposure.csv"],
            "no partial or checkpoint left")

        for refused in [
            ["--shard", "0/3"], ["--shard", "4/3"], ["--shard", "2"], ["--resume", "--format", "html"], ["--checkpoint-every", "0"],
            ["--checkpoint-every", "10", "--format", "html"],
        ] {
            #expect(try generate(folder + "/refused", refused).status == 64, "\(refused)")
        }
    }
}

@Suite("Venue HTML in a browser", TestSupport.needsChromium)
struct VenueBrowserTests {
    /// The width and height in a PNG's IHDR chunk.
    private func pngSize(_ data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    @Test("headless Chromium renders the fixture shopper's page: non-blank screenshot, every floor in the DOM")
    func screenshot() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        #expect(
            try TestSupport.venue([
                "train", "--events", fixtures + "/events.csv", "--format", "generic", "--factors", "16", "--iterations", "3",
                "--model", folder + "/m.model",
            ]).status == 0)
        try "S0002\n".write(toFile: folder + "/one.txt", atomically: true, encoding: .utf8)
        let generated = try TestSupport.venue([
            "generate", "--model", folder + "/m.model", "--events", fixtures + "/events.csv", "--catalog", fixtures + "/catalog.csv",
            "--coupons", fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", folder, "--shoppers",
            folder + "/one.txt", "--format", "html",
        ])
        #expect(generated.status == 0)
        let page = folder + "/html/S0002.html"
        let script = TestSupport.packageRoot.appendingPathComponent("scripts/screenshot-venue.sh").path
        let shot = try TestSupport.run("/bin/bash", [script, page, folder + "/S0002.png"])
        #expect(shot.status == 0)
        try "<!doctype html><html><body></body></html>".write(toFile: folder + "/blank.html", atomically: true, encoding: .utf8)
        #expect(try TestSupport.run("/bin/bash", [script, folder + "/blank.html", folder + "/blank.png"]).status == 0)

        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/S0002.png"))
        let blank = try Data(contentsOf: URL(fileURLWithPath: folder + "/blank.png"))
        #expect(pngSize(png)?.0 == 420, "phone-width screenshot")
        #expect(png.count > 4 * blank.count, "the page draws far more than a blank page (\(png.count) vs \(blank.count) bytes)")

        let dom = try String(contentsOfFile: folder + "/S0002.dom.html", encoding: .utf8)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let floors = html.components(separatedBy: "data-floor=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(floors.count >= 3 && floors.contains("wallet"))
        for floor in floors { #expect(dom.contains("data-floor=\"\(floor)\""), "floor \(floor) rendered") }
    }
}
