import Foundation
import VenueKit

/// Ranks the test shoppers of a ``TimeSplit`` with each method and measures the lists.
struct TimeSplitEvaluation {
    let split: TimeSplit
    let als: ALSOptions
    let knnNeighbours: Int
    let learnWindow: Int
    let learnWindows: Int
    let historyHalfLife: Double
    let quiet: Bool
    let order: BrandIDOrder
    let history: [[(brand: Int32, score: Double)]]
    let owned: [Set<Int32>]

    init(
        split: TimeSplit, als: ALSOptions, knn: Int, learnWindow: Int, learnWindows: Int, historyHalfLife: Double = 30, quiet: Bool
    ) throws {
        self.historyHalfLife = historyHalfLife
        self.learnWindows = max(1, learnWindows)
        self.split = split
        self.als = als
        knnNeighbours = knn
        self.learnWindow = learnWindow
        self.quiet = quiet
        order = BrandIDOrder(split.train.brandIDs)
        history = BaselineRankers.ownHistory(split.train, cut: split.cut, order: order)
        owned = history.map { Set($0.map(\.brand)) }
    }

    /// Each test shopper's ranked brands (at most `k`), in `split.test` order.
    func rank(_ method: EvaluationMethod, k: Int, blend: LogisticBlend? = nil) throws -> [[Int32]] {
        switch method {
        case .popularity:
            let top = Array(BaselineRankers.popularity(split.train, order: order).prefix(k))
            return split.test.map { _ in top }
        case .ownHistory:
            return split.test.map { history[Int($0.shopper)].prefix(k).map(\.brand) }
        case .itemKNN:
            let matrix = InteractionMatrix(log: split.train)
            let knn = ItemKNN(matrix, k: knnNeighbours)
            var scores = [Float](repeating: 0, count: matrix.brandCount)
            var top = TopK(k: k)
            return split.test.map { test in
                for b in scores.indices { scores[b] = 0 }
                let row = matrix.byShopper.range(ofRow: Int(test.shopper))
                knn.accumulate(brands: matrix.byShopper.columnIndices[row], strengths: matrix.byShopper.values[row], into: &scores)
                top.reset(k: k)
                for b in scores.indices where scores[b] > 0 { top.insert(Int32(b), score: scores[b]) }
                return top.sorted().map(\.index)
            }
        case .als:
            let model = try train(split.train)
            let ranker = BrandRanker(brands: BrandTable(model.brandFactors))
            var workspace = ranker.makeWorkspace(blockSize: 1)
            var ranked = RankedBrands()
            return split.test.map { test in
                ranker.rank(k, factors: model.shopperFactors.row(Int(test.shopper)), shopper: nil, workspace: &workspace, into: &ranked)
                return ranked.brands
            }
        case .venue:
            let blend = try blend ?? learnBlend()
            let features = BlendFeatures(
                log: split.train, cut: split.cut, model: try train(split.train), knnNeighbours: knnNeighbours, halfLifeDays: historyHalfLife
            )
            let popular = BaselineRankers.popularity(split.train, order: order)
            return split.test.map { test in
                let scored = features.candidates(of: test.shopper).map { ($0.brand, blend.score($0.values)) }
                    .sorted { ($0.1, -order.rank[Int($0.0)]) > ($1.1, -order.rank[Int($1.0)]) }
                var list = scored.prefix(k).map(\.0)
                if list.count < k {
                    let have = Set(list)
                    list += popular.lazy.filter { !have.contains($0) }.prefix(k - list.count)
                }
                return list
            }
        }
    }

    /// Fits the logistic blend on `learnWindows` windows before the cut: for window `w`, features
    /// as of `cut − w·learnWindow` days and labels = purchases in the following `learnWindow` days
    /// (all inside the training period; the test window is never read).
    func learnBlend() throws -> LogisticBlend {
        let log = split.train
        var rows: [[Double]] = []
        var labels: [Bool] = []
        for w in 1...learnWindows {
            let earlier = split.cut - Int64(w * learnWindow) * 86_400
            let labelEnd = earlier + Int64(learnWindow) * 86_400
            let before = log.through(earlier)
            guard before.count > 0 else { continue }
            let features = BlendFeatures(
                log: log, cut: earlier, model: try train(before), knnNeighbours: knnNeighbours, halfLifeDays: historyHalfLife)
            var bought = [Set<Int32>](repeating: [], count: log.shopperIDs.count)
            for i in 0..<log.count where log.kinds[i] == .purchase && log.times[i] > earlier && log.times[i] <= labelEnd {
                bought[Int(log.shoppers[i])].insert(log.brands[i])
            }
            var active = Set<Int32>()
            for i in 0..<before.count { active.insert(before.shoppers[i]) }
            for s in active.sorted() {
                for candidate in features.candidates(of: s) {
                    rows.append(candidate.values)
                    labels.append(bought[Int(s)].contains(candidate.brand))
                }
            }
        }
        let blend = try LogisticBlend.fit(rows, labels: labels)
        if !quiet {
            standardError(
                "venue blend fitted on \(rows.count) candidates (\(labels.filter { $0 }.count) bought) in \(learnWindows) windows: "
                    + zip(BlendFeatures.names, blend.weights).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", "))
        }
        return blend
    }

    private func train(_ log: EventLog) throws -> FactorModel {
        try trainModel(InteractionMatrix(log: log, weighting: als.weighting), als, quiet: true).0
    }

    /// Metrics of `ranked` at each cut-off.
    func measure(_ ranked: [[Int32]], cutoffs: [Int]) -> [Int: EvaluationResult] {
        var results: [Int: EvaluationResult] = [:]
        for k in cutoffs {
            var metrics = RankingMetrics(k: k)
            var exposure = ExposureStatistics(brandCount: split.train.brandIDs.count)
            for (test, list) in zip(split.test, ranked) {
                let relevant = Set(test.brands.map(Int.init))
                let brands = list.prefix(k).map(Int.init)
                let mine = owned[Int(test.shopper)]
                metrics.add(
                    ranked: brands, relevantCount: relevant.count, isRelevant: relevant.contains, isNew: { !mine.contains(Int32($0)) })
                exposure.add(brands)
            }
            results[k] = EvaluationResult(metrics: metrics, exposure: exposure)
        }
        return results
    }
}

/// A small SVG line chart of Recall@K against K, one line per method.
enum RecallPlot {
    static func svg(title: String, cutoffs: [Int], series: [(String, [Double])]) -> String {
        let width = 640.0, height = 400.0, left = 60.0, right = 170.0, top = 40.0, bottom = 50.0
        let maxK = Double(cutoffs.last ?? 1)
        let maxY = max(0.05, (series.flatMap(\.1).max() ?? 0) * 1.1)
        func x(_ k: Int) -> Double { left + Double(k) / maxK * (width - left - right) }
        func y(_ v: Double) -> Double { height - bottom - v / maxY * (height - top - bottom) }
        let colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(left)\" y=\"22\" font-size=\"14\">\(VenuePage.escape(title))</text>\n"
        out += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(width - right)\" y2=\"\(y(0))\" stroke=\"black\"/>\n"
        out += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(left)\" y2=\"\(top)\" stroke=\"black\"/>\n"
        for k in cutoffs {
            out += "<text x=\"\(x(k))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(k)</text>\n"
        }
        for step in 0...4 {
            let v = maxY * Double(step) / 4
            out += "<text x=\"\(left - 8)\" y=\"\(y(v) + 4)\" text-anchor=\"end\">\(String(format: "%.3f", v))</text>\n"
            out += "<line x1=\"\(left)\" y1=\"\(y(v))\" x2=\"\(width - right)\" y2=\"\(y(v))\" stroke=\"#ddd\"/>\n"
        }
        out += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">K</text>\n"
        out +=
            "<text x=\"16\" y=\"\((top + height - bottom) / 2)\" transform=\"rotate(-90 16 \((top + height - bottom) / 2))\" text-anchor=\"middle\">Recall@K</text>\n"
        for (i, (name, values)) in series.enumerated() {
            let color = colors[i % colors.count]
            let points = zip(cutoffs, values).map { "\(x($0)),\(y($1))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            for (k, v) in zip(cutoffs, values) { out += "<circle cx=\"\(x(k))\" cy=\"\(y(v))\" r=\"3\" fill=\"\(color)\"/>\n" }
            let ly = top + 20 * Double(i)
            out +=
                "<line x1=\"\(width - right + 15)\" y1=\"\(ly)\" x2=\"\(width - right + 40)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(width - right + 46)\" y=\"\(ly + 4)\">\(VenuePage.escape(name))</text>\n"
        }
        return out + "</svg>\n"
    }
}
