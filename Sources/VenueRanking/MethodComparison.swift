import Foundation
import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra

/// Recommendation methods compared on a ``TimeSplit``: the rules a marketplace used before, the
/// models, and the learned venue blend.
public enum RecommendationMethod: String, Sendable, CaseIterable {
    /// Most-bought brands, the same list for everyone.
    case popularity
    /// The 2013 venue rule: the shopper's own recency-weighted history.
    case ownHistory = "own-history"
    /// Item-based k-nearest neighbours over the brand columns.
    case itemKNN = "item-knn"
    /// Implicit-ALS factor scores alone.
    case als
    /// The learned logistic blend of ``BlendFeatures``.
    case venue

    /// Whether the method's lists depend on an ALS model, and so on its seed.
    public var usesFactorModel: Bool { self == .als || self == .venue }
}

/// One method's quality at one cut-off.
public struct MethodResult: Sendable {
    /// Ranking metrics.
    public var metrics: RankingMetrics
    /// Exposure over all venues.
    public var exposure: ExposureStatistics
}

/// Ranks the test shoppers of a ``TimeSplit`` with each ``RecommendationMethod`` and measures
/// the lists. Models are trained on the split's training side only; the venue blend is fitted
/// on windows inside the training period, so the test window is never read before measuring.
public struct MethodComparison: Sendable {
    /// The split.
    public let split: TimeSplit
    /// ALS settings for the `als` and `venue` methods.
    public let configuration: ALSConfiguration
    /// Event weights behind the ALS matrix.
    public let weighting: EventWeighting
    /// Neighbours per brand for item-kNN (and the venue blend's kNN feature).
    public let knnNeighbours: Int
    /// Days per learning window of the venue blend.
    public let learnWindow: Int
    /// Learning windows before the cut.
    public let learnWindows: Int
    /// Days between the cuts of successive learning windows (`learnWindow` when they do not
    /// overlap).
    public let learnStep: Int
    /// Half-life of the blend's own-history feature, days.
    public let historyHalfLife: Double
    /// Most-bought brands among every shopper's blend candidates.
    public let popularCandidates: Int
    /// Shoppers per learning window whose candidates fit the blend, at most (`nil`: all).
    public let learnShoppers: Int?
    private let order: BrandIDOrder
    private let history: [[(brand: Int32, score: Double)]]
    private let owned: [Set<Int32>]

    /// Learning windows when none are given: the defaults of `venue evaluate` and `venue train
    /// --learn-blend`.
    public static let defaults = (learnWindow: 30, learnWindows: 2)

    /// The most days per learning window or between windows, and the most windows (100,000 days
    /// is about 270 years, more than any event log holds): larger values are taken as this, so
    /// the windows' dates stay representable.
    public static let learnLimit = 100_000

    /// A comparison on `split`; `learnStep` defaults to `learnWindow` (windows end to end).
    /// O(training events).
    public init(
        split: TimeSplit, configuration: ALSConfiguration = ALSConfiguration(), weighting: EventWeighting = EventWeighting(),
        knnNeighbours: Int = LearnedVenueRanker.defaults.knnNeighbours, learnWindow: Int = defaults.learnWindow,
        learnWindows: Int = defaults.learnWindows, learnStep: Int? = nil,
        historyHalfLife: Double = LearnedVenueRanker.defaults.historyHalfLife,
        popularCandidates: Int = LearnedVenueRanker.defaults.popularCandidates, learnShoppers: Int? = nil
    ) {
        self.split = split
        self.configuration = configuration
        self.weighting = weighting
        self.knnNeighbours = knnNeighbours
        self.learnWindow = min(max(1, learnWindow), Self.learnLimit)
        self.learnWindows = min(max(1, learnWindows), Self.learnLimit)
        self.learnStep = min(max(1, learnStep ?? learnWindow), Self.learnLimit)
        self.historyHalfLife = historyHalfLife
        self.popularCandidates = popularCandidates
        self.learnShoppers = learnShoppers.map { max(1, $0) }
        order = BrandIDOrder(split.train.brandIDs)
        history = BaselineRankers.ownHistory(split.train, cut: split.cut, order: order)
        owned = history.map { Set($0.map(\.brand)) }
    }

    /// Each test shopper's ranked brands (at most `k`), in `split.test` order. `model` is the ALS
    /// model of the training side (trained with ``train(_:)`` when `nil`; pass one to share it
    /// between methods; in any id order, aligned to the split's as
    /// ``FactorModel/aligned(shoppers:brands:)`` aligns); `blend` is the venue method's model
    /// (fitted with ``learnBlend()`` when `nil`).
    public func rank(_ method: RecommendationMethod, k: Int, model: FactorModel? = nil, blend: LogisticBlend? = nil) throws -> [[Int32]] {
        let model = model?.aligned(shoppers: split.train.shopperIDs, brands: split.train.brandIDs)
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
            var touched: [Int32] = []
            var top = TopK(k: k)
            return split.test.map { test in
                let row = matrix.byShopper.range(ofRow: Int(test.shopper))
                knn.best(
                    brands: matrix.byShopper.columnIndices[row], strengths: matrix.byShopper.values[row], scores: &scores,
                    touched: &touched, into: &top)
                for b in touched { scores[Int(b)] = 0 }
                touched.removeAll(keepingCapacity: true)
                return top.sorted().map(\.index)
            }
        case .als:
            let model = try model ?? train(split.train)
            let ranker = BrandRanker(brands: BrandTable(model.brandFactors))
            var workspace = ranker.makeWorkspace(blockSize: 1)
            var ranked = RankedBrands()
            return split.test.map { test in
                ranker.rank(k, factors: model.shopperFactors.row(Int(test.shopper)), shopper: nil, workspace: &workspace, into: &ranked)
                return ranked.brands
            }
        case .venue:
            let ranker = LearnedVenueRanker(
                log: split.train, cut: split.cut, model: try model ?? train(split.train), blend: try blend ?? learnBlend().blend,
                knnNeighbours: knnNeighbours, historyHalfLife: historyHalfLife, popularCandidates: popularCandidates)
            var workspace = ranker.features.makeWorkspace()
            return split.test.map { test in ranker.rank(test.shopper, k: k, workspace: &workspace).map(\.brand) }
        }
    }

    /// Fits the logistic blend on `learnWindows` windows before the cut: for window `w` (from 1),
    /// features as of `cut − learnWindow − (w − 1)·learnStep` days and labels = purchases in the
    /// following `learnWindow` days (all inside the training period; the test window is never
    /// read), over every shopper active before the window or, beyond ``learnShoppers``, an even
    /// sample of them (every k-th by index). Each window trains its own ALS model. Returns the
    /// model and how many candidate rows and purchases it was fitted on; throws ``NothingToLearn`` when the windows hold no
    /// candidate that was bought, or none that was not (a training period too short for them).
    /// O(learnWindows · (ALS training + candidates)).
    public func learnBlend() throws -> (blend: LogisticBlend, rows: Int, positives: Int) {
        let log = split.train
        var rows: [[Double]] = []
        var labels: [Bool] = []
        for w in 1...learnWindows {
            let earlier = featureCut(ofWindow: w)
            let labelEnd = earlier + Int64(learnWindow) * 86_400
            let before = log.through(earlier)
            // Each window starts earlier than the one before: once one has no history, none has.
            guard before.count > 0 else { break }
            let features = BlendFeatures(
                log: log, cut: earlier, model: try train(before), knnNeighbours: knnNeighbours, popularCandidates: popularCandidates,
                halfLifeDays: historyHalfLife)
            var bought = [Set<Int32>](repeating: [], count: log.shopperIDs.count)
            for i in 0..<log.count where log.kinds[i] == .purchase && log.times[i] > earlier && log.times[i] <= labelEnd {
                bought[Int(log.shoppers[i])].insert(log.brands[i])
            }
            var active = Set<Int32>()
            for i in 0..<before.count { active.insert(before.shoppers[i]) }
            // A population too large to fit on whole is sampled evenly: every k-th shopper.
            let shoppers = active.sorted()
            let step = learnShoppers.map { (shoppers.count - 1) / $0 + 1 } ?? 1
            var workspace = features.makeWorkspace()
            for s in stride(from: 0, to: shoppers.count, by: max(1, step)).lazy.map({ shoppers[$0] }) {
                features.forEachCandidate(of: s, workspace: &workspace) { brand, values in
                    rows.append(Array(values))
                    labels.append(bought[Int(s)].contains(brand))
                }
            }
        }
        let positives = labels.filter { $0 }.count
        do {
            return (try LogisticBlend.fit(rows, labels: labels), rows.count, positives)
        } catch is LogisticBlend.FitError {
            // No rows, or one label only: say which days the windows covered.
            throw NothingToLearn(
                from: CalendarTime.isoDate(featureCut(ofWindow: learnWindows) + 86_400), until: CalendarTime.isoDate(split.cut),
                rows: rows.count, positives: positives)
        }
    }

    /// The moment learning window `w` (from 1) takes its features at: `learnWindow + (w − 1) ·
    /// learnStep` days before the cut. Its labels are the purchases of the `learnWindow` days after.
    private func featureCut(ofWindow w: Int) -> Int64 { split.cut - Int64(learnWindow + (w - 1) * learnStep) * 86_400 }

    /// The learning windows hold no purchase of a candidate brand (or no candidate that was not
    /// bought), so the venue blend has nothing to learn from.
    public struct NothingToLearn: Error, Sendable, Equatable, CustomStringConvertible {
        /// The first labelled day of the earliest window (YYYY-MM-DD).
        public var from: String
        /// The last labelled day: the training cut.
        public var until: String
        /// Candidate rows over all windows.
        public var rows: Int
        /// Rows whose brand the shopper bought.
        public var positives: Int

        /// A message for people.
        public var description: String {
            "the venue blend's learning windows (labels \(from) … \(until)) hold \(rows) candidate rows, \(positives) of them bought; "
                + "it needs some of each: train on a longer period, or use fewer or shorter learning windows"
        }
    }

    /// The ALS model of `log` (the training side, or its part before a learning window).
    public func train(_ log: EventLog) throws -> FactorModel {
        try ImplicitALS(configuration).train(InteractionMatrix(log: log, weighting: weighting), weighting: weighting)
    }

    /// Metrics of `ranked` (in `split.test` order) at each cut-off.
    public func measure(_ ranked: [[Int32]], cutoffs: [Int]) -> [Int: MethodResult] {
        var results: [Int: MethodResult] = [:]
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
            results[k] = MethodResult(metrics: metrics, exposure: exposure)
        }
        return results
    }
}
