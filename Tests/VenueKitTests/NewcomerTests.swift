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
        let model = try Self.model(of: log) { $0 == newcomer }
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

    @Test("a shard's generator: the whole generator's shoppers in that shard, newcomers too, and their pages byte for byte")
    func shardGenerator() throws {
        let fixtures = TestSupport.fixtures
        let log = try EventReader(format: .generic).read(path: fixtures + "/events.csv")
        let model = try Self.model(of: log) { $0 % 10 == 3 }
        let (catalog, layout) = (try Catalog.read(path: fixtures + "/catalog.csv"), try VenueLayout.read(path: fixtures + "/layout.json"))
        let wallets = try CouponWallets.read(path: fixtures + "/coupons.csv")
        let at = CalendarTime.seconds(year: 2026, month: 11, day: 11)
        func generator(_ shard: Shard?) -> VenueGenerator {
            VenueGenerator(model: model, events: log, catalog: catalog, wallets: wallets, layout: layout, at: at, shard: shard, threads: 2)
        }
        let whole = generator(nil)
        #expect(!whole.assembler.exposure.lines.isEmpty && whole.shopperCount > model.shopperIDs.count, "guarantees and newcomers")
        var covered = 0
        for index in 1...3 {
            let shard = try #require(Shard(index: index, of: 3))
            let part = generator(shard)
            let shoppers = whole.shoppers.filter(shard.contains)
            #expect(part.shoppers == shoppers && part.shopperCount == shoppers.count, "shard \(shard)")
            #expect(part.assembler.exposure.lines == whole.assembler.exposure.lines, "the plan is the whole population's")
            var expected: [UInt8] = []
            _ = try whole.generate(shoppers: shoppers, threads: 2) { expected += $0 }
            var written: [UInt8] = []
            _ = try part.generate(threads: 2) { written += $0 }
            #expect(written.elementsEqual(expected), "shard \(shard): \(written.count) bytes, \(expected.count) expected")
            covered += shoppers.count
        }
        #expect(covered == whole.shopperCount)
    }

    /// A 16-factor model of `log` trained without the shoppers (indices of `log`) for which
    /// `leftOut` holds, so it does not know them.
    static func model(of log: EventLog, leavingOut leftOut: (Int) -> Bool) throws -> FactorModel {
        var others = EventLog()  // new id maps: `filtered` would keep the left-out ids
        for i in 0..<log.count where !leftOut(Int(log.shoppers[i])) {
            others.append(
                shopper: log.shopperIDs[Int(log.shoppers[i])], brand: log.brandIDs[Int(log.brands[i])], kind: log.kinds[i],
                time: log.times[i], value: log.values[i])
        }
        var settings = ALSConfiguration()
        settings.factors = 16
        return try ImplicitALS(settings).train(InteractionMatrix(log: others))
    }

    /// The fixture events, a 16-factor model trained without every tenth shopper (the newcomers),
    /// and the pages' moment.
    static func modelWithoutNewcomers() throws -> (log: EventLog, model: FactorModel, newcomers: [String], at: Int64) {
        let log = try EventReader(format: .generic).read(path: TestSupport.fixtures + "/events.csv")
        let model = try Self.model(of: log) { $0 % 10 == 3 }
        let newcomers = (0..<log.shopperIDs.count).filter { $0 % 10 == 3 }.map { log.shopperIDs[$0] }
        return (log, model, newcomers, CalendarTime.seconds(year: 2026, month: 11, day: 11))
    }

    /// ``modelWithoutNewcomers()``, with the model written to `folder/model.bin` for the commands.
    static func savedModelWithoutNewcomers(in folder: String) throws -> (log: EventLog, model: FactorModel, newcomers: [String]) {
        let (log, model, newcomers, _) = try modelWithoutNewcomers()
        try ModelFile.write(model, to: folder + "/model.bin")
        return (log, model, newcomers)
    }

    /// `venue generate` on the fixtures with `model`, into `out`, for 2026-11-11.
    static func generate(model: String, out: String, _ extra: [String] = []) throws -> (status: Int32, out: String, err: String) {
        let fixtures = TestSupport.fixtures
        return try TestSupport.venue(
            [
                "generate", "--model", model, "--events", fixtures + "/events.csv", "--catalog", fixtures + "/catalog.csv", "--coupons",
                fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", out, "--at", "2026-11-11",
            ] + extra)
    }

    /// The first line where two JSONL outputs differ, both versions, or `nil` when they are the same.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        let (x, y) = (
            a.split(separator: 0x0A, omittingEmptySubsequences: false), b.split(separator: 0x0A, omittingEmptySubsequences: false)
        )
        guard let line = (0..<max(x.count, y.count)).first(where: { $0 >= x.count || $0 >= y.count || x[$0] != y[$0] }) else { return nil }
        func text(_ lines: [ArraySlice<UInt8>]) -> String { line < lines.count ? String(decoding: lines[line], as: UTF8.self) : "(none)" }
        return "line \(line + 1): \(text(x))\nagainst \(text(y))"
    }

    @Test("newcomers are the unknown shoppers with events up to the moment; their folded-in factors are FoldIn's, on any thread count")
    func foldedInFactors() throws {
        let (log, model, newcomers, at) = try Self.modelWithoutNewcomers()
        // Only shoppers with an event at or before `at` are newcomers.
        var firstTime = [Int64](repeating: .max, count: log.shopperIDs.count)
        for i in 0..<log.count { firstTime[Int(log.shoppers[i])] = min(firstTime[Int(log.shoppers[i])], log.times[i]) }
        let early = try #require(firstTime.filter { $0 != .max }.sorted().dropFirst(firstTime.count / 2).first)
        let found = model.newcomers(in: log, at: early)
        let expected = newcomers.filter { firstTime[log.shopperIDs.index(of: $0)!] <= early }
        #expect(found.ids == expected && found.count > 0 && found.count < newcomers.count)
        let all = model.newcomers(in: log, at: at)
        #expect(all.ids == newcomers)

        let one = model.foldedIn(all, events: log, at: at, threads: 1)
        let three = model.foldedIn(all, events: log, at: at, threads: 3)
        #expect(one == three)
        let strengths = InteractionMatrix(log: log.through(at), weighting: model.weighting).aligned(shoppers: all, brands: model.brandIDs)
        var foldIn = FoldIn(model: model)
        for r in 0..<all.count {
            let range = strengths.range(ofRow: r)
            let x = try foldIn.factors(brands: Array(strengths.columnIndices[range]), strengths: Array(strengths.values[range]))
            #expect(Array(one.row(r)) == x, "\(all[r])")
            var y: [Float] = []
            try foldIn.factors(ofRow: r, in: strengths, into: &y)
            #expect(y == x)
        }
        #expect((0..<all.count).allSatisfy { one.row($0).contains { $0 != 0 } }, "every newcomer has events, so factors")
        // Before any event of theirs, a shopper is no newcomer; asked for anyway, its row is zero.
        let before = model.foldedIn(all, events: log, at: early)
        for r in 0..<all.count where firstTime[log.shopperIDs.index(of: all[r])!] > early {
            #expect(before.row(r).allSatisfy { $0 == 0 })
        }
    }

    @Test(
        "without a list, generate writes the model's shoppers, then the newcomers: pages(for:)'s bytes on any thread count and block size")
    func generateAllIncludesNewcomers() throws {
        let (log, model, newcomers, at) = try Self.modelWithoutNewcomers()
        let fixtures = TestSupport.fixtures
        let generator = VenueGenerator(
            model: model, events: log, catalog: try Catalog.read(path: fixtures + "/catalog.csv"),
            wallets: try CouponWallets.read(path: fixtures + "/coupons.csv"), layout: try VenueLayout.read(path: fixtures + "/layout.json"),
            at: at, threads: 2)
        #expect(generator.shoppers == model.shopperIDs.ids + newcomers)
        #expect(generator.shopperCount == model.shopperIDs.count + newcomers.count)
        var expected = JSONWriter()
        generator.pages(for: generator.shoppers) {
            $0.writeJSON(to: &expected)
            expected.newline()
        }
        // Blocks of 7 straddle the boundary between the model's rows and the newcomers'.
        #expect(model.shopperIDs.count % 7 != 0)
        for (threads, blockSize) in [(1, 7), (3, 7), (2, 1), (2, BrandRanker.defaultBlockSize)] {
            var written: [UInt8] = []
            let report = try generator.generate(threads: threads, blockSize: blockSize) { written += $0 }
            #expect(report.tally.pages == generator.shopperCount)
            #expect(Self.firstDifference(written, expected.bytes) == nil, "\(threads) threads, blocks of \(blockSize)")
        }
        #expect((0..<generator.shopperCount).map(generator.shopper(at:)) == generator.shoppers)
        // A run from shopper `start` on writes the lines a whole run writes for them, with or
        // without a list, wherever it starts: within a block, at the newcomers, at the end.
        let lines = expected.bytes.split(separator: UInt8(ascii: "\n")).map { Array($0) + [UInt8(ascii: "\n")] }
        #expect(lines.count == generator.shopperCount)
        let modelCount = model.shopperIDs.count
        for start in [1, 9, modelCount - 1, modelCount, modelCount + 2, generator.shopperCount] {
            var written: [UInt8] = []
            let report = try generator.generate(from: start, threads: 2, blockSize: 7) { written += $0 }
            #expect(report.tally.pages == generator.shopperCount - start)
            #expect(Self.firstDifference(written, Array(lines[start...].joined())) == nil, "from \(start)")
        }
        let reversed = Array(generator.shoppers.reversed())
        var listed: [UInt8] = []
        _ = try generator.generate(shoppers: reversed, from: 11, threads: 2, blockSize: 4) { listed += $0 }
        #expect(Self.firstDifference(listed, Array(lines.reversed()[11...].joined())) == nil, "a list from its 12th shopper")
        // Newcomers' pages are personal: a followed or picked floor unlike a cold start's.
        var cold = VenuePage()
        generator.pages(for: ["NOBODY"]) { cold = $0 }
        var personal = 0
        generator.pages(for: newcomers) { page in
            if page.floors.first(where: { $0.kind == .picked })?.slots.map(\.brand)
                != cold.floors.first(where: { $0.kind == .picked })?.slots.map(\.brand)
            {
                personal += 1
            }
        }
        #expect(personal == newcomers.count)
    }

    @Test("a learned blend ranks newcomers with folded-in factor scores, in pages(for:) and in the batch path")
    func learnedBlendRanksNewcomers() throws {
        let (log, plain, newcomers, at) = try Self.modelWithoutNewcomers()
        var model = plain
        model.extensions = LearnedVenueRanker.extensions(for: try LearnedBlendGenerationTests.handMadeBlend())
        let ranker = try LearnedVenueRanker(model: model, log: log, cut: at, threads: 2)
        #expect(
            try LearnedVenueRanker(model: model, log: log, cut: at, threads: 1).features.candidates(of: 3).map(\.values)
                == ranker.features.candidates(of: 3).map(\.values))

        // A newcomer's factor feature is its folded-in factors' score.
        let ids = model.newcomers(in: log, at: at)
        let folded = model.foldedIn(ids, events: log, at: at)
        let factor = try #require(BlendFeatures.names.firstIndex(of: "factor"))
        for n in [0, ids.count / 2, ids.count - 1] {
            let s = Int32(try #require(log.shopperIDs.index(of: ids[n])))
            let candidates = ranker.features.candidates(of: s)
            #expect(candidates.count > 0)
            for candidate in candidates {
                let b = try #require(model.brandIDs.index(of: log.brandIDs[Int(candidate.brand)]))
                let score = zip(folded.row(n), model.brandFactors.row(b)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                #expect(abs(candidate.values[factor] - Double(score)) <= 1e-4 * max(1, abs(Double(score))), "\(ids[n])")
            }
            #expect(candidates.contains { $0.values[factor] != 0 })
        }

        // Pages: the newcomers' picked brands follow the blend's order, not a cold start's filling.
        let fixtures = TestSupport.fixtures
        let generator = VenueGenerator(
            model: model, events: log, catalog: try Catalog.read(path: fixtures + "/catalog.csv"),
            wallets: try CouponWallets.read(path: fixtures + "/coupons.csv"), layout: try VenueLayout.read(path: fixtures + "/layout.json"),
            at: at, learnedBlend: ranker, threads: 2)
        #expect(generator.shoppers == model.shopperIDs.ids + newcomers)
        var cold = VenuePage()
        generator.pages(for: ["NOBODY"]) { cold = $0 }
        var expected = JSONWriter()
        var personal = 0
        generator.pages(for: newcomers) { page in
            page.writeJSON(to: &expected)
            expected.newline()
            let scores = page.floors.first { $0.kind == .picked }?.slots.filter { $0.reason == .picked }.map(\.score) ?? []
            if scores.contains(where: { $0 > 0 }) { personal += 1 }
        }
        #expect(cold.floors.first { $0.kind == .picked }?.slots.allSatisfy { $0.reason != .picked || $0.score == 0 } ?? true)
        #expect(personal == newcomers.count, "every newcomer's picks are scored by the blend")
        var written: [UInt8] = []
        _ = try generator.generate(shoppers: newcomers, threads: 2, blockSize: 5) { written += $0 }
        #expect(written == expected.bytes)
        var all: [UInt8] = []
        _ = try generator.generate(threads: 2, blockSize: 7) { all += $0 }
        #expect(all.count > written.count && Array(all.suffix(written.count)) == written, "the newcomers come last")
    }

    @Test("venue generate without --shoppers writes the newcomers after the model's shoppers; shards split them too; HTML pages for them")
    func generateCommandIncludesNewcomers() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let (_, model, newcomers) = try Self.savedModelWithoutNewcomers(in: folder)
        func generate(_ out: String, _ extra: [String] = []) throws -> (status: Int32, out: String, err: String) {
            try Self.generate(model: folder + "/model.bin", out: folder + "/" + out, ["--threads", "2"] + extra)
        }
        func shoppers(_ path: String) throws -> [String] {
            try String(contentsOfFile: folder + "/" + path, encoding: .utf8).split(separator: "\n").map { line in
                let page = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return try #require(page["shopper"] as? String)
            }
        }
        let all = try generate("all")
        #expect(all.status == 0, "\(all.err)")
        #expect(all.out.contains("\"pages\":\(model.shopperIDs.count + newcomers.count)"), "\(all.out)")
        let written = try shoppers("all/venues.jsonl")
        #expect(written == model.shopperIDs.ids + newcomers)
        var sharded: [String] = []
        for i in 1...2 {
            let part = try generate("shards", ["--shard", "\(i)/2"])
            #expect(part.status == 0, "\(part.err)")
            sharded += try shoppers("shards/venues.shard-\(i)-of-2.jsonl")
        }
        #expect(Set(sharded) == Set(written) && sharded.count == written.count)
        let html = try generate("html", ["--format", "html", "--shard", "1/8"])
        #expect(html.status == 0, "\(html.err)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder + "/html/html")
        let expected = written.filter(try #require(Shard(index: 1, of: 8)).contains)
        #expect(Set(pages) == Set(expected.map { $0 + ".html" }) && expected.contains { newcomers.contains($0) })
    }

    @Test("venue train --until leaves out shoppers without events by then; generate folds them in from their later events")
    func trainUntilThenGenerate() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        let trained = try TestSupport.venue([
            "train", "--events", fixtures + "/events.csv", "--until", "2026-10-20", "--factors", "16", "--iterations", "3", "--model",
            folder + "/model.bin",
        ])
        #expect(trained.status == 0, "\(trained.err)")
        let log = try EventReader(format: .generic).read(path: fixtures + "/events.csv")
        let until = try #require(CalendarTime.day("2026-10-20")) + 86_399
        var first = [Int64](repeating: .max, count: log.shopperIDs.count)
        for i in 0..<log.count { first[Int(log.shoppers[i])] = min(first[Int(log.shoppers[i])], log.times[i]) }
        let late = (0..<log.shopperIDs.count).filter { first[$0] > until }.map { log.shopperIDs[$0] }
        #expect(!late.isEmpty && trained.err.contains("\(late.count) shoppers without events to train on left out of the model"))
        let model = try ModelFile.read(path: folder + "/model.bin")
        #expect(model.shopperIDs.ids == (0..<log.shopperIDs.count).filter { first[$0] <= until }.map { log.shopperIDs[$0] })

        let generated = try Self.generate(model: folder + "/model.bin", out: folder + "/out")
        #expect(generated.status == 0, "\(generated.err)")
        let pages = try String(contentsOfFile: folder + "/out/venues.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(pages.compactMap { $0["shopper"] as? String } == model.shopperIDs.ids + late)
        // Cold starts would all get the same picks; folded in, each gets its own.
        let picks = try pages.suffix(late.count).map { page in
            let floors = try #require(page["floors"] as? [[String: Any]])
            let slots = floors.first { $0["kind"] as? String == "picked" }?["slots"] as? [[String: Any]] ?? []
            return slots.compactMap { $0["brand"] as? String }
        }
        #expect(Set(picks).count == late.count)

        // Factor ranking without events cannot fold a late shopper in, and says what would.
        let unknown = try TestSupport.venue(["recommend", "--model", folder + "/model.bin", "--shopper", late[0]])
        #expect(unknown.status == 1 && unknown.err.contains("is not in") && unknown.err.contains("give --events FILE"))
    }

    @Test("venue recommend with --events folds in shoppers the model does not know: --shopper and --all agree with FoldIn's factors")
    func recommendFoldsIn() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let (log, model, newcomers) = try Self.savedModelWithoutNewcomers(in: folder)
        let events = TestSupport.fixtures + "/events.csv"
        func recommend(_ extra: [String]) throws -> (status: Int32, out: String, err: String) {
            try TestSupport.venue(["recommend", "--model", folder + "/model.bin", "-k", "8"] + extra)
        }
        func lists(_ path: String) throws -> [(shopper: String, brands: [String])] {
            try String(contentsOfFile: folder + "/" + path, encoding: .utf8).split(separator: "\n").map { line in
                let list = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return (try #require(list["shopper"] as? String), try #require(list["brands"] as? [String]))
            }
        }
        let plain = try recommend(["--all", "--out", folder + "/plain.jsonl"])
        let folded = try recommend(["--all", "--out", folder + "/folded.jsonl", "--events", events, "--threads", "3"])
        let owned = try recommend(["--all", "--out", folder + "/owned.jsonl", "--events", events, "--exclude-owned"])
        #expect(plain.status == 0 && folded.status == 0 && owned.status == 0, "\(plain.err)\(folded.err)\(owned.err)")
        #expect(folded.err.contains("folded in \(newcomers.count) shoppers the model does not know"), "\(folded.err)")
        let (withoutEvents, withEvents, excluding) = (try lists("plain.jsonl"), try lists("folded.jsonl"), try lists("owned.jsonl"))
        #expect(withoutEvents.map(\.shopper) == model.shopperIDs.ids)
        #expect(withEvents.map(\.shopper) == model.shopperIDs.ids + newcomers)
        #expect(withEvents.prefix(model.shopperIDs.count).map(\.brands) == withoutEvents.map(\.brands))

        // A newcomer's list is the top of its folded-in factors' scores; --shopper prints the same.
        let last = try #require(log.times.max())
        var ids = IdentifierMap()
        for id in newcomers { ids.intern(id) }
        let factors = model.foldedIn(ids, events: log, at: last)
        let ranker = BrandRanker(brands: BrandTable(model.brandFactors))
        for n in [0, newcomers.count - 1] {
            let expected = ranker.rank(8, factors: factors.row(n)).brands.map { model.brandIDs[Int($0)] }
            #expect(withEvents[model.shopperIDs.count + n].brands == expected, "\(newcomers[n])")
            let one = try recommend(["--shopper", newcomers[n], "--events", events])
            #expect(one.status == 0, "\(one.err)")
            #expect(one.out.split(separator: "\n").map { String($0.split(separator: "\t")[1]) } == expected)
        }
        // --exclude-owned leaves out the newcomers' own brands too.
        for (n, id) in newcomers.enumerated() {
            let s = try #require(log.shopperIDs.index(of: id))
            let touched = Set((0..<log.count).filter { Int(log.shoppers[$0]) == s }.map { log.brandIDs[Int(log.brands[$0])] })
            let list = excluding[model.shopperIDs.count + n]
            #expect(list.shopper == id && !list.brands.isEmpty && touched.isDisjoint(with: list.brands))
        }
        // Before its first event a newcomer has nothing to rank by.
        var first = [Int64](repeating: .max, count: log.shopperIDs.count)
        for i in 0..<log.count { first[Int(log.shoppers[i])] = min(first[Int(log.shoppers[i])], log.times[i]) }
        let late = try #require(newcomers.max { first[log.shopperIDs.index(of: $0)!] < first[log.shopperIDs.index(of: $1)!] })
        let day = CalendarTime.isoDate(first[log.shopperIDs.index(of: late)!] - CalendarTime.secondsPerDay)
        let early = try recommend(["--shopper", late, "--events", events, "--at", day])
        #expect(early.status == 1 && early.err.contains("has no events on its brands"), "\(early.err)")
    }

    @Test("recommend --events leaves out, and counts, a newcomer whose events touch only brands the model does not know")
    func recommendLeavesOutUnknownBrands() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let (_, model, newcomers) = try Self.savedModelWithoutNewcomers(in: folder)
        let events = try String(contentsOfFile: TestSupport.fixtures + "/events.csv", encoding: .utf8)
        try (events + "STRANGER,B-UNKNOWN,purchase,2026-10-01\n").write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
        let all = try TestSupport.venue([
            "recommend", "--model", folder + "/model.bin", "--all", "--out", folder + "/all.jsonl", "--events", folder + "/events.csv",
        ])
        #expect(all.status == 0, "\(all.err)")
        #expect(all.err.contains("folded in \(newcomers.count) shoppers the model does not know"), "\(all.err)")
        #expect(all.err.contains("left out 1 without events on the model's brands"), "\(all.err)")
        let lines = try String(contentsOfFile: folder + "/all.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == model.shopperIDs.count + newcomers.count && !lines.contains { $0.contains("STRANGER") })
        let one = try TestSupport.venue([
            "recommend", "--model", folder + "/model.bin", "--shopper", "STRANGER", "--events", folder + "/events.csv",
        ])
        #expect(one.status == 1 && one.err.contains("has no events on its brands"), "\(one.err)")
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
