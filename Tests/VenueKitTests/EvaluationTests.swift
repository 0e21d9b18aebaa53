import Foundation
import Testing
import VenueKit

@Suite("Evaluation")
struct EvaluationTests {
    @Test("metrics on hand-computed examples: micro and macro, NDCG, new-brand share, coverage, Gini")
    func metrics() {
        var m = RankingMetrics(k: 3)
        // Shopper 1: test {1, 5}; ranked [1, 2, 5] → hits at 1 and 3. Brand 5 is new to the shopper.
        m.add(ranked: [1, 2, 5, 9], relevantCount: 2, isRelevant: { [1, 5].contains($0) }, isNew: { $0 == 5 })
        // Shopper 2: test {7}; ranked [3] → no hit, one recommendation.
        m.add(ranked: [3], relevantCount: 1, isRelevant: { $0 == 7 })
        #expect(m.hits == 2 && m.recommended == 4 && m.relevant == 3)
        #expect(m.microPrecision == 0.5 && abs(m.microRecall - 2.0 / 3) < 1e-12)
        #expect(abs(m.microF1 - 2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3)) < 1e-12)
        #expect(m.recall == 0.5, "macro: (2/min(3,2) + 0/1) / 2")
        let ideal = 1 + 1 / log2(3.0)
        #expect(abs(m.ndcg - ((1 + 1 / log2(4.0)) / ideal) / 2) < 1e-12)
        #expect(m.newBrandShare == 0.5)
        // More test brands than K: recall and the ideal DCG count only K of them. Hits at 1 and 3.
        var many = RankingMetrics(k: 3)
        many.add(ranked: [10, 11, 12, 13], relevantCount: 5, isRelevant: { [10, 12, 13, 14, 15].contains($0) })
        #expect(abs(many.recall - 2.0 / 3) < 1e-12 && many.hits == 2 && many.recommended == 3)
        #expect(abs(many.ndcg - (1 + 1 / log2(4.0)) / (1 + 1 / log2(3.0) + 1 / log2(4.0))) < 1e-12)

        var exposure = ExposureStatistics(brandCount: 4)
        exposure.add([3, 3, 3])
        exposure.add(Array(repeating: 3, count: 7))
        #expect(exposure.coverage == 0.25 && exposure.gini == 0.75)
        var even = ExposureStatistics(brandCount: 3)
        even.add([0, 1, 2])
        #expect(even.gini == 0 && even.coverage == 1)
    }

    @Test("paired bootstrap: a method with twice the baseline's hits on every shopper gains exactly +100% on every resample")
    func pairedBootstrap() {
        // 40 shoppers with 2–6 test brands; the baseline hits one, the method two. Paired resamples
        // keep that ratio on every draw; unpaired ones would not.
        var baseline = RankingMetrics(k: 10)
        var method = RankingMetrics(k: 10)
        var noisy = RankingMetrics(k: 10)
        for shopper in 0..<40 {
            let relevant = 2 + shopper % 5
            let test = Set(0..<relevant)
            baseline.add(ranked: [0] + Array(100..<109), relevantCount: relevant, isRelevant: test.contains)
            method.add(ranked: [0, 1] + Array(100..<108), relevantCount: relevant, isRelevant: test.contains)
            // Hits at varying depths and sometimes none, so NDCG varies from shopper to shopper.
            let depth = shopper % 7
            noisy.add(ranked: Array(100..<(100 + depth)) + [shopper % 3 == 0 ? 50 : 1], relevantCount: relevant, isRelevant: test.contains)
        }
        let bootstrap = PairedBootstrap(resamples: 500, seed: 7)
        for statistic in [PairedBootstrap.Statistic.recall, .macroRecall] {
            let gain = bootstrap.relativeGain(of: method, over: baseline, statistic)
            #expect(gain == PairedBootstrap.Interval(estimate: 1, lower: 1, upper: 1), "\(statistic)")
        }
        // A method against itself gains nothing, on any statistic.
        for statistic in PairedBootstrap.Statistic.allCases {
            #expect(bootstrap.relativeGain(of: noisy, over: noisy, statistic) == PairedBootstrap.Interval(estimate: 0, lower: 0, upper: 0))
        }
        // A noisy gain: the estimate is the ratio of the means, inside a proper interval that the
        // seed fixes.
        let gain = bootstrap.relativeGain(of: noisy, over: baseline, .ndcg)
        #expect(abs(gain.estimate - (noisy.ndcg / baseline.ndcg - 1)) < 1e-12)
        #expect(gain.lower < gain.estimate && gain.estimate < gain.upper)
        #expect(bootstrap.relativeGain(of: noisy, over: baseline, .ndcg) == gain)
        #expect(PairedBootstrap(resamples: 500, seed: 8).relativeGain(of: noisy, over: baseline, .ndcg) != gain)
        // Wider coverage gives a wider interval on the same draws.
        let wide = PairedBootstrap(resamples: 500, seed: 7, level: 0.99).relativeGain(of: noisy, over: baseline, .ndcg)
        #expect(wide.lower < gain.lower && wide.upper > gain.upper)
        // Runs (one per ALS seed, say) pair each shopper's mean over them: identical runs change
        // nothing, and one hit in one run and three in the other is a mean of two, twice the
        // baseline's one on every shopper, so +100% on every resample.
        #expect(bootstrap.relativeGain(of: [noisy, noisy], over: [baseline], .ndcg) == gain)
        var once = RankingMetrics(k: 10)
        var thrice = RankingMetrics(k: 10)
        for shopper in 0..<40 {
            let relevant = 3 + shopper % 4
            let test = Set(0..<relevant)
            once.add(ranked: [0] + Array(100..<109), relevantCount: relevant, isRelevant: test.contains)
            thrice.add(ranked: [0, 1, 2] + Array(100..<107), relevantCount: relevant, isRelevant: test.contains)
        }
        for statistic in [PairedBootstrap.Statistic.recall, .macroRecall] {
            let doubled = bootstrap.relativeGain(of: [once, thrice], over: [once], statistic)
            #expect([doubled.estimate, doubled.lower, doubled.upper].allSatisfy { abs($0 - 1) < 1e-12 }, "\(statistic)")
            #expect(abs(bootstrap.relativeGain(of: [thrice], over: [once, thrice], statistic).estimate - 0.5) < 1e-12, "\(statistic)")
        }
    }

    @Test("a time split never puts an event after the cut into training; the test window and kinds are respected")
    func timeSplit() throws {
        let day: Int64 = 86_400
        let cut = try #require(CalendarTime.day("2014-07-15"))
        var log = EventLog()
        log.append(shopper: "a", brand: "x", kind: .click, time: cut + 86_399)  // last second of the cut day: train
        log.append(shopper: "a", brand: "y", kind: .purchase, time: cut + day)  // test
        log.append(shopper: "a", brand: "z", kind: .click, time: cut + day)  // neither (not a purchase)
        log.append(shopper: "b", brand: "y", kind: .purchase, time: cut + 40 * day)  // after the window
        log.append(shopper: "b", brand: "x", kind: .purchase, time: cut - day)  // train
        log.append(shopper: "c", brand: "w", kind: .purchase, time: cut + 31 * day + 86_399)  // the window's last second: test
        log.append(shopper: "c", brand: "v", kind: .purchase, time: cut + 32 * day)  // the day after the window
        let split = TimeSplit(log, trainUntil: cut, testFrom: cut + day, testUntil: cut + 31 * day)
        #expect(split.train.count == 2 && split.train.times.allSatisfy { $0 <= split.cut })
        #expect(split.cut == cut + 86_399)
        #expect(split.test.count == 2 && split.test[0].shopper == 0 && split.test[0].brands == [1])
        #expect(split.test[1].shopper == 2 && split.test[1].brands == [3])
        let clicks = TimeSplit(log, trainUntil: cut, testFrom: cut + day, testUntil: cut + 31 * day, testKinds: [.click, .purchase])
        #expect(clicks.test[0].brands == [1, 2])
    }

    @Test(
        "learning windows: three 10 days apart fit on exactly the rows of three one-window fits 10 days apart; none starts before the events"
    )
    func overlappingLearningWindows() throws {
        // A slice of the fixtures' shoppers keeps nine blend fits quick.
        let fixtures = try EventReader(format: .generic).read(path: TestSupport.fixtures + "/events.csv")
        let log = fixtures.filtered { fixtures.shoppers[$0] < 300 }
        var configuration = ALSConfiguration()
        configuration.factors = 8
        configuration.iterations = 2
        configuration.threads = 1
        let cut = try #require(CalendarTime.day("2026-10-20"))
        let day: Int64 = 86_400
        func comparison(
            cutDaysEarlier: Int64 = 0, windows: Int, step: Int? = nil, window: Int = 30, shoppers: Int? = nil
        ) -> MethodComparison {
            let at = cut - cutDaysEarlier * day
            let split = TimeSplit(log, trainUntil: at, testFrom: at + day, testUntil: at + 20 * day)
            return MethodComparison(
                split: split, configuration: configuration, learnWindow: window, learnWindows: windows, learnStep: step,
                learnShoppers: shoppers)
        }
        // Window w of the first ends w·10 days before the cut, as the single window of the w-th.
        let overlapping = try comparison(cutDaysEarlier: 0, windows: 3, step: 10).learnBlend()
        let singles = try [0, 10, 20].map { try comparison(cutDaysEarlier: $0, windows: 1).learnBlend() }
        #expect(overlapping.rows == singles.reduce(0) { $0 + $1.rows })
        #expect(overlapping.positives == singles.reduce(0) { $0 + $1.positives })
        // Without a step, windows do not overlap: the second one ends where the first begins.
        let apart = try comparison(cutDaysEarlier: 0, windows: 2).learnBlend()
        let second = try comparison(cutDaysEarlier: 30, windows: 1).learnBlend()
        #expect(apart.rows == singles[0].rows + second.rows)
        // Windows beyond the first event add nothing, so any number of them stops there; a sample
        // larger than the population takes everyone; a window longer than the events has nothing.
        // (Events start 2026-08-03: five windows 10 days apart end after it.)
        let early = try comparison(windows: 40, step: 10).learnBlend()
        let boundless = try comparison(windows: .max, step: 10, shoppers: .max).learnBlend()
        #expect(boundless.rows == early.rows && boundless.positives == early.positives && early.rows > overlapping.rows)
        #expect(throws: MethodComparison.NothingToLearn.self) { try comparison(windows: 2, step: .max, window: .max).learnBlend() }
    }

    @Test("the logistic blend recovers a known model and round-trips through bytes")
    func logistic() throws {
        var random = SeededRandom(seed: 3)
        var rows: [[Double]] = []
        var labels: [Bool] = []
        for _ in 0..<4000 {
            let a = random.unit() * 4 - 2
            let b = random.unit() * 4 - 2
            let p = 1 / (1 + exp(-(-1 + 2 * a - 1 * b)))
            rows.append([1, a, b])
            labels.append(random.unit() < p)
        }
        let blend = try LogisticBlend.fit(rows, labels: labels, ridge: 1e-6)
        // Back to raw units: w_raw = w / scale, intercept shifted by the means.
        let wa = blend.weights[1] / blend.scales[1]
        let wb = blend.weights[2] / blend.scales[2]
        let intercept = blend.weights[0] - wa * blend.means[1] - wb * blend.means[2]
        #expect(abs(wa - 2) < 0.25 && abs(wb + 1) < 0.2 && abs(intercept + 1) < 0.2)
        #expect(blend.score([1, 1, 0]) > blend.score([1, 0, 0]))
        #expect(LogisticBlend(bytes: blend.bytes) == blend)
        #expect(LogisticBlend(bytes: [1, 2, 3]) == nil)
        #expect(throws: LogisticBlend.FitError.noRows) { try LogisticBlend.fit([], labels: []) }
        #expect(throws: LogisticBlend.FitError.oneLabel(bought: false, rows: 4000)) {
            try LogisticBlend.fit(rows, labels: labels.map { _ in false })
        }
    }

    @Test("the own-history baseline: 10/5/5/1, halved per 30 whole days before the cut's day; events at the cut count; ties by id")
    func ownHistoryBaseline() throws {
        let day: Int64 = 86_400
        let cut = try #require(CalendarTime.day("2014-07-15")) + 86_399  // a time split's cut: the day's last second
        var log = EventLog()
        log.append(shopper: "s", brand: "b2", kind: .purchase, time: cut)  // 10
        log.append(shopper: "s", brand: "b10", kind: .favorite, time: cut - 30 * day)  // 5 · ½
        log.append(shopper: "s", brand: "b10", kind: .click, time: cut - 86_399)  // 1, the cut's day
        log.append(shopper: "s", brand: "b1", kind: .cart, time: cut - 60 * day)  // 5 · ¼
        log.append(shopper: "s", brand: "b3", kind: .purchase, time: cut + 1)  // after the cut
        log.append(shopper: "t", brand: "b9", kind: .click, time: cut)
        log.append(shopper: "t", brand: "b10", kind: .click, time: cut)  // ties b9: "b10" < "b9"
        let history = BaselineRankers.ownHistory(log, cut: cut, order: BrandIDOrder(log.brandIDs))
        let named = history.map { $0.map { (log.brandIDs[Int($0.brand)], $0.score) } }
        #expect(named[0].map(\.0) == ["b2", "b10", "b1"] && named[0].map(\.1) == [10, 3.5, 1.25])
        #expect(named[1].map(\.0) == ["b10", "b9"] && named[1].map(\.1) == [1, 1])
    }

    @Test("Tmall 2014, contest split: popularity and own history reproduce the reference script exactly", TestSupport.needsSharedData)
    func tmallBaselines() throws {
        let log = try EventReader(format: .tmall2014).read(path: TestSupport.shared("tmall-2014-brands/t_alibaba_data.csv"))
        let split = TimeSplit(
            log, trainUntil: try #require(CalendarTime.day("2014-07-15")), testFrom: try #require(CalendarTime.day("2014-07-16")),
            testUntil: try #require(CalendarTime.day("2014-08-15")))
        #expect(split.test.count == 531 && split.test.reduce(0) { $0 + $1.brands.count } == 1378 && split.train.count == 131_720)
        let order = BrandIDOrder(split.train.brandIDs)
        let popular = BaselineRankers.popularity(split.train, order: order)
        let history = BaselineRankers.ownHistory(split.train, cut: split.cut, order: order)
        var popularity = RankingMetrics(k: 20)
        var own = RankingMetrics(k: 20)
        for test in split.test {
            let relevant = Set(test.brands.map(Int.init))
            popularity.add(ranked: popular.prefix(20).map(Int.init), relevantCount: relevant.count, isRelevant: relevant.contains)
            own.add(
                ranked: history[Int(test.shopper)].prefix(20).map { Int($0.brand) }, relevantCount: relevant.count,
                isRelevant: relevant.contains)
        }
        func round4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
        #expect(round4(own.microRecall) == 0.1313 && round4(own.ndcg) == 0.1098 && own.hits == 181)
        #expect(round4(popularity.microRecall) == 0.0566 && round4(popularity.ndcg) == 0.0352 && popularity.hits == 78)
        #expect(round4(own.microPrecision) == 0.0195 && round4(own.microF1) == 0.034)
    }

    @Test(
        "venue evaluate --holdout 0.2 on MovieLens-100K: als within ±0.01 of implicit's Recall@50 and NDCG@50, and a plot",
        TestSupport.needsSharedData)
    func movieLensHoldout() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        // docs/evaluation.md's CSV: every rating counts as one interaction.
        let ratings = try String(contentsOfFile: TestSupport.shared("movielens-100k/u.data"), encoding: .utf8)
        let rows = ratings.split(separator: "\n").map { line in line.split(separator: "\t").prefix(2).joined(separator: ",") + ",1" }
        try (["user,item,weight"] + rows).joined(separator: "\n").write(toFile: folder + "/ml100k.csv", atomically: true, encoding: .utf8)
        let result = try TestSupport.venue([
            "evaluate", "--events", folder + "/ml100k.csv", "--format", "weights", "--holdout", "0.2", "-k", "10,50", "--factors", "64",
            "--iterations", "15", "--regularization", "0.01", "--alpha", "10", "--threads", "2", "--json", "--plot", folder + "/recall.svg",
        ])
        #expect(result.status == 0, "\(result.err)")
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        // implicit 0.7.3, same CSV and settings (../shared/anchors/implicit_baseline.py --holdout 0.2 --K 50):
        // Recall@50 0.5000, NDCG@50 0.3822. Each side draws its own split.
        let recall = try #require(object?["recall@50"] as? Double)
        let ndcg = try #require(object?["ndcg@50"] as? Double)
        #expect(abs(recall - 0.5000) <= 0.01 && abs(ndcg - 0.3822) <= 0.01, "Recall@50 \(recall), NDCG@50 \(ndcg)")
        #expect(object?["train_nnz"] as? Int == 80_058 && object?["test_nnz"] as? Int == 19_942)
        let svg = try String(contentsOfFile: folder + "/recall.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains(">als<") && svg.contains("20% holdout"))
    }

    @Test("venue tune: a coordinate search on the training period only; later events change nothing")
    func tuneCommand() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let lines = try String(contentsOfFile: TestSupport.fixtures + "/events.csv", encoding: .utf8).split(separator: "\n")
        // The first 500 shoppers keep the (debug-build) search short.
        let training = [lines[0]] + lines.dropFirst().filter { $0.split(separator: ",")[0] <= "S0500" }
        try (training.joined(separator: "\n") + "\n").write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
        // The same, plus events after --train-until: purchases, a new shopper and a new brand.
        var later = training
        for (i, line) in training.dropFirst().enumerated() where i % 7 == 0 {
            let fields = line.split(separator: ",")
            later.append("\(fields[0]),\(fields[1]),purchase,2026-11-0\(1 + i % 5)")
        }
        later += ["S9999,B001,purchase,2026-11-02", "S0001,B999,purchase,2026-11-03"]
        try (later.joined(separator: "\n") + "\n").write(toFile: folder + "/later.csv", atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for file in ["events.csv", "later.csv"] {
            let result = try TestSupport.venue([
                "tune", "--events", folder + "/" + file, "--format", "generic", "--train-until", "2026-10-25", "--validation-days", "10",
                "--trials", "2", "--iterations", "2", "--json",
            ])
            #expect(result.status == 0, "\(result.err)")
            outputs.append(result.out)
        }
        #expect(outputs[0] == outputs[1], "events after --train-until must not change the search")
        let object = try JSONSerialization.jsonObject(with: Data(outputs[0].utf8)) as? [String: Any]
        let best = object?["best"] as? [String: Any]
        #expect(object?["trials"] as? Int == 2 && object?["validation_train_until"] as? String == "2026-10-15")
        #expect(best?["popular_candidates"] is Int && best?["factors"] is Int && best?["ndcg"] is Double)

        // --seeds 2 scores a configuration by the mean over ALS seeds 42 and 43: with one trial
        // (the starting configuration), that is the mean of the two one-seed searches.
        func startingScore(_ arguments: [String], trainUntil: String = "2026-10-25") throws -> (recall: Double, ndcg: Double) {
            let result = try TestSupport.venue(
                [
                    "tune", "--events", folder + "/events.csv", "--format", "generic", "--train-until", trainUntil, "--validation-days",
                    "10", "--trials", "1", "--iterations", "2", "--json",
                ] + arguments)
            #expect(result.status == 0, "\(result.err)")
            let best = (try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])?["best"] as? [String: Any]
            return (best?["recall"] as? Double ?? .nan, best?["ndcg"] as? Double ?? .nan)
        }
        let seed42 = try startingScore(["--seed", "42"])
        let seed43 = try startingScore(["--seed", "43"])
        let both = try startingScore(["--seeds", "2"])
        #expect(abs(both.recall - (seed42.recall + seed43.recall) / 2) < 1e-12)
        #expect(abs(both.ndcg - (seed42.ndcg + seed43.ndcg) / 2) < 1e-12)
        #expect(seed42 != seed43, "the seeds must give different scores for the mean to mean anything")

        // --folds 2 --fold-step 5 scores by the mean of the validation split ending at the cut
        // and the one ending 5 days before it.
        let earlier = try startingScore(["--seed", "42"], trainUntil: "2026-10-20")
        let twoFolds = try startingScore(["--folds", "2", "--fold-step", "5"])
        #expect(abs(twoFolds.recall - (seed42.recall + earlier.recall) / 2) < 1e-12)
        #expect(abs(twoFolds.ndcg - (seed42.ndcg + earlier.ndcg) / 2) < 1e-12)
        #expect(seed42 != earlier, "the folds must give different scores for the mean to mean anything")
        // The search starts from the ALS settings given: with one trial, that start is the best.
        let start = try TestSupport.venue([
            "tune", "--events", folder + "/events.csv", "--train-until", "2026-10-25", "--validation-days", "10", "--trials", "1",
            "--iterations", "2", "--json", "--factors", "32", "--regularization", "0.1", "--alpha", "20",
        ])
        #expect(start.status == 0, "\(start.err)")
        let started = (try JSONSerialization.jsonObject(with: Data(start.out.utf8)) as? [String: Any])?["best"] as? [String: Any]
        #expect(started?["factors"] as? Int == 32 && started?["regularization"] as? Double == 0.1 && started?["alpha"] as? Double == 20)
        for refused in [
            ["--seeds", "0"], ["--trials", "0"], ["-k", "0"], ["--validation-days", "0"], ["--folds", "0"], ["--fold-step", "0"],
            ["--learn-shoppers", "0"], ["--factors", "48"], ["--regularization", "0.05"], ["--alpha", "40"],
        ] {
            #expect(
                try TestSupport.venue(["tune", "--events", folder + "/events.csv", "--train-until", "2026-10-25"] + refused).status != 0,
                "\(refused)")
        }
    }

    @Test(
        "venue evaluate --seeds 2 reports als as the mean of --seed 42 and --seed 43 and lists each seed; bad options are refused before any input is read"
    )
    func evaluateSeeds() throws {
        func evaluate(_ arguments: [String]) throws -> [String: Any] {
            let result = try TestSupport.venue(
                [
                    "evaluate", "--events", TestSupport.fixtures + "/events.csv", "--format", "generic", "--train-until", "2026-10-20",
                    "--test-from", "2026-10-21", "--test-until", "2026-11-10", "-k", "20", "--factors", "16", "--iterations", "3",
                    "--methods", "own-history,als", "--bootstrap", "100", "--json",
                ] + arguments)
            #expect(result.status == 0, "\(result.err)")
            return try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any] ?? [:]
        }
        func metric(_ object: [String: Any], _ method: String, _ name: String) -> Double {
            ((object["methods"] as? [String: [String: [String: Any]]])?[method]?["20"]?[name] as? Double) ?? .nan
        }
        let seed42 = try evaluate(["--seed", "42"])
        let seed43 = try evaluate(["--seed", "43"])
        let both = try evaluate(["--seeds", "2"])
        // venue goes through the same loop as als, at several times the cost.
        for name in ["recall", "recall_macro", "ndcg"] {
            // Each side is rounded to 4 places.
            let mean = (metric(seed42, "als", name) + metric(seed43, "als", name)) / 2
            #expect(abs(metric(both, "als", name) - mean) <= 1e-4, "\(name)")
        }
        #expect(metric(seed42, "als", "ndcg") != metric(seed43, "als", "ndcg"), "the seeds must differ for the mean to mean anything")
        #expect(metric(both, "own-history", "ndcg") == metric(seed42, "own-history", "ndcg"))
        #expect(both["seeds"] as? [Int] == [42, 43])
        let perSeed = (both["per_seed"] as? [String: [String: [[String: Any]]]])?["als"]?["20"]
        #expect(perSeed?.count == 2 && perSeed?[1]["ndcg"] as? Double == metric(seed43, "als", "ndcg"))
        for refused in [
            ["--seeds", "0"], ["--seeds", "2", "--holdout", "0.2"], ["--learn-window", "0"], ["--learn-step=-3"], ["--holdout", "1.5"],
            ["--holdout=-0.2"], ["--knn", "0"], ["--holdout", "0.2", "--train-until", "2026-10-20"],
            ["--holdout", "0.2", "--save-model", "never.model"], ["--holdout", "0.2", "--methods", "als,venue"],
        ] {
            #expect(
                try TestSupport.venue(["evaluate", "--events", TestSupport.fixtures + "/events.csv"] + refused).status != 0, "\(refused)")
        }
        // The holdout refuses the time split's and the blend's options, even at their default values,
        // rather than ignore them; before any input is read.
        for (refused, message) in [
            (["--knn", "50"], "fit the venue blend; the holdout fits none"),
            (["--learn-shoppers", "20000"], "fit the venue blend; the holdout fits none"),
            (["--test-events", "purchase"], "are for the time split"), (["--bootstrap", "1000"], "are for the time split"),
            (["--baseline", "own-history"], "are for the time split"),
        ] {
            let result = try TestSupport.venue(["evaluate", "--events", "/nonexistent/events.csv", "--holdout", "0.2"] + refused)
            #expect(result.status == 64 && result.err.contains(message), "\(refused): \(result.status) \(result.err)")
        }
        // Bad days and lists are refused, naming the option, before any input is read: the events file does not exist.
        for (refused, message) in [
            (["--train-until", "2026-10-20T12:00"], "The value '2026-10-20T12:00' is invalid for '--train-until <YYYY-MM-DD>'"),
            (["--test-from", "2026-10-20"], "--test-from must come after --train-until"),
            (["-k", "20,x"], "The value '20,x' is invalid for '-k <k>'"), (["-k", "20,0"], "-k takes positive cut-offs"),
            (["--methods", "als,nope"], "The value 'als,nope' is invalid for '--methods <methods>'"),
            (["--test-events", "purchase,nap"], "The value 'purchase,nap' is invalid for '--test-events <test-events>'"),
            (["--popular-candidates=-1"], "--popular-candidates must not be negative"),
            (["--history-half-life", "0"], "--history-half-life is a positive number of days"),
            (["--half-life", "0"], "--half-life is a positive number of days"),
            (["--alpha=-1"], "ALS settings: α must be finite and not negative, not -1.0"),
            (["--split-seed", "3"], "--split-seed seeds the random holdout"),
        ] {
            let result = try TestSupport.venue(
                [
                    "evaluate", "--events", "/nonexistent/events.csv", "--train-until", "2026-10-20", "--test-from", "2026-10-21",
                    "--test-until", "2026-11-10",
                ] + refused)
            #expect(result.status == 64 && result.err.contains(message), "\(refused): \(result.status) \(result.err)")
        }
        // A cut-off or method given twice counts once (a repeated cut-off used to trap in a dictionary).
        let fixtureSplit = [
            "evaluate", "--events", TestSupport.fixtures + "/events.csv", "--train-until", "2026-10-20", "--test-from", "2026-10-21",
            "--test-until", "2026-11-10", "--bootstrap", "0",
        ]
        let once = try TestSupport.venue(fixtureSplit + ["--methods", "own-history", "-k", "20"])
        let twice = try TestSupport.venue(fixtureSplit + ["--methods", "own-history,own-history", "-k", "20,20"])
        #expect(once.status == 0 && twice.status == 0 && once.out == twice.out, "\(twice.err)")
        // The fixtures start on 2026-08-03, so the two 30-day learning windows before a 2026-08-20 cut
        // hold no events: an error that says so, not a crash.
        let tooEarly = try TestSupport.venue([
            "evaluate", "--events", TestSupport.fixtures + "/events.csv", "--format", "generic", "--train-until", "2026-08-20",
            "--test-from", "2026-08-21", "--test-until", "2026-09-10", "--factors", "16", "--iterations", "3",
        ])
        #expect(tooEarly.status == 1 && tooEarly.err.contains("learning windows (labels 2026-06-22 … 2026-08-20) hold 0 candidate rows"))
        let nothingBefore = try TestSupport.venue([
            "evaluate", "--events", TestSupport.fixtures + "/events.csv", "--format", "generic", "--train-until", "2026-01-01",
            "--test-from", "2026-08-21", "--test-until", "2026-09-10", "--methods", "own-history",
        ])
        #expect(nothingBefore.status == 1 && nothingBefore.err.contains("no events at or before 2026-01-01 to train on"))
    }

    @Test("venue evaluate --json on the fixtures: every method, every K, and an SVG plot")
    func evaluateCommand() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let result = try TestSupport.venue([
            "evaluate", "--events", TestSupport.fixtures + "/events.csv", "--format", "generic", "--train-until", "2026-10-20",
            "--test-from", "2026-10-21", "--test-until", "2026-11-10", "-k", "5,20", "--factors", "16", "--iterations", "3", "--json",
            "--plot", folder + "/recall.svg", "--save-model", folder + "/blend.model",
        ])
        #expect(result.status == 0, "\(result.err)")
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        let methods = object?["methods"] as? [String: [String: [String: Any]]]
        #expect(Set(methods?.keys.map { $0 } ?? []) == ["popularity", "own-history", "item-knn", "als", "venue"])
        #expect(methods?["venue"]?["20"]?["ndcg"] is Double)
        // Gains over own history, with bootstrap intervals around the ratio of the two NDCGs.
        let gains = object?["gains"] as? [String: Any]
        #expect(gains?["baseline"] as? String == "own-history" && gains?["resamples"] as? Int == 1000)
        let gainMethods = gains?["methods"] as? [String: [String: [String: [Double]]]]
        #expect(Set(gainMethods?.keys.map { $0 } ?? []) == ["popularity", "item-knn", "als", "venue"])
        if let venue = methods?["venue"]?["20"]?["ndcg"] as? Double, let own = methods?["own-history"]?["20"]?["ndcg"] as? Double,
            let ndcg = gainMethods?["venue"]?["20"]?["ndcg"], ndcg.count == 3
        {
            #expect(abs(ndcg[0] - (venue / own - 1)) < 2e-3, "rounded to 4 places on both sides")
            #expect(ndcg[1] <= ndcg[0] && ndcg[0] <= ndcg[2])
        } else {
            Issue.record("gains.methods.venue.20.ndcg is missing")
        }
        let svg = try String(contentsOfFile: folder + "/recall.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<polyline").count == 6)
        let model = try ModelFile.read(path: folder + "/blend.model")
        let blend = try #require(model.extensions["BLND"].flatMap(LogisticBlend.init(bytes:)))
        #expect(blend.weights.count == BlendFeatures.names.count)

        // The saved model ranks as the evaluation's venue method did, from Swift and from the CLI.
        let log = try EventReader(format: .generic).read(path: TestSupport.fixtures + "/events.csv")
        let split = TimeSplit(
            log, trainUntil: CalendarTime.day("2026-10-20")!, testFrom: CalendarTime.day("2026-10-21")!,
            testUntil: CalendarTime.day("2026-11-10")!)
        let evaluated = try MethodComparison(split: split).rank(.venue, k: 20, model: model, blend: blend)
        let ranker = try LearnedVenueRanker(model: model, log: log, cut: split.cut)
        #expect(split.test.map { ranker.rank($0.shopper, k: 20).map(\.brand) } == evaluated)
        let shopper = split.test[0].shopper
        let printed = try TestSupport.venue([
            "recommend", "--model", folder + "/blend.model", "--shopper", log.shopperIDs[Int(shopper)], "--events",
            TestSupport.fixtures + "/events.csv", "--blend", "--at", "2026-10-20", "-k", "20",
        ])
        #expect(printed.status == 0, "\(printed.err)")
        let brands = printed.out.split(separator: "\n").map { $0.split(separator: "\t")[1] }.map(String.init)
        #expect(brands == evaluated[0].map { log.brandIDs[Int($0)] })

        // A model without a blend is refused with a message.
        var plain = model
        plain.extensions = [:]
        #expect(throws: LearnedVenueRanker.LoadError.noBlend) { try LearnedVenueRanker(model: plain, log: log, cut: split.cut) }

        // The most-bought brands are candidates for every shopper; settings saved before the
        // `popular` setting existed mean none, and a negative count is refused.
        #expect(model.extensions["BLNP"].map { String(decoding: $0, as: UTF8.self).hasSuffix(",popular=10") } == true)
        #expect(ranker.features.popularCandidates == 10)
        let mostBought = BaselineRankers.popularity(log.through(split.cut), order: BrandIDOrder(log.brandIDs)).prefix(3)
        for test in split.test.prefix(20) {
            let candidates = Set(ranker.features.candidates(of: test.shopper).map(\.brand))
            #expect(mostBought.allSatisfy(candidates.contains))
        }
        var older = model
        older.extensions["BLNP"] = Array("knn=50,half_life=60.0,per_source=30".utf8)
        #expect(try LearnedVenueRanker(model: older, log: log, cut: split.cut).features.popularCandidates == 0)
        // Settings out of range are refused, not turned into counts: Int(1e300) would trap, and
        // per_source=0.4 would become no candidates per source.
        for bad in ["popular=-1", "knn=1e300", "per_source=nan", "half_life=inf", "per_source=0.4", "knn=3.5", "popular=2.5"] {
            older.extensions["BLNP"] = Array("knn=50,half_life=60.0,per_source=30,\(bad)".utf8)
            #expect(throws: LearnedVenueRanker.LoadError.malformed("BLNP"), "\(bad)") {
                try LearnedVenueRanker(model: older, log: log, cut: split.cut)
            }
        }
        // A blend whose numbers are not finite (or a scale not positive) would rank by NaN.
        older.extensions["BLNP"] = model.extensions["BLNP"]
        for (index, value) in [(0, Double.nan), (1, .infinity), (2, 0), (5, -1)] {
            var values = [blend.weights, blend.means, blend.scales]
            values[index % 3][index / 3] = value
            let damaged = LogisticBlend(weights: values[0], means: values[1], scales: values[2])
            #expect(LogisticBlend(bytes: damaged.bytes) == nil, "value \(index) = \(value)")
            older.extensions["BLND"] = damaged.bytes
            #expect(throws: LearnedVenueRanker.LoadError.malformed("BLND")) {
                try LearnedVenueRanker(model: older, log: log, cut: split.cut)
            }
        }
    }
}
