import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra

/// The venue method as a ranker: a shopper's candidates (``BlendFeatures``) scored by a learned
/// ``LogisticBlend``, best first, topped up with the most-bought brands when there are fewer than
/// asked. Ties go to the brand id as a string, as in the baselines.
///
/// The blend travels with the ALS model it was fitted beside, as model file extensions: `BLND`
/// (weights, ``LogisticBlend/bytes``), `BLNF` (feature names) and `BLNP` (feature settings);
/// ``init(model:log:cut:)`` reads them back.
public struct LearnedVenueRanker: Sendable {
    /// One ranked brand: its blend score, or `nil` for a popular brand added to fill the list.
    public typealias Entry = (brand: Int32, score: Double?)

    /// The fitted blend.
    public let blend: LogisticBlend
    /// The features of every shopper's candidates as of the cut.
    public let features: BlendFeatures
    /// The shoppers the ranker's indices refer to: the log's.
    public let shopperIDs: IdentifierMap
    /// The brands the ranker's indices refer to: the log's.
    public let brandIDs: IdentifierMap
    /// Brands by purchases up to the cut, most bought first (ties by brand id as a string): what
    /// fills a list with fewer candidates than asked.
    public let mostBought: [Int32]
    private let order: BrandIDOrder

    /// Model file extension names.
    public static let weightsExtension = "BLND"
    /// Model file extension holding the comma-separated feature names the weights belong to.
    public static let namesExtension = "BLNF"
    /// Model file extension holding the feature settings (`knn=50,half_life=60,per_source=30,popular=10`).
    public static let settingsExtension = "BLNP"
    /// Feature settings when none are given: the defaults of `venue evaluate`.
    public static let defaults = (knnNeighbours: 50, historyHalfLife: 60.0, perSource: 30, popularCandidates: 10)

    /// A ranker for the shoppers of `log` as of `cut` (later events are ignored). `model` is the ALS
    /// model of those events with rows in `log`'s id order (see ``FactorModel/aligned(shoppers:brands:)``).
    /// O(events + brands · factors) up front.
    public init(
        log: EventLog, cut: Int64, model: FactorModel, blend: LogisticBlend, knnNeighbours: Int = defaults.knnNeighbours,
        historyHalfLife: Double = defaults.historyHalfLife, perSource: Int = defaults.perSource,
        popularCandidates: Int = defaults.popularCandidates
    ) {
        self.blend = blend
        features = BlendFeatures(
            log: log, cut: cut, model: model, knnNeighbours: knnNeighbours, perSource: perSource, popularCandidates: popularCandidates,
            halfLifeDays: historyHalfLife)
        shopperIDs = log.shopperIDs
        brandIDs = log.brandIDs
        order = BrandIDOrder(log.brandIDs)
        mostBought = BaselineRankers.popularity(log.through(cut), order: order)
    }

    /// Why a model file's blend cannot be used.
    public enum LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The model has no `BLND` extension.
        case noBlend
        /// The blend's feature names differ from the ones this version computes.
        case featureMismatch(saved: [String], expected: [String])
        /// An extension could not be decoded.
        case malformed(String)

        /// A message for people.
        public var description: String {
            switch self {
            case .noBlend: "the model holds no learned venue blend (save one with venue evaluate --save-model)"
            case .featureMismatch(let saved, let expected):
                "the model's blend uses features \(saved.joined(separator: ",")), this version computes \(expected.joined(separator: ","))"
            case .malformed(let name): "the model's \(name) extension is malformed"
            }
        }
    }

    /// The ranker of the blend saved in `model` (any id order: it is aligned to `log`), with the
    /// feature settings saved beside it. A model file without `BLNP` uses ``defaults``; one whose
    /// `BLNP` predates the `popular` setting had no popular candidates, and gets none.
    ///
    /// Shoppers of `log` the model does not know who have events up to `cut` (they arrived after
    /// it was trained) are folded in on `threads` workers (``FactorModel/foldedIn(_:events:at:threads:)``),
    /// so their factor scores are personal too.
    public init(model: FactorModel, log: EventLog, cut: Int64, threads: Int = 1) throws(LoadError) {
        guard let bytes = model.extensions[Self.weightsExtension] else { throw .noBlend }
        guard let blend = LogisticBlend(bytes: bytes), blend.weights.count == BlendFeatures.names.count else {
            throw .malformed(Self.weightsExtension)
        }
        if let names = model.extensions[Self.namesExtension] {
            let saved = String(decoding: names, as: UTF8.self).split(separator: ",").map(String.init)
            guard saved == BlendFeatures.names else { throw .featureMismatch(saved: saved, expected: BlendFeatures.names) }
        }
        var settings = [
            "knn": Double(Self.defaults.knnNeighbours), "half_life": Self.defaults.historyHalfLife,
            "per_source": Double(Self.defaults.perSource), "popular": Double(Self.defaults.popularCandidates),
        ]
        if let bytes = model.extensions[Self.settingsExtension] {
            settings["popular"] = 0
            for field in String(decoding: bytes, as: UTF8.self).split(separator: ",") {
                let parts = field.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let value = Double(parts[1]) else { throw .malformed(Self.settingsExtension) }
                let name = String(parts[0])
                // Every setting is positive, except that there may be no popular candidates, and
                // small enough to be a count; the counts (all but the half-life) are whole.
                guard settings[name] != nil, value > 0 || (name == "popular" && value == 0), value <= 1e9,
                    name == "half_life" || value == value.rounded()
                else {
                    throw .malformed(Self.settingsExtension)
                }
                settings[name] = value
            }
        }
        var aligned = model.aligned(shoppers: log.shopperIDs, brands: log.brandIDs)
        let newcomers = model.newcomers(in: log, at: cut)
        if newcomers.count > 0 {
            // Their rows of the aligned model are zeros until now. A newcomer's factors refer to
            // the model's brands, which the aligned model shares (same factors, `log`'s order).
            let folded = model.foldedIn(newcomers, events: log, at: cut, threads: threads)
            for (n, row) in newcomers.indices(in: log.shopperIDs).enumerated() {
                for f in 0..<model.factors { aligned.shopperFactors[Int(row), f] = folded[n, f] }
            }
        }
        self.init(
            log: log, cut: cut, model: aligned, blend: blend,
            knnNeighbours: Int(settings["knn"]!), historyHalfLife: settings["half_life"]!, perSource: Int(settings["per_source"]!),
            popularCandidates: Int(settings["popular"]!))
    }

    /// The extensions that store `blend` with its feature settings in a model file.
    public static func extensions(
        for blend: LogisticBlend, knnNeighbours: Int = defaults.knnNeighbours, historyHalfLife: Double = defaults.historyHalfLife,
        perSource: Int = defaults.perSource, popularCandidates: Int = defaults.popularCandidates
    ) -> [String: [UInt8]] {
        let settings = "knn=\(knnNeighbours),half_life=\(historyHalfLife),per_source=\(perSource),popular=\(popularCandidates)"
        return [
            weightsExtension: blend.bytes, namesExtension: Array(BlendFeatures.names.joined(separator: ",").utf8),
            settingsExtension: Array(settings.utf8),
        ]
    }

    /// The best `k` brands for shopper `s` (an index of the log's shoppers), best first.
    /// O(brands · factors) for the factor scores, plus the candidates' features.
    public func rank(_ s: Int32, k: Int) -> [Entry] {
        var workspace = features.makeWorkspace()
        return rank(s, k: k, workspace: &workspace)
    }

    /// ``rank(_:k:)`` with the per-brand buffers of `workspace` (``BlendFeatures/makeWorkspace()``,
    /// one per thread), for loops over many shoppers, keeping only the brands `filter` allows.
    public func rank(_ s: Int32, k: Int, filter: Filter = Filter(), workspace: inout BlendFeatures.Workspace) -> [Entry] {
        var scored: [(brand: Int32, score: Double)] = []
        var list: [Entry] = []
        rank(s, k: k, filter: filter, workspace: &workspace, scored: &scored, into: &list)
        return list
    }

    /// ``rank(_:k:filter:workspace:)`` into `list`, replacing its contents; `scored` is scratch for
    /// the scored candidates. Both keep their capacity, so a loop over many shoppers allocates
    /// nothing per shopper once they have grown. O(brands · factors) for the factor scores (O(brands)
    /// when ``BlendFeatures/prepare(_:workspace:)`` scored `s`), plus O(k) per brand added to fill.
    func rank(
        _ s: Int32, k: Int, filter: Filter, workspace: inout BlendFeatures.Workspace, scored: inout [(brand: Int32, score: Double)],
        into list: inout [Entry]
    ) {
        list.removeAll(keepingCapacity: true)
        self.scored(s, workspace: &workspace, into: &scored)
        // Both loops stop once the list is full: the most-bought brands are every brand bought.
        for (b, score) in scored {
            guard list.count < k else { return }
            if filter.allows(b, for: s, in: features) { list.append((b, score)) }
        }
        for b in mostBought {
            guard list.count < k else { return }
            if filter.allows(b, for: s, in: features), !list.contains(where: { $0.brand == b }) { list.append((b, nil)) }
        }
    }

    /// Every candidate of shopper `s` with its blend score (log-odds), best first, ties by brand id
    /// as a string; unlike ``rank(_:k:filter:workspace:)``, never topped up.
    public func scored(_ s: Int32, workspace: inout BlendFeatures.Workspace) -> [(brand: Int32, score: Double)] {
        var list: [(brand: Int32, score: Double)] = []
        scored(s, workspace: &workspace, into: &list)
        return list
    }

    /// ``scored(_:workspace:)`` into `list`, replacing its contents and keeping its capacity, so
    /// a loop over many shoppers allocates nothing per shopper once `list` has grown.
    public func scored(_ s: Int32, workspace: inout BlendFeatures.Workspace, into list: inout [(brand: Int32, score: Double)]) {
        list.removeAll(keepingCapacity: true)
        // The closure captures the blend alone: with `self` captured, an optimised build was seen
        // copying the whole ranker (a dozen arrays) per candidate.
        let blend = blend
        features.forEachCandidate(of: s, workspace: &workspace) { list.append((brand: $0, score: blend.score($1))) }
        let rank = order.rank
        list.heapSort { ($0.score, -rank[Int($0.brand)]) > ($1.score, -rank[Int($1.brand)]) }
    }
}
