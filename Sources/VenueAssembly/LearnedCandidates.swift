import Foundation
import VenueFactorization
import VenueInteractions
import VenueRanking

/// A venue generator's candidates from the learned venue blend: each shopper's candidates ranked
/// by a ``LearnedVenueRanker`` (which works in its event log's indices), carried over to the
/// model's brand indices, keeping only brands a page can show, and topped up with the most-bought
/// showable brands to at least ``count``.
///
/// Scores are the blend's purchase probabilities, σ(log-odds), in (0, 1); brands added to fill
/// the list score 0. A shopper with no events gets the filling alone.
struct LearnedCandidates: Sendable {
    /// The ranker.
    let ranker: LearnedVenueRanker
    /// Candidates per shopper at least (more when the blend scores more showable brands).
    let count: Int
    /// The model's brands (the length of ``rank(shopper:workspace:scored:mark:brands:scores:)``'s `mark`).
    let brandCount: Int
    /// The ranker's shopper index of each model shopper row (-1: no events).
    private let shopperOfRow: [Int32]
    /// The ranker's shopper index of each of the generator's newcomers (-1: not in its log).
    private let shopperOfNewcomer: [Int32]
    /// The model brand index of each of the ranker's brands (-1: not in the model, or not showable).
    private let showableBrand: [Int32]
    /// The showable brands by purchases, most bought first, in model indices.
    private let filling: [Int32]

    /// Candidates from `ranker` for the rows and brands of `model` and for `newcomers` (shoppers
    /// the model does not know), limited to `showable` (model brand indices).
    /// O(shoppers + newcomers + brands).
    init(ranker: LearnedVenueRanker, model: FactorModel, newcomers: IdentifierMap?, showable: BrandSet, count: Int) {
        self.ranker = ranker
        self.count = count
        brandCount = model.brandIDs.count
        shopperOfRow = model.shopperIDs.indices(in: ranker.shopperIDs)
        shopperOfNewcomer = newcomers?.indices(in: ranker.shopperIDs) ?? []
        let showableBrand = ranker.brandIDs.indices(in: model.brandIDs).map { m in m >= 0 && showable.contains(Int(m)) ? m : -1 }
        self.showableBrand = showableBrand
        filling = ranker.mostBought.map { showableBrand[Int($0)] }.filter { $0 >= 0 }
    }

    /// The ranker's index of the shopper at `row`, or `nil` when it has no events (or `row` is
    /// `nil`: a cold start).
    func shopper(of row: ShopperRow?) -> Int32? {
        let s: Int32
        switch row {
        case .model(let r)?: s = shopperOfRow[r]
        case .newcomer(let r)?: s = shopperOfNewcomer[r]
        case nil: return nil
        }
        return s >= 0 ? s : nil
    }

    /// The candidates of the ranker's shopper `shopper` (`nil`: a cold start, with no events)
    /// into `brands` and `scores` (replacing their contents), best first. `mark` is scratch of one flag per model
    /// brand, all false on entry and on return; `scored` is scratch for the ranker's list. Allocates
    /// nothing once the buffers have grown. O(brands · factors + candidates · features).
    func rank(
        shopper: Int32?, workspace: inout BlendFeatures.Workspace, scored: inout [(brand: Int32, score: Double)], mark: inout [Bool],
        brands: inout [Int32], scores: inout [Float]
    ) {
        brands.removeAll(keepingCapacity: true)
        scores.removeAll(keepingCapacity: true)
        if let s = shopper {
            ranker.scored(s, workspace: &workspace, into: &scored)
            for (b, score) in scored {
                let m = showableBrand[Int(b)]
                guard m >= 0 else { continue }
                brands.append(m)
                scores.append(Float(1 / (1 + exp(-score))))
                mark[Int(m)] = true
            }
        }
        // Stops once the list is long enough: the filling is every showable brand bought.
        for m in filling {
            guard brands.count < count else { break }
            if !mark[Int(m)] {
                brands.append(m)
                scores.append(0)
            }
        }
        for m in brands { mark[Int(m)] = false }
    }
}
