import Foundation
import Testing
import VenueKit

/// A random population for the exposure plan: factors, a catalog with guarantees and caps, history.
struct ExposureWorld {
    let model: FactorModel
    let catalog: Catalog
    let showable: BrandSet
    let history: SparseMatrix
    let touched: [Set<Int32>]

    /// `boundless`: every promise is beyond any population (guarantees `Int.max`, caps 2⁴⁰), as a
    /// catalog may hold.
    init(seed: UInt64, shoppers: Int, brands: Int, factors: Int = 4, continuous: Bool = false, boundless: Bool = false) {
        var random = SeededRandom(seed: seed)
        var shopperIDs = IdentifierMap()
        var brandIDs = IdentifierMap()
        for s in 0..<shoppers { _ = shopperIDs.intern("S\(s)") }
        for b in 0..<brands { _ = brandIDs.intern("B\(b)") }
        // Quarter steps make equal scores common, so ties are exercised.
        func matrix(_ rows: Int) -> Matrix {
            Matrix(
                rows: rows, columns: factors,
                storage: (0..<rows * factors).map { _ in continuous ? Float(random.unit() * 2 - 1) : Float(random.below(9) - 4) / 4 })
        }
        model = FactorModel(
            shopperIDs: shopperIDs, brandIDs: brandIDs, shopperFactors: matrix(shoppers), brandFactors: matrix(brands),
            configuration: ALSConfiguration())
        catalog = Catalog(
            brands: (0..<brands).map { b in
                CatalogBrand(
                    id: "B\(b)", name: "B\(b)", category: "c\(b % 3)", merchant: "M", price: 100, participating: random.unit() < 0.9,
                    stock: random.unit() < 0.1 ? .soldOut : .inStock, maxDiscountPercent: 10,
                    exposureGuarantee: random.unit() < 0.3 ? (boundless ? .max : random.below(shoppers / 2)) : nil,
                    exposureCap: random.unit() < 0.2 ? (boundless ? 1 << 40 : random.below(shoppers)) : nil)
            })
        showable = catalog.showable(among: brandIDs)
        var rows: [Int32] = []
        var columns: [Int32] = []
        var touched = [Set<Int32>](repeating: [], count: shoppers)
        for s in 0..<shoppers {
            for _ in 0..<random.below(brands / 3) {
                let b = Int32(random.below(brands))
                rows.append(Int32(s))
                columns.append(b)
                touched[s].insert(b)
            }
        }
        history = SparseMatrix(
            rows: shoppers, columns: brands, rowIndices: rows, columnIndices: columns, values: rows.map { _ in 1 })
        self.touched = touched
    }

    /// Shopper `s`'s factor score for brand `b` (exact: quarter steps, few factors).
    func score(_ s: Int, _ b: Int32) -> Float {
        (0..<model.factors).reduce(0) { $0 + model.shopperFactors[s, $1] * model.brandFactors[Int(b), $1] }
    }

    /// How many shoppers' pages get other placements from a plan with `perPage` than `reference`
    /// gives them (``referenceAllocation(perPage:score:)``).
    func pagesDifferingFromThePlan(_ reference: (guaranteed: [[Int32]], allowed: [[Int32]]), perPage: Int) -> Int {
        let plan = ExposurePlan(model: model, catalog: catalog, showable: showable, history: history, perPage: perPage)
        var workspace = plan.makeWorkspace()
        return (0..<model.shopperIDs.count).filter { r in
            plan.place(row: r, workspace: &workspace)
            return workspace.guaranteed != reference.guaranteed[r] || workspace.allowedCapped != reference.allowed[r]
        }.count
    }

    /// Every shopper's score for every brand as the four-row kernel gives it, brand rows (padded
    /// with zero rows to a multiple of 4) against the shopper: `[shopper][brand]`.
    func kernelScores() -> [[Float]] {
        let (f, n) = (model.factors, model.brandIDs.count)
        var table = [Float](repeating: 0, count: (n + 3) / 4 * 4 * f)
        for b in 0..<n { for k in 0..<f { table[b * f + k] = model.brandFactors[b, k] } }
        return (0..<model.shopperIDs.count).map { s in
            let x = (0..<f).map { model.shopperFactors[s, $0] }
            var y = [Float](repeating: 0, count: table.count / f)
            table.withUnsafeBufferPointer { t in
                RankingKernels.gemvRows(factors: f, rows: y.count, table: t.baseAddress!, x: x, y: &y)
            }
            return Array(y.prefix(n))
        }
    }

    /// The allocation a plan stands for, computed directly over every shopper: guarantees tightest
    /// first, each taking the eligible shoppers with room by (score, lower row); then caps: the
    /// guaranteed pages, the shoppers who touched the brand (ascending), the others by score. Per
    /// shopper, the guaranteed and the allowed capped brands, ascending. `score(s, b)` is shopper
    /// `s`'s score for brand `b`.
    func referenceAllocation(perPage: Int, score: (Int, Int32) -> Float) -> (guaranteed: [[Int32]], allowed: [[Int32]]) {
        let shoppers = model.shopperIDs.count
        let lines = (0..<model.brandIDs.count).compactMap { b -> (brand: Int32, guarantee: Int?, cap: Int?)? in
            guard let entry = catalog[model.brandIDs[b]], entry.exposureGuarantee != nil || entry.exposureCap != nil else { return nil }
            return (Int32(b), entry.exposureGuarantee, entry.exposureCap)
        }
        let touchers = lines.map { line in (0..<shoppers).filter { touched[$0].contains(line.brand) } }
        func byScore(_ rows: [Int], _ b: Int32) -> [Int] {
            rows.filter { score($0, b) > -.infinity }.sorted { (score($0, b), -$0) > (score($1, b), -$1) }
        }
        var guaranteed = [[Int32]](repeating: [], count: shoppers)
        var allowed = [[Int32]](repeating: [], count: shoppers)
        var room = [Int](repeating: perPage, count: shoppers)
        var placed = [[Int]](repeating: [], count: lines.count)
        let tightness = { (l: Int) in Double(lines[l].guarantee!) / Double(max(1, shoppers - touchers[l].count)) }
        let order = lines.indices.filter { (lines[$0].guarantee ?? 0) > 0 && showable.contains(Int(lines[$0].brand)) }
            .sorted { (tightness($0), -$0) > (tightness($1), -$1) }
        for l in perPage > 0 ? order : [] {
            let b = lines[l].brand
            let open = (0..<shoppers).filter { room[$0] > 0 && !touched[$0].contains(b) }
            placed[l] = Array(byScore(open, b).prefix(min(lines[l].guarantee!, lines[l].cap ?? .max)))
            for r in placed[l] {
                room[r] -= 1
                guaranteed[r].append(b)
            }
        }
        for (l, line) in lines.enumerated() {
            guard let cap = line.cap else { continue }
            var pages = placed[l]
            pages += touchers[l].prefix(max(0, cap - pages.count))
            let others = (0..<shoppers).filter { !touched[$0].contains(line.brand) && !placed[l].contains($0) }
            pages += byScore(others, line.brand).prefix(max(0, cap - pages.count))
            for r in pages { allowed[r].append(line.brand) }
        }
        return (guaranteed.map { $0.sorted() }, allowed.map { $0.sorted() })
    }
}

@Suite("Exposure plan")
struct ExposurePlanTests {
    @Test(
        "guarantees: eligible shoppers only, at most perPage per page, in full when there is room; caps: at most cap pages",
        arguments: [(1, false), (2, false), (3, false), (4, false), (5, false), (6, false), (7, true), (8, true)])
    func planRules(seed: UInt64, boundless: Bool) {
        let world = ExposureWorld(seed: seed, shoppers: 60 + Int(seed) * 7, brands: 25, boundless: boundless)
        let shoppers = world.model.shopperIDs.count
        for perPage in [1, 2, 40] {
            let plan = ExposurePlan(
                model: world.model, catalog: world.catalog, showable: world.showable, history: world.history, perPage: perPage)
            #expect(
                plan
                    == ExposurePlan(
                        model: world.model, catalog: world.catalog, showable: world.showable, history: world.history, perPage: perPage),
                "deterministic")
            var placed = [Int32: [Int]]()
            var allowed = [Int32: [Int]]()
            for r in 0..<shoppers {
                let guaranteed = plan.guaranteed(row: r)
                #expect(guaranteed.count <= perPage && Set(guaranteed).count == guaranteed.count)
                for b in guaranteed {
                    #expect(world.showable.contains(Int(b)) && !world.touched[r].contains(b), "shopper \(r), brand \(b)")
                    placed[b, default: []].append(r)
                }
                for b in plan.allowedCapped(row: r) { allowed[b, default: []].append(r) }
            }
            for line in plan.lines {
                let b = line.brand
                let rows = placed[b] ?? []
                #expect(rows.count == line.planned && line.planned <= min(line.guarantee ?? 0, line.cap ?? .max))
                if let cap = line.cap {
                    let pages = allowed[b] ?? []
                    #expect(pages.count <= cap && Set(rows).isSubset(of: pages), "brand \(b): guaranteed pages are allowed")
                    // Shoppers who touched the brand come first.
                    let touchers = (0..<shoppers).filter { world.touched[$0].contains(b) && !rows.contains($0) }
                    #expect(pages.count == min(cap, shoppers), "brand \(b): the cap is filled")
                    if cap >= rows.count + touchers.count { #expect(Set(touchers).isSubset(of: pages), "brand \(b)") }
                }
                guard let guarantee = line.guarantee, world.showable.contains(Int(b)) else {
                    #expect(line.planned == 0, "brand \(b): no guarantee, or it cannot be shown")
                    continue
                }
                let eligible = (0..<shoppers).filter { !world.touched[$0].contains(b) }
                if perPage == 40 {
                    // Room for everyone: the guarantee in full (or every eligible shopper), and
                    // exactly the best by score, ties to the lower row.
                    let wanted = min(guarantee, line.cap ?? .max, eligible.count)
                    #expect(line.planned == wanted, "brand \(b)")
                    let best = eligible.sorted { (world.score($0, b), -$0) > (world.score($1, b), -$1) }.prefix(wanted)
                    #expect(rows.sorted() == best.sorted(), "brand \(b)")
                }
            }
            #expect(plan.lines.contains { $0.planned > 0 }, "the world exercises guarantees")
        }
    }

    @Test(
        "a plan of per-brand thresholds places, page by page, exactly the whole-population allocation",
        arguments: [(1, 4), (2, 4), (3, 8), (4, 8), (5, 16), (6, 16)])
    func thresholdsReproduceTheAllocation(seed: UInt64, factors: Int) {
        // Shopper counts that are not multiples of 4 too, and 8 or 16 factors for the vector path.
        let world = ExposureWorld(seed: seed, shoppers: 57 + Int(seed) * 13, brands: 30, factors: factors)
        for perPage in [0, 1, 2, 5] {
            let reference = world.referenceAllocation(perPage: perPage, score: world.score)
            #expect(world.pagesDifferingFromThePlan(reference, perPage: perPage) == 0, "per page \(perPage)")
            #expect(perPage == 0 || reference.guaranteed.contains { !$0.isEmpty }, "the world exercises guarantees")
        }
    }

    @Test(
        "with scores that round (64 factors, any population size), pages get the placements the plan made: planning and pages score alike",
        arguments: [(1, 5), (2, 6), (3, 7), (4, 9), (5, 10), (6, 11), (7, 83), (8, 86)])
    func placementsUseThePlanningScores(seed: UInt64, shoppers: Int) {
        // Small populations make the last one to three shoppers (scored from a padded copy when
        // planning) often the last one a brand takes, where one bit of difference would show.
        let world = ExposureWorld(seed: seed, shoppers: shoppers, brands: 40, factors: 64, continuous: true)
        let scores = world.kernelScores()
        for perPage in [1, 2] {
            let reference = world.referenceAllocation(perPage: perPage) { scores[$0][Int($1)] }
            #expect(world.pagesDifferingFromThePlan(reference, perPage: perPage) == 0, "per page \(perPage)")
        }
    }

    @Test(
        "the plan is the same on any thread count (Int.max too): each worker's best of its blocks, merged, is the best of all, ties to the lower row",
        arguments: [(1, 4), (2, 4), (3, 16)])
    func sameOnAnyThreadCount(seed: UInt64, factors: Int) {
        // Five and a bit blocks of 4,096 shoppers; quarter-step factors tie many scores across the
        // workers' runs, so a merge that broke ties by worker would show.
        let world = ExposureWorld(seed: seed, shoppers: 5 * 4096 + 3, brands: 40, factors: factors)
        for perPage in [1, 2] {
            let plans = [1, 2, 3, 7, .max].map {
                ExposurePlan(
                    model: world.model, catalog: world.catalog, showable: world.showable, history: world.history, perPage: perPage,
                    threads: $0)
            }
            #expect(plans.allSatisfy { $0 == plans[0] }, "per page \(perPage)")
            #expect(plans[0].lines.contains { $0.planned > 0 }, "the world exercises guarantees")
        }
    }

    @Test("venue generate: guaranteed brands first on the picked floor, capped brands on at most cap pages, the report matches the pages")
    func generatedPages() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        try VenueTests.trainFixtureModel(to: folder + "/m.model")
        let run = try TestSupport.venue([
            "generate", "--model", folder + "/m.model", "--events", fixtures + "/events.csv", "--catalog", fixtures + "/catalog.csv",
            "--coupons", fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", folder + "/out", "--threads", "2",
        ])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("\"exposure\":{\"guarantees\":5,\"guarantees_met\":3,\"caps\":4,\"caps_kept\":4"), "\(run.out)")
        let catalog = try Catalog.read(path: fixtures + "/catalog.csv")
        var shown: [String: Int] = [:]
        var guaranteedSlots: [String: Int] = [:]
        var promotedShopper: String?
        for line in try String(contentsOfFile: folder + "/out/venues.jsonl", encoding: .utf8).split(separator: "\n") {
            let page = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let floors = try #require(page["floors"] as? [[String: Any]])
            for floor in floors {
                let slots = floor["slots"] as? [[String: Any]] ?? []
                let reasons = slots.map { $0["reason"] as? String }
                // Guaranteed placements lead the picked floor, and appear nowhere else.
                let lead = reasons.prefix { $0 == "guaranteed" }.count
                #expect(!reasons.dropFirst(lead).contains("guaranteed") && (lead == 0 || floor["kind"] as? String == "picked"))
                for slot in slots {
                    let brand = try #require(slot["brand"] as? String)
                    shown[brand, default: 0] += 1
                    if slot["reason"] as? String == "guaranteed" {
                        guaranteedSlots[brand, default: 0] += 1
                        promotedShopper = promotedShopper ?? page["shopper"] as? String
                    }
                }
            }
        }
        let report = try String(contentsOfFile: folder + "/out/exposure.csv", encoding: .utf8).split(separator: "\n")
        #expect(report.first == "brand,guarantee,cap,planned,delivered,run")
        var rows = 0
        for row in report.dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let (brand, guarantee, cap, planned, delivered) = (fields[0], Int(fields[1]), Int(fields[2]), Int(fields[3])!, Int(fields[4])!)
            let entry = try #require(catalog[brand])
            #expect(guarantee == entry.exposureGuarantee && cap == entry.exposureCap)
            #expect(delivered == shown[brand, default: 0], "\(brand): the report counts the pages")
            #expect(planned == guaranteedSlots[brand, default: 0], "\(brand): every planned placement is on its page")
            if let cap { #expect(delivered <= cap, "\(brand)") }
            if let guarantee, entry.isShowable { #expect(delivered >= guarantee, "\(brand): enough fixture shoppers to keep it") }
            if !entry.isShowable { #expect(delivered == 0) }
            rows += 1
        }
        #expect(rows == catalog.brands.filter { $0.exposureGuarantee != nil || $0.exposureCap != nil }.count)

        // A brand whose guarantee is its cap is on exactly that many pages, and the summary counts
        // it as met and as kept: met is delivered ≥ guarantee, kept is delivered ≤ cap.
        var lines = try String(contentsOfFile: fixtures + "/catalog.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        let free = try #require(lines.indices.dropFirst().first { lines[$0].contains(",yes,in_stock,") && lines[$0].hasSuffix(",,") })
        let exact = String(lines[free].prefix { $0 != "," })
        lines[free] = String(lines[free].dropLast(2)) + ",3,3"
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/exact.csv", atomically: true, encoding: .utf8)
        let exactRun = try TestSupport.venue([
            "generate", "--model", folder + "/m.model", "--events", fixtures + "/events.csv", "--catalog", folder + "/exact.csv",
            "--coupons", fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", folder + "/exact",
        ])
        #expect(exactRun.status == 0, "\(exactRun.err)")
        let exactReport = try String(contentsOfFile: folder + "/exact/exposure.csv", encoding: .utf8)
        let exactRows = exactReport.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        }
        #expect(exactReport.contains("\n\(exact),3,3,3,3,"), "\(exact) planned and shown on exactly 3 pages")
        let met = exactRows.filter { row in row[1].map { row[4] ?? -1 >= $0 } == true }.count
        let capped = exactRows.filter { $0[2] != nil }
        let kept = capped.filter { ($0[4] ?? .max) <= $0[2] ?? -1 }.count
        #expect(exactRun.out.contains("\"guarantees_met\":\(met),\"caps\":\(capped.count),\"caps_kept\":\(kept),"), "\(exactRun.out)")

        // The HTML page labels a guaranteed placement as promoted.
        let shopper = try #require(promotedShopper)
        try "\(shopper)\n".write(toFile: folder + "/one.txt", atomically: true, encoding: .utf8)
        let html = try TestSupport.venue([
            "generate", "--model", folder + "/m.model", "--events", fixtures + "/events.csv", "--catalog", fixtures + "/catalog.csv",
            "--coupons", fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", folder + "/html", "--format", "html",
            "--shoppers", folder + "/one.txt",
        ])
        #expect(html.status == 0, "\(html.err)")
        #expect(try String(contentsOfFile: folder + "/html/html/\(shopper).html", encoding: .utf8).contains("品牌推广 · promoted"))
    }
}
