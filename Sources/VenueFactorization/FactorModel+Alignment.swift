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
            for i in 0..<ids.count {
                guard let row = map.index(of: ids[i]) else { continue }
                for f in 0..<factors { out[i, f] = matrix[row, f] }
            }
            return out
        }
        return FactorModel(
            shopperIDs: shoppers, brandIDs: brands, shopperFactors: gather(shoppers, from: shopperIDs, shopperFactors),
            brandFactors: gather(brands, from: brandIDs, brandFactors), configuration: configuration, weighting: weighting,
            extensions: extensions)
    }
}
