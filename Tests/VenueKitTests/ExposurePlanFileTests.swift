import Foundation
import Testing
import VenueKit

@Suite("Saved exposure plans")
struct ExposurePlanFileTests {
    /// `world`'s allocation with `perPage` and made-up popularity counts (up to the largest a
    /// plan holds), written as JSON to `path`.
    private static func save(_ world: ExposureWorld, perPage: Int, to path: String, madeFrom: [String: String] = ["at": "2026-11-11"])
        throws -> ExposurePlan.Saved
    {
        let allocation = ExposurePlan.Allocation(
            model: world.model, catalog: world.catalog, showable: world.showable, history: world.history, perPage: perPage)
        let counts = (0..<world.model.brandIDs.count).map { $0 == 1 ? Float(1 << 24) : Float($0 * 7 % 13) }
        let saved = ExposurePlan.Saved(allocation: allocation, popularityCounts: counts, madeFrom: madeFrom)
        try saved.json(brandIDs: world.model.brandIDs).write(toFile: path, atomically: true, encoding: .utf8)
        return saved
    }

    @Test(
        "an allocation read back is the allocation written, bit for bit; a model of part of the shoppers places each of them as the whole does",
        arguments: [(UInt64(1), false, false), (2, true, false), (3, false, true), (4, true, true)])
    func roundTrip(seed: UInt64, continuous: Bool, boundless: Bool) throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        // 64 continuous factors: thresholds with every bit of a Float in use.
        let world = ExposureWorld(
            seed: seed, shoppers: 90 + Int(seed) * 11, brands: 40, factors: continuous ? 64 : 4, continuous: continuous,
            boundless: boundless)
        try ModelFile.write(world.model, to: folder + "/m.model")
        for perPage in [0, 1, 2] {
            let written = try Self.save(world, perPage: perPage, to: folder + "/plan.json")
            let saved = try ExposurePlan.Saved.read(
                path: folder + "/plan.json", model: world.model, catalog: world.catalog, madeFrom: ["at": "2026-11-11"])
            let read = saved.allocation
            #expect(read == written.allocation, "per page \(perPage)")
            #expect(saved.popularityCounts == written.popularityCounts && saved.madeFrom == written.madeFrom)
            #expect(saved.day == CalendarTime.day("2026-11-11"))
            #expect(perPage == 0 || read.lines.contains { $0.planned > 0 }, "the world exercises guarantees")
            let whole = ExposurePlan(allocation: read, model: world.model, history: world.history)
            #expect(
                whole
                    == ExposurePlan(
                        model: world.model, catalog: world.catalog, showable: world.showable, history: world.history, perPage: perPage))

            // Every third shopper, read alone from the model file, with their history rows.
            let part = try ModelFile.read(path: folder + "/m.model") { id in
                Int(String(decoding: id, as: UTF8.self).dropFirst())! % 3 == 1
            }
            #expect(part.shoppers == world.model.shopperIDs.count && part.rows == part.rows.sorted() && !part.rows.isEmpty)
            let rows = part.rows.map { Int($0) }
            var history: (rows: [Int32], columns: [Int32]) = ([], [])
            for (i, r) in rows.enumerated() {
                #expect(part.model.shopperIDs[i] == world.model.shopperIDs[r])
                for k in 0..<world.model.factors { #expect(part.model.shopperFactors[i, k] == world.model.shopperFactors[r, k]) }
                for b in world.history.columnIndices[world.history.range(ofRow: r)] {
                    history.rows.append(Int32(i))
                    history.columns.append(b)
                }
            }
            let partHistory = SparseMatrix(
                rows: rows.count, columns: world.model.brandIDs.count, rowIndices: history.rows, columnIndices: history.columns,
                values: history.rows.map { _ in 1 })
            let partial = try ExposurePlan.Saved.read(
                path: folder + "/plan.json", model: part.model, population: part.shoppers, catalog: world.catalog, madeFrom: [:]
            ).allocation
            let plan = ExposurePlan(allocation: partial, model: part.model, history: partHistory, populationRows: part.rows)
            for (i, r) in rows.enumerated() {
                #expect(plan.guaranteed(row: i) == whole.guaranteed(row: r), "shopper \(r)")
                #expect(plan.allowedCapped(row: i) == whole.allowedCapped(row: r), "shopper \(r)")
            }
        }
    }

    @Test("a plan made from other inputs, for another catalog, or with numbers no allocation holds is refused, with the line and column")
    func refusals() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let world = ExposureWorld(seed: 5, shoppers: 80, brands: 30)
        _ = try Self.save(world, perPage: 2, to: folder + "/plan.json", madeFrom: ["at": "2026-11-11", "model": "abc"])
        let text = try String(contentsOfFile: folder + "/plan.json", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The first line that placed something, and the first capped one.
        let placing = try #require(lines.firstIndex { $0.contains("\"order\":0,") })
        let capped = try #require(lines.firstIndex { $0.contains("\"cap\":") && !$0.contains("\"cap\":null") })
        let popularity = try #require(lines.firstIndex { $0.hasPrefix("\"popularity\":[0,16777216,") })

        /// The error reading `text` changed by `edit` (with `madeFrom` and `catalog`).
        func refusal(
            _ edit: (inout [String]) -> Void, madeFrom: [String: String] = ["at": "2026-11-11"], catalog: Catalog? = nil
        ) throws -> InputProblem? {
            var changed = lines
            edit(&changed)
            try changed.joined(separator: "\n").write(toFile: folder + "/bad.json", atomically: true, encoding: .utf8)
            do {
                _ = try ExposurePlan.Saved.read(
                    path: folder + "/bad.json", model: world.model, catalog: catalog ?? world.catalog, madeFrom: madeFrom)
                return nil
            } catch {
                guard case .invalid(let problem) = error else { return nil }
                return problem
            }
        }
        #expect(try refusal({ _ in }) == nil, "the plan as written reads")
        let otherDay = try #require(try refusal({ _ in }, madeFrom: ["at": "2026-11-12"]))
        #expect(otherDay.location.line == 1 && otherDay.expected.contains("made_from.at") && otherDay.found == "\"2026-11-11\"")
        let otherModel = try #require(try refusal({ _ in }, madeFrom: ["model": "abd"]))
        #expect(otherModel.expected.contains("\"abd\", this run's model") && otherModel.found == "\"abc\"")

        // A catalog whose guarantee changed, or whose brand sold out.
        var brands = world.catalog.brands
        let b = try #require(brands.firstIndex { $0.id == lines[placing].split(separator: "\"")[3] })
        brands[b].exposureGuarantee = (brands[b].exposureGuarantee ?? 0) + 1
        let raised = try #require(try refusal({ _ in }, catalog: Catalog(brands: brands)))
        #expect(raised.location.line == placing + 1 && raised.expected.contains(".guarantee") && raised.expected.contains("plan again"))
        brands = world.catalog.brands
        brands[b].stock = .soldOut
        let soldOut = try #require(try refusal({ _ in }, catalog: Catalog(brands: brands)))
        #expect(soldOut.location.line == placing + 1 && soldOut.expected.contains("cannot show"), "\(soldOut)")

        // Numbers no allocation holds.
        let cases: [(String, (inout [String]) -> Void)] = [
            ("per_page", { $0[0] = $0[0].replacingOccurrences(of: "\"per_page\":2", with: "\"per_page\":-1") }),
            ("shoppers", { $0[0] = $0[0].replacingOccurrences(of: "\"shoppers\":80", with: "\"shoppers\":81") }),
            ("lines", { $0.remove(at: capped) }),
            (".planned", { $0[placing] = $0[placing].replacingOccurrences(of: "\"planned\":", with: "\"planned\":1000") }),
            (".order", { $0[placing] = $0[placing].replacingOccurrences(of: "\"order\":0", with: "\"order\":null") }),
            (
                ".guarantee_threshold",
                { $0[placing] = $0[placing].replacingOccurrences(of: "\"guarantee_threshold\":[\"", with: "\"guarantee_threshold\":[\"x") }
            ),
            (".cap_threshold", { $0[capped] = $0[capped].replacingOccurrences(of: ",-1]}", with: ",80]}") }),
            (
                ".last_allowed_toucher",
                { $0[capped] = $0[capped].replacingOccurrences(of: "\"last_allowed_toucher\":", with: "\"last_allowed_toucher\":9") }
            ),
            ("version", { $0[0] = $0[0].replacingOccurrences(of: "\"version\":2", with: "\"version\":1") }),
            ("made_from.at", { $0[0] = $0[0].replacingOccurrences(of: "\"at\":\"2026-11-11\"", with: "\"at\":\"11-11\"") }),
            // A count per brand, each a whole number a Float count reaches.
            ("popularity", { $0[popularity] = $0[popularity].replacingOccurrences(of: "[0,", with: "[") }),
            ("popularity[0]", { $0[popularity] = $0[popularity].replacingOccurrences(of: "[0,", with: "[-1,") }),
            ("popularity[0]", { $0[popularity] = $0[popularity].replacingOccurrences(of: "[0,", with: "[0.5,") }),
            ("popularity[1]", { $0[popularity] = $0[popularity].replacingOccurrences(of: "[0,16777216,", with: "[0,16777217,") }),
        ]
        for (key, edit) in cases {
            let problem = try refusal(edit, madeFrom: [:])
            #expect(problem?.expected.contains(key) == true, "\(key): \(String(describing: problem))")
        }
        // A change no other check sees (a toucher row still within the population), or the
        // checksum itself: refused by the checksum of the text.
        for edit: (inout [String]) -> Void in [
            { $0[placing] = $0[placing].replacingOccurrences(of: "\"last_allowed_toucher\":-1", with: "\"last_allowed_toucher\":0") },
            { $0[$0.count - 2] = $0[$0.count - 2].replacingOccurrences(of: "\"check\":\"", with: "\"check\":\"0") },
        ] {
            let problem = try refusal(edit)
            #expect(problem?.expected.contains("changed after venue plan wrote it") == true, "\(String(describing: problem))")
        }
        // Two lines claiming the same place among the guarantees.
        let second = try #require(lines.firstIndex { $0.contains("\"order\":1,") })
        let repeated = try refusal { $0[second] = $0[second].replacingOccurrences(of: "\"order\":1,", with: "\"order\":0,") }
        #expect(repeated?.expected.contains("once") == true && repeated?.location.line ?? 0 > 1, "\(String(describing: repeated))")
    }

    @Test(
        "venue plan, then generate --plan in three shards (each keeping its own shoppers' factors and events): the whole run's pages and report; a plan for other inputs is refused"
    )
    func planCommand() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        try VenueTests.trainFixtureModel(to: folder + "/m.model")
        let inputs = ["--model", folder + "/m.model", "--events", fixtures + "/events.csv", "--catalog", fixtures + "/catalog.csv"]
        func generate(_ out: String, _ extra: [String], inputs: [String] = inputs) throws -> (status: Int32, out: String, err: String) {
            try TestSupport.venue(
                ["generate"] + inputs + [
                    "--coupons", fixtures + "/coupons.csv", "--layout", fixtures + "/layout.json", "--out", out, "--threads", "2",
                ] + extra)
        }
        func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
        let planned = try TestSupport.venue(["plan"] + inputs + ["--out", folder + "/plan.json", "--threads", "2"])
        #expect(planned.status == 0, "\(planned.err)")
        #expect(planned.out.contains("\"guarantees\":5,\"planned\":"), "\(planned.out)")
        #expect(try generate(folder + "/whole", []).status == 0)
        let whole = try text(folder + "/whole/venues.jsonl").split(separator: "\n")

        var union: [Substring] = []
        for index in 1...3 {
            let run = try generate(folder + "/shards", ["--shard", "\(index)/3", "--plan", folder + "/plan.json"])
            #expect(run.status == 0, "\(run.err)")
            let shard = try text(folder + "/shards/venues.shard-\(index)-of-3.jsonl").split(separator: "\n")
            #expect(!shard.isEmpty && shard == whole.filter(Set(shard).contains), "shard \(index): the whole run's pages, in order")
            union += shard
        }
        #expect(union.count == whole.count && Set(union) == Set(whole))
        let merged = try TestSupport.venue(
            ["merge-exposure"] + (1...3).map { folder + "/shards/exposure.shard-\($0)-of-3.csv" } + ["--out", folder + "/merged.csv"])
        #expect(merged.status == 0)
        #expect(try text(folder + "/merged.csv") == text(folder + "/whole/exposure.csv"))
        // Unsharded with the plan: the same bytes.
        #expect(try generate(folder + "/planned", ["--plan", folder + "/plan.json"]).status == 0)
        #expect(try text(folder + "/planned/venues.jsonl") == text(folder + "/whole/venues.jsonl"))

        // A plan for a day of its own: generate --plan without --at makes a shard's pages for that
        // day (from the shard's own events and the plan's popularity), as generate --at does
        // without a plan.
        let later = try TestSupport.venue(["plan"] + inputs + ["--at", "2026-11-20", "--out", folder + "/later.json"])
        #expect(later.status == 0, "\(later.err)")
        let laterPlanned = try generate(folder + "/later-planned", ["--plan", folder + "/later.json", "--shard", "2/3"])
        #expect(laterPlanned.status == 0 && laterPlanned.out.contains("\"at\":\"2026-11-20\""), "\(laterPlanned.err)")
        #expect(try generate(folder + "/later", ["--at", "2026-11-20", "--shard", "2/3"]).status == 0)
        for file in ["venues.shard-2-of-3.jsonl", "exposure.shard-2-of-3.csv"] {
            #expect(try text(folder + "/later-planned/" + file) == text(folder + "/later/" + file), "\(file)")
        }

        // Another day, events or model than the plan's: refused before any page is written.
        var events = try text(fixtures + "/events.csv")
        events += events.split(separator: "\n").last.map { $0 + "\n" } ?? ""
        try events.write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
        let other = try TestSupport.venue([
            "train", "--events", fixtures + "/events.csv", "--format", "generic", "--factors", "16", "--iterations", "2",
            "--model", folder + "/other.model",
        ])
        #expect(other.status == 0, "\(other.err)")
        func replacing(_ option: String, with value: String) -> [String] {
            var changed = inputs
            changed[changed.firstIndex(of: option)! + 1] = value
            return changed
        }
        for (changedInputs, extra, key) in [
            (inputs, ["--at", "2026-11-12"], "made_from.at"), (replacing("--events", with: folder + "/events.csv"), [], "made_from.events"),
            (replacing("--model", with: folder + "/other.model"), [], "made_from.model"),
        ] {
            let refused = try generate(
                folder + "/refused", ["--plan", folder + "/plan.json", "--shard", "1/3"] + extra, inputs: changedInputs)
            #expect(refused.status == 1 && refused.err.contains("plan.json:1:") && refused.err.contains(key), "\(refused.err)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/refused/venues.shard-1-of-3.jsonl"))
        }
    }
}
