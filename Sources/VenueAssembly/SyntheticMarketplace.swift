import VenueInteractions
import VenueLinearAlgebra

/// A deterministic synthetic marketplace for fixtures, demos and tests: brands with names,
/// categories, merchants, prices, stock and discount rules; shoppers with power-law activity and
/// category tastes; months of events ending the day before the sale; coupon wallets; a layout.
///
/// Every number is drawn from one ``SeededRandom`` stream and printed as an integer, so the
/// same configuration gives byte-identical files on every machine.
public struct SyntheticMarketplace: Sendable {
    /// What to generate.
    public struct Configuration: Sendable, Equatable {
        /// The seed of every draw.
        public var seed: UInt64 = 11
        /// Number of brands.
        public var brands = 200
        /// Number of shoppers.
        public var shoppers = 2000
        /// The sale day (`YYYY-MM-DD`); events end the day before.
        public var saleDay = "2026-11-11"
        /// Days of history before the sale.
        public var historyDays = 100

        /// The fixture configuration.
        public init() {}
    }

    /// The configuration used.
    public let configuration: Configuration
    /// `events.csv`: `shopper,brand,event,time`.
    public let eventsCSV: String
    /// `catalog.csv`.
    public let catalogCSV: String
    /// `coupons.csv`.
    public let couponsCSV: String
    /// `layout.json`.
    public let layoutJSON: String

    /// The files by name, in a fixed order.
    public var files: [(name: String, contents: String)] {
        [("catalog.csv", catalogCSV), ("coupons.csv", couponsCSV), ("events.csv", eventsCSV), ("layout.json", layoutJSON)]
    }

    /// The categories, as (id, display name).
    public static let categories: [(id: String, name: String)] = [
        ("beauty", "美妆 Beauty"), ("apparel", "服饰 Apparel"), ("electronics", "数码 Electronics"),
        ("home", "家居 Home"), ("food", "食品 Food"), ("baby", "母婴 Baby"), ("sports", "运动 Sports"),
        ("bags", "箱包 Bags"), ("jewelry", "珠宝 Jewelry"), ("pets", "宠物 Pets"),
    ]

    /// Generates the marketplace. O(events × brands): each brand new to a shopper is drawn by
    /// weight from its taste's category or from all brands.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        guard let sale = CalendarTime.day(configuration.saleDay) else {
            preconditionFailure("sale day \(configuration.saleDay) is not YYYY-MM-DD")
        }
        // One stream, drawn in a fixed order: brands, then each shopper's events, then wallets.
        var random = SeededRandom(seed: configuration.seed)
        let saleDay = sale / CalendarTime.secondsPerDay
        let brands = Self.brands(configuration, &random)
        catalogCSV = brands.csv
        let byCategory = Self.categories.indices.map { c in brands.all.indices.filter { brands.all[$0].category == c } }
        let shoppers = Self.events(configuration, brands: brands.all, byCategory: byCategory, saleDay: saleDay, &random)
        eventsCSV = shoppers.csv
        couponsCSV = Self.coupons(
            configuration, brands: brands.all, byCategory: byCategory, tastes: shoppers.tastes, saleDay: saleDay, &random)
        layoutJSON = Self.layout
    }

    /// A generated brand, as the shoppers' draws see it.
    private struct Brand {
        var id: String
        var category: Int
        /// Zipf-like weight of the brand when a shopper picks one new to it.
        var popularity: Double
    }

    /// The brands and `catalog.csv`: names from Latin and Chinese syllables, merchants owning
    /// several brands, prices by category (10% premium, never discounted), 8% not in the sale,
    /// 8% sold out and 12% low on stock, and every 40th brand guaranteed exposure, every 50th capped.
    private static func brands(_ configuration: Configuration, _ random: inout SeededRandom) -> (all: [Brand], csv: String) {
        let latin = [
            "Lumi", "Nova", "Yun", "Shan", "Aqua", "Terra", "Hua", "Mori", "Kite", "Orla", "Zen", "Piko", "Vela", "Juno", "Rhea", "Tao",
            "Sol", "Miro", "Ember", "Lark",
        ]
        let endings = ["ra", "lia", "to", "xin", "wen", "ne", "ko", "sa", "di", "mo"]
        let hanzi = ["云", "山", "花", "木", "星", "月", "海", "风", "青", "雪", "竹", "禾", "光", "语", "silk"]
        var brands: [Brand] = []
        var catalog = "brand,name,category,merchant,price,participating,stock,max_discount,exposure_guarantee,exposure_cap\n"
        let merchantCount = max(1, configuration.brands * 3 / 5)
        for b in 0..<configuration.brands {
            let id = "B" + padded(b + 1, 3)
            let category = random.below(categories.count)
            var name = latin[random.below(latin.count)] + endings[random.below(endings.count)]
            let h1 = hanzi[random.below(hanzi.count)]
            let h2 = hanzi[random.below(hanzi.count)]
            name += " " + (h1 == "silk" || h2 == "silk" ? "丝" : h1 + h2)
            if b % 37 == 5 { name += " & Co" }
            if b % 53 == 7 { name = "L'" + name }
            let merchant = "M" + padded(random.below(merchantCount) + 1, 3)
            let premium = random.unit() < 0.1
            let base = [180, 220, 900, 260, 60, 150, 300, 400, 1200, 90][category]
            let price = premium ? base * (3 + random.below(4)) : max(9, base / 2 + random.below(base))
            let participating = random.unit() < 0.92
            let roll = random.unit()
            let stock = roll < 0.08 ? "sold_out" : roll < 0.2 ? "low" : "in_stock"
            let discount = premium ? 0 : [10, 20, 30, 40, 50][random.below(5)]
            var guarantee = ""
            var cap = ""
            if b % 40 == 3 { guarantee = String(100 + random.below(3) * 50) }
            if b % 50 == 11 { cap = String(200 + random.below(3) * 100) }
            // Zipf-like popularity over a random permutation of ranks.
            let popularity = 1 / Double(1 + random.below(configuration.brands))
            brands.append(Brand(id: id, category: category, popularity: popularity))
            catalog +=
                "\(id),\(name),\(categories[category].id),\(merchant),\(price),\(participating ? "yes" : "no"),\(stock),\(discount),\(guarantee),\(cap)\n"
        }
        return (brands, catalog)
    }

    /// Each shopper's category tastes (one to three) and `events.csv`: a Pareto number of events
    /// (α = 1.3, 3 to 160), 45% on brands the shopper already touched, the rest on new brands,
    /// mostly of its tastes and weighted by popularity, spread over the days before the sale and
    /// sorted by day within the shopper.
    private static func events(
        _ configuration: Configuration, brands: [Brand], byCategory: [[Int]], saleDay: Int64, _ random: inout SeededRandom
    ) -> (tastes: [[Int]], csv: String) {
        let kinds: [(String, Double)] = [("click", 0.82), ("favorite", 0.06), ("follow", 0.02), ("cart", 0.05), ("purchase", 0.05)]
        var events = "shopper,brand,event,time\n"
        var shopperTastes: [[Int]] = []
        for s in 0..<configuration.shoppers {
            let id = "S" + padded(s + 1, 4)
            let tasteCount = 1 + random.below(3)
            let tastes = (0..<tasteCount).map { _ in random.below(categories.count) }
            shopperTastes.append(tastes)
            // Pareto activity (α = 1.3, minimum 3 events), capped.
            let activity = min(160, Int(3 / pow(1 - random.unit(), 1 / 1.3)))
            var touched: [Int] = []
            var rows: [(day: Int64, brand: Int, kind: String)] = []
            for _ in 0..<activity {
                let brand: Int
                if !touched.isEmpty && random.unit() < 0.45 {
                    brand = touched[random.below(touched.count)]
                } else {
                    let pool = random.unit() < 0.8 ? byCategory[tastes[random.below(tastes.count)]] : Array(brands.indices)
                    brand = pool.isEmpty ? random.below(brands.count) : pick(pool, weights: { brands[$0].popularity }, &random)
                    touched.append(brand)
                }
                var roll = random.unit()
                var kind = "click"
                for (name, p) in kinds {
                    if roll < p { kind = name; break }
                    roll -= p
                }
                let day = saleDay - 1 - Int64(random.below(configuration.historyDays))
                rows.append((day, brand, kind))
            }
            rows.sort { ($0.day, $0.brand, $0.kind) < ($1.day, $1.brand, $1.kind) }
            for row in rows {
                events += "\(id),\(brands[row.brand].id),\(row.kind),\(CalendarTime.isoDate(row.day * CalendarTime.secondsPerDay))\n"
            }
        }
        return (shopperTastes, events)
    }

    /// `coupons.csv`: up to four coupons per shopper (red envelopes, cross-store, store coupons of
    /// a brand of its first taste, category coupons of one of its tastes), about 10% not yet valid
    /// on the sale day and 12% expired.
    private static func coupons(
        _ configuration: Configuration, brands: [Brand], byCategory: [[Int]], tastes shopperTastes: [[Int]], saleDay: Int64,
        _ random: inout SeededRandom
    ) -> String {
        var coupons = "shopper,coupon,kind,scope,threshold,amount,valid_from,valid_until\n"
        var couponNumber = 0
        func date(_ offset: Int64) -> String { CalendarTime.isoDate((saleDay + offset) * CalendarTime.secondsPerDay) }
        for s in 0..<configuration.shoppers {
            let id = "S" + padded(s + 1, 4)
            let count = random.below(5)
            for _ in 0..<count {
                couponNumber += 1
                let coupon = "C" + padded(couponNumber, 6)
                let roll = random.unit()
                // Days relative to the sale day: ~10% not yet valid, ~12% expired.
                let fromDay: Int64 = random.unit() < 0.1 ? 1 : -Int64(1 + random.below(10))
                let untilDay: Int64 = random.unit() < 0.12 ? -Int64(1 + random.below(5)) : Int64(random.below(3))
                let from = date(fromDay)
                let until = date(max(untilDay, fromDay))
                let line: String
                if roll < 0.3 {
                    line = "red_envelope,all,0,\([5, 8, 10, 20][random.below(4)])"
                } else if roll < 0.55 {
                    line = "cross_store,all,300,50"
                } else if roll < 0.85 {
                    let pool = byCategory[shopperTastes[s][0]]
                    let brand = pool.isEmpty ? random.below(brands.count) : pool[random.below(pool.count)]
                    let threshold = [99, 199, 299][random.below(3)]
                    line = "store,brand:\(brands[brand].id),\(threshold),\(threshold / 10 + 5 * random.below(3))"
                } else {
                    let category = categories[shopperTastes[s][random.below(shopperTastes[s].count)]].id
                    line = "category,category:\(category),200,\([15, 20, 30][random.below(3)])"
                }
                coupons += "\(id),\(coupon),\(line),\(from),\(until)\n"
            }
        }
        return coupons
    }

    /// `layout.json`: a followed floor, a picked floor, two category floors and a popular floor.
    private static let layout = """
        {
          "version": 1,
          "diversity": { "window": 4, "maxPerCategory": 2 },
          "floors": [
            { "id": "yours", "kind": "followed", "title": "你关注的品牌 · Brands you love", "slots": 6 },
            { "id": "picked", "kind": "picked", "title": "为你推荐 · Picked for you", "slots": 12 },
            { "id": "category", "kind": "category", "title": "你爱的品类 · Your categories", "count": 2, "slots": 6 },
            { "id": "popular", "kind": "popular", "title": "大家都在买 · Popular now", "slots": 8 }
          ]
        }

        """

    /// Writes the files into `folder` (atomically, one by one).
    public func write(to folder: String) throws(InputError) {
        for (name, contents) in files {
            try AtomicFile.write(contents, to: folder + "/" + name)
        }
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func pick(_ pool: [Int], weights: (Int) -> Double, _ random: inout SeededRandom) -> Int {
        let total = pool.reduce(0) { $0 + weights($1) }
        var roll = random.unit() * total
        for item in pool {
            roll -= weights(item)
            if roll < 0 { return item }
        }
        return pool[pool.count - 1]
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
