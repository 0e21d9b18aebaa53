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
    /// The model's brands (the length of ``rank(row:workspace:scored:mark:brands:scores:)``'s `mark`).
    let brandCount: Int
    /// The ranker's shopper index of each model shopper row (-1: no events).
    private let shopperOfRow: [Int32]
    /// The model brand index of each of the ranker's brands (-1: not in the model, or not showable).
    private let showableBrand: [Int32]
    /// The showable brands by purchases, most bought first, in model indices.
    private let filling: [Int32]

    /// Candidates from `ranker` for the rows and brands of `model`, limited to `showable` (model
    /// brand indices). O(shoppers + brands).
    init(ranker: LearnedVenueRanker, model: FactorModel, showable: BrandSet, count: Int) {
        self.ranker = ranker
        self.count = count
        brandCount = model.brandIDs.count
        shopperOfRow = (0..<model.shopperIDs.count).map { ranker.shopperIDs.index(of: model.shopperIDs[$0]).map(Int32.init) ?? -1 }
        let showableBrand = (0..<ranker.brandIDs.count).map { b -> Int32 in
            guard let m = model.brandIDs.index(of: ranker.brandIDs[b]), showable.contains(m) else { return -1 }
            return Int32(m)
        }
        self.showableBrand = showableBrand
        filling = ranker.mostBought.map { showableBrand[Int($0)] }.filter { $0 >= 0 }
    }

    /// The ranker's index of the shopper of model row `row`, or `nil` when it has no events (or
    /// `row` is `nil`).
    func shopper(ofRow row: Int?) -> Int32? {
        guard let row, shopperOfRow[row] >= 0 else { return nil }
        return shopperOfRow[row]
    }

    /// The candidates of model row `row` (`nil`: a shopper the model does not know) into `brands`
    /// and `scores` (replacing their contents), best first. `mark` is scratch of one flag per model
    /// brand, all false on entry and on return; `scored` is scratch for the ranker's list. Allocates
    /// nothing once the buffers have grown. O(brands · factors + candidates · features).
    func rank(
        row: Int?, workspace: inout BlendFeatures.Workspace, scored: inout [(brand: Int32, score: Double)], mark: inout [Bool],
        brands: inout [Int32], scores: inout [Float]
    ) {
        brands.removeAll(keepingCapacity: true)
        scores.removeAll(keepingCapacity: true)
        if let s = shopper(ofRow: row) {
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
