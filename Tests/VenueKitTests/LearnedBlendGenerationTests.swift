import Foundation
import Testing
import VenueKit

/// The learned venue blend in production: fitted by `venue train --learn-blend`, and pages whose
/// candidates it ranks (`venue generate --learned-blend`).
@Suite("venue train --learn-blend and generate --learned-blend")
struct LearnedBlendGenerationTests {
    /// A blend made by hand on history, factor score and popularity (weights on unscaled features).
    static func handMadeBlend() throws -> LogisticBlend {
        var weights = [Double](repeating: 0, count: BlendFeatures.names.count)
        for (name, weight) in [("bias", -3.0), ("own_history", 1), ("in_history", 0.5), ("factor", 2), ("popularity", 0.3)] {
            weights[try #require(BlendFeatures.names.firstIndex(of: name))] = weight
        }
        return LogisticBlend(weights: weights, means: weights.map { _ in 0 }, scales: weights.map { _ in 1 })
    }

    /// The fixture model, `FOLDER/plain.model`, and beside it `FOLDER/blend.model`: the same with a
    /// blend made by hand (fitting one is `venue evaluate`'s test) on history, factor score and
    /// popularity, saved as `evaluate --save-model` saves it.
    static func writeBlendModel(in folder: String) throws {
        try VenueTests.trainFixtureModel(to: folder + "/plain.model")
        var saved = try ModelFile.read(path: folder + "/plain.model")
        saved.extensions.merge(LearnedVenueRanker.extensions(for: try handMadeBlend())) { $1 }
        try ModelFile.write(saved, to: folder + "/blend.model")
    }

    @Test("recommend --all --blend: every shopper's --blend list, same bytes on 1 and 3 threads; --catalog and --exclude-owned")
    func recommendAllByBlend() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        let events = fixtures + "/events.csv"
        try Self.writeBlendModel(in: folder)
        func recommend(_ arguments: [String], k: Int = 12) throws -> (status: Int32, out: String, err: String) {
            try TestSupport.venue(
                ["recommend", "--model", folder + "/blend.model", "--blend", "--events", events, "--at", "2026-10-21", "-k", "\(k)"]
                    + arguments)
        }
        func lines(_ path: String) throws -> [(shopper: String, brands: [String], scores: [Double?])] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let scores = try #require(object["scores"] as? [Any]).map { $0 as? Double }
                return (try #require(object["shopper"] as? String), try #require(object["brands"] as? [String]), scores)
            }
        }
        let one = try recommend(["--all", "--out", folder + "/one.jsonl", "--threads", "1"])
        let three = try recommend(["--all", "--out", folder + "/three.jsonl", "--threads", "3"])
        #expect(one.status == 0 && three.status == 0, "\(one.err) \(three.err)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/one.jsonl"))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: folder + "/three.jsonl"))))

        // Every shopper of the events, in their order, with the Swift ranker's list.
        let log = try EventReader(format: .generic).read(path: events)
        let at = try #require(CalendarTime.day("2026-10-21"))
        let ranker = try LearnedVenueRanker(model: try ModelFile.read(path: folder + "/blend.model"), log: log, cut: at)
        var workspace = ranker.features.makeWorkspace()
        let all = try lines(folder + "/one.jsonl")
        #expect(all.map(\.shopper) == (0..<log.shopperIDs.count).map { log.shopperIDs[$0] })
        for (s, line) in all.enumerated() {
            let expected = ranker.rank(Int32(s), k: 12, workspace: &workspace)
            #expect(line.brands == expected.map { log.brandIDs[Int($0.brand)] }, "shopper \(line.shopper)")
            #expect(line.scores.map { $0 == nil } == expected.map { $0.score == nil }, "shopper \(line.shopper)")
            for (written, score) in zip(line.scores, expected.map(\.score)) {
                if let written, let score { #expect(abs(written - score) <= 1e-5 * max(1, abs(score)), "shopper \(line.shopper)") }
            }
        }
        // One shopper at a time prints the same list.
        for line in all.prefix(3) {
            let printed = try recommend(["--shopper", line.shopper])
            #expect(printed.status == 0, "\(printed.err)")
            #expect(printed.out.split(separator: "\n").map { String($0.split(separator: "\t")[1]) } == line.brands)
        }

        // With the catalog and --exclude-owned: only showable brands the shopper has not touched
        // up to --at, candidates in the blend's order, then filling (the most-bought brands,
        // scored null) to 80, more than the candidates left.
        let filtered = try recommend(
            ["--all", "--out", folder + "/filtered.jsonl", "--catalog", fixtures + "/catalog.csv", "--exclude-owned"], k: 80)
        #expect(filtered.status == 0, "\(filtered.err)")
        let showable = try Catalog.read(path: fixtures + "/catalog.csv").showable(among: log.brandIDs)
        var touched = [Set<String>](repeating: [], count: log.shopperIDs.count)
        for i in 0..<log.count where log.times[i] <= at { touched[Int(log.shoppers[i])].insert(log.brandIDs[Int(log.brands[i])]) }
        var filled = 0
        for (s, line) in try lines(folder + "/filtered.jsonl").enumerated() {
            #expect(line.brands.count == 80, "shopper \(line.shopper)")
            #expect(
                line.brands.allSatisfy { showable.contains(log.brandIDs.index(of: $0)!) && !touched[s].contains($0) }, "\(line.shopper)")
            let unfiltered = ranker.scored(Int32(s), workspace: &workspace).map { log.brandIDs[Int($0.brand)] }
            let kept = unfiltered.filter { showable.contains(log.brandIDs.index(of: $0)!) && !touched[s].contains($0) }
            #expect(Array(line.brands.prefix(kept.count)) == Array(kept.prefix(80)), "shopper \(line.shopper)")
            #expect(line.scores.map { $0 == nil } == line.brands.indices.map { $0 >= kept.count }, "shopper \(line.shopper)")
            filled += line.brands.count - min(kept.count, 80)
        }
        #expect(filled > 0)

        // --precision is the factor ranking's; --blend needs the events.
        let precision = try recommend(["--shopper", all[0].shopper, "--precision", "float16"])
        #expect(precision.status == 64 && precision.err.contains("--precision"), "\(precision.err)")
        let noEvents = try TestSupport.venue(["recommend", "--model", folder + "/blend.model", "--blend", "--all", "--out", folder + "/x"])
        #expect(noEvents.status == 64 && noEvents.err.contains("--events"), "\(noEvents.err)")
    }

    @Test("generate --learned-blend: picked-for-you follows the saved blend's order; same bytes on 1 and 3 threads")
    func picksFollowTheBlend() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        let events = fixtures + "/events.csv"
        try Self.writeBlendModel(in: folder)
        func generate(_ out: String, threads: Int, model: String = folder + "/blend.model", events: String = events, learned: Bool = true)
            throws -> (status: Int32, out: String, err: String)
        {
            try TestSupport.venue(
                [
                    "generate", "--model", model, "--events", events, "--catalog", fixtures + "/catalog.csv", "--coupons",
                    fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", out, "--threads", "\(threads)", "--at",
                    "2026-10-21",
                ] + (learned ? ["--learned-blend"] : []))
        }
        let one = try generate(folder + "/one", threads: 1)
        let three = try generate(folder + "/three", threads: 3)
        let factors = try generate(folder + "/factors", threads: 2, learned: false)
        #expect(one.status == 0 && three.status == 0 && factors.status == 0, "\(one.err) \(three.err)")
        #expect(one.out.contains("\"candidates\":\"learned-blend\"") && !factors.out.contains("learned-blend"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/one/venues.jsonl"))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: folder + "/three/venues.jsonl"))))
        #expect(bytes != (try Data(contentsOf: URL(fileURLWithPath: folder + "/factors/venues.jsonl"))), "the flag changes the pages")

        // The same ranking from Swift: each shopper's picks are a subsequence of the blend's
        // candidates (then the most-bought brands) that a page may show and the shopper has not
        // touched, and the first pick is the first of them (diversity cannot refuse a first slot).
        // Guaranteed placements lead the floor and capped brands go to the pages their exposure
        // plan allows (ExposurePlanTests), so both are left out here.
        let log = try EventReader(format: .generic).read(path: events)
        let model = try ModelFile.read(path: folder + "/blend.model")
        let at = try #require(CalendarTime.day("2026-10-21"))
        let ranker = try LearnedVenueRanker(model: model, log: log, cut: at)
        let catalog = try Catalog.read(path: fixtures + "/catalog.csv")
        let showable = catalog.showable(among: log.brandIDs)
        let capped = Set(catalog.brands.filter { $0.exposureCap != nil }.map(\.id))
        var touched = [Set<Int32>](repeating: [], count: log.shopperIDs.count)
        for i in 0..<log.count where log.times[i] <= at { touched[Int(log.shoppers[i])].insert(log.brands[i]) }
        var workspace = ranker.features.makeWorkspace()
        var checked = 0
        for line in bytes.split(separator: 0x0A) {
            let page = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let floors = try #require(page["floors"] as? [[String: Any]])
            guard let picked = floors.first(where: { $0["kind"] as? String == "picked" })?["slots"] as? [[String: Any]],
                let s = log.shopperIDs.index(of: try #require(page["shopper"] as? String))
            else { continue }
            let guaranteed = Set(picked.filter { $0["reason"] as? String == "guaranteed" }.compactMap { $0["brand"] as? String })
            let ranked = ranker.scored(Int32(s), workspace: &workspace).map(\.brand)
            let eligible = (ranked + ranker.mostBought.filter { !ranked.contains($0) }).filter {
                showable.contains(Int($0)) && !touched[s].contains($0) && model.brandIDs.index(of: log.brandIDs[Int($0)]) != nil
            }.map { log.brandIDs[Int($0)] }.filter { !capped.contains($0) && !guaranteed.contains($0) }
            let pickedSlots = picked.filter { $0["reason"] as? String == "picked" }
            let picks = pickedSlots.compactMap { $0["brand"] as? String }.filter { !capped.contains($0) }
            #expect(picks.first == eligible.first, "shopper \(log.shopperIDs[s])")
            var rest = eligible[...]
            for pick in picks {
                guard let found = rest.firstIndex(of: pick) else {
                    Issue.record("shopper \(log.shopperIDs[s]): \(pick) is not next in the blend's order")
                    break
                }
                rest = rest[(found + 1)...]
            }
            let scores = pickedSlots.compactMap { $0["score"] as? Double }
            #expect(scores.allSatisfy { (0...1).contains($0) } && scores == scores.sorted(by: >), "probabilities, best first")
            checked += 1
        }
        #expect(checked > 1_000)

        // Weights of the factor ranking do not apply, and a model without a blend is refused
        // before the events are read.
        let weighted = try TestSupport.venue([
            "generate", "--model", folder + "/blend.model", "--events", events, "--catalog", fixtures + "/catalog.csv", "--coupons",
            fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", folder + "/weighted", "--learned-blend",
            "--factor-weight", "2",
        ])
        #expect(weighted.status == 64 && weighted.err.contains("do not apply"), "\(weighted.err)")
        let refused = try generate(folder + "/refused", threads: 2, model: folder + "/plain.model", events: folder + "/missing.csv")
        #expect(refused.status == 1 && refused.err.contains("holds no learned venue blend"), "\(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/refused"))
    }

    @Test("train --learn-blend saves the model and blend evaluate --save-model fits, byte for byte; --until; untimed events refused")
    func trainLearnsTheBlend() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let events = TestSupport.fixtures + "/events.csv"
        let small = ["--factors", "16", "--iterations", "3", "--learn-windows", "1"]
        let trained = try TestSupport.venue(
            ["train", "--events", events, "--until", "2026-10-20", "--learn-blend", "--model", folder + "/train.model"] + small)
        #expect(trained.status == 0 && trained.err.contains("venue blend fitted on"), "\(trained.err)")
        let evaluated = try TestSupport.venue(
            [
                "evaluate", "--events", events, "--train-until", "2026-10-20", "--test-from", "2026-10-21", "--test-until", "2026-11-10",
                "--methods", "venue", "-k", "20", "--bootstrap", "0", "--save-model", folder + "/evaluate.model",
            ] + small)
        #expect(evaluated.status == 0, "\(evaluated.err)")
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/train.model"))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: folder + "/evaluate.model"))))
        let model = try ModelFile.read(path: folder + "/train.model")
        #expect(model.extensions["BLND"] != nil && model.extensions["BLNP"] != nil)

        // A large population is fitted on an even sample of each window's shoppers.
        func rows(_ err: String) -> Int? {
            err.components(separatedBy: "fitted on ").dropFirst().first?.split(separator: " ").first.flatMap { Int($0) }
        }
        let sampled = try TestSupport.venue(
            [
                "train", "--events", events, "--until", "2026-10-20", "--learn-blend", "--learn-shoppers", "300", "--model",
                folder + "/s.model",
            ]
                + small)
        #expect(sampled.status == 0, "\(sampled.err)")
        if let all = rows(trained.err), let some = rows(sampled.err) {
            #expect(some < all / 3 && some > all / 12, "\(some) of \(all) rows")
        } else {
            Issue.record("no row counts in \(trained.err) \(sampled.err)")
        }

        // --until alone trains on the events through that day, as the evaluation's training side;
        // the blend's settings are refused without --learn-blend, not ignored.
        let alsOnly = [
            "train", "--events", events, "--until", "2026-10-20", "--model", folder + "/until.model", "--factors", "16", "--iterations",
            "3",
        ]
        let until = try TestSupport.venue(alsOnly)
        #expect(until.status == 0, "\(until.err)")
        for setting in [["--learn-windows", "1"], ["--knn", "50"]] {  // given at its default value, too
            let ignored = try TestSupport.venue(alsOnly + setting)
            #expect(ignored.status == 64 && ignored.err.contains("apply with --learn-blend"), "\(setting): \(ignored.err)")
        }
        var plain = model
        plain.extensions = [:]
        #expect(try ModelFile.read(path: folder + "/until.model") == plain)

        // Pre-aggregated weights have no days to learn from.
        try "shopper,brand,weight\nS1,B1,3\nS2,B1,1\n".write(toFile: folder + "/weights.csv", atomically: true, encoding: .utf8)
        let untimed = try TestSupport.venue(
            ["train", "--events", folder + "/weights.csv", "--format", "weights", "--learn-blend", "--model", folder + "/w.model"])
        #expect(untimed.status == 1 && untimed.err.contains("no event has a time"), "\(untimed.err)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/w.model"))
    }
}
