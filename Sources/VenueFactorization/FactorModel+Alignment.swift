import VenueInteractions
import VenueLinearAlgebra

extension FactorModel {
    /// The model with its rows in the order of `shoppers` and `brands` (say, an event log's id
    /// maps), so row `s` belongs to `shoppers[s]`. Ids the model has never seen get zero factors
    /// (a cold start); the model's other ids are dropped. Settings and extensions are kept.
    /// O((shoppers + brands) · factors).
    public func aligned(shoppers: IdentifierMap, brands: IdentifierMap) -> FactorModel {
        if shoppers == shopperIDs && brands == brandIDs { return self }
        func gather(_ ids: IdentifierMap, from map: IdentifierMap, _ matrix: Matrix) -> Matrix {
            var out = Matrix(rows: ids.count, columns: factors)
            for (i, row) in ids.indices(in: map).enumerated() where row >= 0 {
                for f in 0..<factors { out[i, f] = matrix[Int(row), f] }
            }
            return out
        }
        return FactorModel(
            shopperIDs: shoppers, brandIDs: brands, shopperFactors: gather(shoppers, from: shopperIDs, shopperFactors),
            brandFactors: gather(brands, from: brandIDs, brandFactors), configuration: configuration, weighting: weighting,
            extensions: extensions)
    }

    /// This model without the shoppers that have no interactions in `interactions`, the matrix it
    /// was trained on (same shopper order): their factors are zero and say nothing of them, and a
    /// model that does not list them lets pages fold them in later from their events
    /// (``newcomers(in:at:)``), as `venue train --until` needs for shoppers who arrive after the
    /// day. `self` when every shopper has interactions. O(shoppers · factors).
    public func droppingShoppersWithoutInteractions(in interactions: InteractionMatrix) -> FactorModel {
        precondition(interactions.shopperCount == shopperIDs.count, "the interactions are not the model's shoppers")
        let rows = interactions.byShopper
        guard (0..<rows.rows).contains(where: { rows.count(ofRow: $0) == 0 }) else { return self }
        var kept = IdentifierMap()
        for r in 0..<rows.rows where rows.count(ofRow: r) > 0 { shopperIDs.withUTF8(at: r) { _ = kept.intern($0) } }
        return aligned(shoppers: kept, brands: brandIDs)
    }
}
