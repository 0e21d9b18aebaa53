import Foundation
import Testing
import VenueKit

/// `venue generate --learned-blend`: pages whose candidates come from the blend saved in the model.
@Suite("venue generate --learned-blend")
struct LearnedBlendGenerationTests {
    @Test("generate --learned-blend: picked-for-you follows the saved blend's order; same bytes on 1 and 3 threads")
    func picksFollowTheBlend() throws {
        let folder = TestSupport.temporaryFolder()
        let fixtures = TestSupport.fixtures
        let events = fixtures + "/events.csv"
        // A blend by hand (fitting one is `venue evaluate`'s test): history, factor score and
        // popularity, on the fixture model, saved as `evaluate --save-model` saves it.
        try VenueTests.trainFixtureModel(to: folder + "/plain.model")
        var saved = try ModelFile.read(path: folder + "/plain.model")
        var weights = [Double](repeating: 0, count: BlendFeatures.names.count)
        for (name, weight) in [("bias", -3.0), ("own_history", 1), ("in_history", 0.5), ("factor", 2), ("popularity", 0.3)] {
            weights[try #require(BlendFeatures.names.firstIndex(of: name))] = weight
        }
        let blend = LogisticBlend(weights: weights, means: weights.map { _ in 0 }, scales: weights.map { _ in 1 })
        saved.extensions.merge(LearnedVenueRanker.extensions(for: blend)) { $1 }
        try ModelFile.write(saved, to: folder + "/blend.model")
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
        let log = try EventReader(format: .generic).read(path: events)
        let model = try ModelFile.read(path: folder + "/blend.model")
        let at = try #require(CalendarTime.day("2026-10-21"))
        let ranker = try LearnedVenueRanker(model: model, log: log, cut: at)
        let showable = try Catalog.read(path: fixtures + "/catalog.csv").showable(among: log.brandIDs)
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
            let ranked = ranker.scored(Int32(s), workspace: &workspace).map(\.brand)
            let eligible = (ranked + ranker.mostBought.filter { !ranked.contains($0) }).filter {
                showable.contains(Int($0)) && !touched[s].contains($0) && model.brandIDs.index(of: log.brandIDs[Int($0)]) != nil
            }.map { log.brandIDs[Int($0)] }
            let picks = picked.compactMap { $0["brand"] as? String }
            #expect(picks.first == eligible.first, "shopper \(log.shopperIDs[s])")
            var rest = eligible[...]
            for pick in picks {
                guard let found = rest.firstIndex(of: pick) else {
                    Issue.record("shopper \(log.shopperIDs[s]): \(pick) is not next in the blend's order")
                    break
                }
                rest = rest[(found + 1)...]
            }
            let scores = picked.compactMap { $0["score"] as? Double }
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
}
