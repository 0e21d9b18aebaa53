import VenueInteractions
import VenueLinearAlgebra

/// A trained implicit-ALS model: shopper and brand factors with the id maps and the settings
/// that produced them. Row `u` of `shopperFactors` belongs to `shopperIDs[u]`.
public struct FactorModel: Sendable, Equatable {
    /// Shopper ids, in factor-row order.
    public var shopperIDs: IdentifierMap
    /// Brand ids, in factor-row order.
    public var brandIDs: IdentifierMap
    /// Shoppers × factors.
    public var shopperFactors: Matrix
    /// Brands × factors.
    public var brandFactors: Matrix
    /// The hyperparameters used.
    public var configuration: ALSConfiguration
    /// How events were weighted (fold-in weighs new events the same way).
    public var weighting: EventWeighting
    /// Named extra sections stored with the model (e.g. a learned ranker), kept by load and save.
    public var extensions: [String: [UInt8]]

    /// A model from its parts.
    public init(
        shopperIDs: IdentifierMap, brandIDs: IdentifierMap, shopperFactors: Matrix, brandFactors: Matrix,
        configuration: ALSConfiguration, weighting: EventWeighting = EventWeighting(), extensions: [String: [UInt8]] = [:]
    ) {
        precondition(shopperFactors.rows == shopperIDs.count && brandFactors.rows == brandIDs.count, "factors and ids differ in count")
        precondition(shopperFactors.columns == brandFactors.columns, "shopper and brand factors differ in width")
        self.shopperIDs = shopperIDs
        self.brandIDs = brandIDs
        self.shopperFactors = shopperFactors
        self.brandFactors = brandFactors
        self.configuration = configuration
        self.weighting = weighting
        self.extensions = extensions
    }

    /// Number of factors.
    public var factors: Int { brandFactors.columns }
}
