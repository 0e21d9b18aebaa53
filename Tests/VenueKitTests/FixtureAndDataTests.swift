import Foundation
import Testing
import VenueKit

@Suite("Fixtures")
struct FixtureTests {
    @Test("regenerating the fixtures gives byte-identical files")
    func regenerate() throws {
        let market = SyntheticMarketplace()
        for (name, contents) in market.files {
            let committed = try Data(contentsOf: URL(fileURLWithPath: TestSupport.fixtures + "/" + name))
            #expect(committed == Data(contents.utf8), "Fixtures/\(name) differs from a fresh generation: run `venue fixtures`")
        }
    }

    @Test("the fixture marketplace has what the venue needs")
    func shape() throws {
        let market = SyntheticMarketplace()
        let log = try EventReader(format: .generic).read(path: TestSupport.fixtures + "/events.csv")
        #expect(log.shopperIDs.count == 2000 && log.brandIDs.count <= 200)
        #expect(market.catalogCSV.contains("sold_out") && market.catalogCSV.contains(",no,"))
        for kind in ["red_envelope", "cross_store", "store", "category"] { #expect(market.couponsCSV.contains(",\(kind),")) }
        let stats = EventStatistics(log)
        #expect(stats.timeRange.map { CalendarTime.isoDate($0.upperBound) } == "2026-11-10")
        let total = market.files.reduce(0) { $0 + $1.contents.utf8.count }
        #expect(total < 2_000_000)
    }
}

@Suite("Real data", TestSupport.needsSharedData)
struct RealDataTests {
    @Test("Tmall 2014: the counts of the data README")
    func tmall2014() throws {
        let log = try EventReader(format: .tmall2014).read(path: TestSupport.shared("tmall-2014-brands/t_alibaba_data.csv"))
        let stats = EventStatistics(log)
        #expect(stats.events == 182_880)
        #expect(stats.shoppers == 884)
        #expect(stats.brands == 9_531)
        #expect(stats.eventsByKind == [.click: 174_539, .purchase: 6_984, .favorite: 1_204, .cart: 153])
        #expect(stats.timeRange.map { CalendarTime.isoDate($0.lowerBound) } == "2014-04-15")
        #expect(stats.timeRange.map { CalendarTime.isoDate($0.upperBound) } == "2014-08-15")
    }

    @Test("IJCAI-15 fragment, Last.fm and MovieLens")
    func otherFormats() throws {
        let ijcai = try EventReader(format: .ijcai15).read(path: TestSupport.shared("ijcai15-fragment/user_log_format1_head10k.csv"))
        // 10,000 rows: one has no brand_id (the README's 1,389 "brands" count that empty id).
        #expect(ijcai.count + ijcai.ignoredRows == 10_000 && ijcai.shopperIDs.count == 62 && ijcai.brandIDs.count == 1_388)
        let double11 = CalendarTime.seconds(year: 2015, month: 11, day: 11)
        #expect(ijcai.times.filter { $0 == double11 }.count + ijcai.ignoredRows >= 1_930)
        let lastfm = try EventReader(format: .lastfm).read(path: TestSupport.shared("lastfm-hetrec-2k/user_artists.dat"))
        #expect(lastfm.count == 92_834 && lastfm.shopperIDs.count == 1_892 && lastfm.brandIDs.count == 17_632)
        let movielens = try EventReader(format: .movielens).read(path: TestSupport.shared("movielens-100k/u.data"))
        #expect(movielens.count == 100_000 && movielens.shopperIDs.count == 943 && movielens.brandIDs.count == 1_682)
    }
}

@Suite("venue command")
struct CommandTests {
    @Test("--help lists the subcommands")
    func help() throws {
        let result = try TestSupport.venue(["--help"])
        #expect(result.status == 0)
        for name in ["stats", "fixtures"] { #expect(result.out.contains(name)) }
    }

    @Test("venue fixtures refuses sizes and sale days it cannot build from, with a message instead of a crash")
    func fixturesRefusesBadOptions() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        for refused in [["--brands", "0"], ["--shoppers", "0"]] {
            let result = try TestSupport.venue(["fixtures", "--out", folder] + refused)
            #expect(result.status == 64 && result.err.contains("Error: --"), "\(refused): \(result.status) \(result.err)")
        }
        for day in ["2026-13-40", "soon", "2026-11-11T10:00", "1762819200"] {
            let result = try TestSupport.venue(["fixtures", "--out", folder, "--sale-day", day])
            #expect(
                result.status == 64 && result.err.contains("The value '\(day)' is invalid for '--sale-day <YYYY-MM-DD>'"),
                "\(day): \(result.status) \(result.err)")
        }
    }

    @Test("numbers beyond any data on the command line are refused with a message, or mean \"all\"; never a crash")
    func hugeNumbers() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let huge = String(Int.max)
        let events = ["--events", TestSupport.fixtures + "/events.csv", "--format", "generic"]
        let split = ["--train-until", "2026-10-15", "--test-from", "2026-10-16", "--test-until", "2026-11-10"]
        let model = folder + "/m.model"
        let train = ["train"] + events + ["--iterations", "2", "--model", model]
        try #require(try TestSupport.venue(train).status == 0)
        // Refused before any work: status 64 and the option named.
        for (arguments, option) in [
            (["fixtures", "--out", folder + "/fx", "--brands", huge], "--brands"),
            (["fixtures", "--out", folder + "/fx", "--shoppers", huge], "--shoppers"),
            (["evaluate"] + events + split + ["--seeds", huge], "--seeds"),
            (["evaluate"] + events + split + ["--bootstrap", huge], "--bootstrap"),
            (["tune"] + events + ["--train-until", "2026-10-15", "--folds", huge], "--folds"),
            (["tune"] + events + ["--train-until", "2026-10-15", "--validation-days", huge], "--validation-days"),
            (["stats", "--events", TestSupport.fixtures + "/events.csv", "--format", "tmall2014", "--year", huge], "--year"),
        ] {
            let result = try TestSupport.venue(arguments)
            #expect(result.status == 64 && result.err.contains(option), "\(option): \(result.status) \(result.err.suffix(300))")
        }
        // Taken as "every brand", "every shopper in one block" (learning windows and samples:
        // `overlappingLearningWindows`).
        let all = try TestSupport.venue(["recommend", "--model", model, "--shopper", "S0001", "-k", huge])
        #expect(all.status == 0 && all.out.split(separator: "\n").count == 200, "\(all.status) \(all.err.suffix(300))")
        let bench = try TestSupport.venue([
            "bench", "rank", "--brands", "300", "--queries", "20", "--shoppers", "100", "--block-size", huge,
        ])
        #expect(bench.status == 0 && bench.out.contains("\"block_size\":\(huge)"), "\(bench.status) \(bench.err.suffix(300))")
        // Run, and stopped with a message: windows longer than the events, more threads than memory.
        for (option, message) in [("--learn-window", "learning windows"), ("--threads", "more than this machine's")] {
            let result = try TestSupport.venue(train + ["--learn-blend", option, huge])
            #expect(result.status == 1 && result.err.contains(message), "\(option): \(result.status) \(result.err.suffix(300))")
        }
    }

    @Test("an output that can only fail to be written, or would be misnamed, is refused before any work, the option named")
    func outputPaths() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let file = folder + "/a-file"
        try AtomicFile.write("x\n", to: file)
        let fixtures = TestSupport.fixtures
        let events = ["--events", fixtures + "/events.csv", "--format", "generic"]
        let model = folder + "/m.model"
        let marketplace = [
            "--model", model, "--catalog", fixtures + "/catalog.csv", "--coupons", fixtures + "/coupons.csv", "--layout",
            fixtures + "/layout.json",
        ]
        for (arguments, message) in [
            (["train"] + events + ["--model", folder], "--model \(folder) is a folder; give a file path"),
            (["train"] + events + ["--model", file + "/m.model"], "\(file) is a file, where a folder must be"),
            (["evaluate"] + events + ["--holdout", "0.2", "--plot", folder], "--plot \(folder) is a folder"),
            (
                ["evaluate"] + events + ["--holdout", "0.2", "--plot", folder + "/recall.JPG"],
                "--plot draws SVG or PNG, and \(folder)/recall.JPG names a .jpg file"
            ),
            (["recommend", "--model", model, "--all", "--out", file + "/deeper/all.jsonl"], "\(file) is a file, where a folder must be"),
            (
                ["generate", "--events", fixtures + "/events.csv"] + marketplace + ["--out", file],
                "--out \(file): \(file) is a file, where a folder must be"
            ),
            (["demo", "--out", file], "--out \(file): \(file) is a file"),
            (["fixtures", "--out", file + "/fx"], "\(file) is a file, where a folder must be"),
        ] {
            let result = try TestSupport.venue(arguments)
            #expect(result.status == 64 && result.err.contains(message), "\(arguments): \(result.status) \(result.err.suffix(300))")
        }
    }

    @Test("stats on the fixtures")
    func stats() throws {
        let result = try TestSupport.venue(["stats", "--events", TestSupport.fixtures + "/events.csv", "--json"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("\"shoppers\":2000") && result.out.contains("\"last\":\"2026-11-10\""))
        // The fixtures' dates carry their year: --year would be ignored, so it is refused.
        let year = try TestSupport.venue(["stats", "--events", TestSupport.fixtures + "/events.csv", "--year", "2015"])
        #expect(year.status == 64 && year.err.contains("--year applies to formats whose dates carry no year"), "\(year.err)")
    }

    @Test("bad input: non-zero exit with located problems; --skip-bad-rows reports the count")
    func badInput() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let path = folder + "/bad.csv"
        try "shopper,brand,event,time\na,b,click,2026-01-01\na,b,clack,2026-01-01\na,b,click,yesterday\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let strict = try TestSupport.venue(["stats", "--events", path])
        #expect(strict.status != 0)
        #expect(strict.err.contains("bad.csv:3:5: expected an event name"))
        #expect(strict.err.contains("bad.csv:4:11: expected a time"))
        let skipping = try TestSupport.venue(["stats", "--events", path, "--skip-bad-rows"])
        #expect(skipping.status == 0)
        #expect(skipping.err.contains("skipped 2 malformed rows"))
    }
}
