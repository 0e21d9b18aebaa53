import VenueInteractions
import VenueRanking

extension VenueBlend {
    /// The shoppers' follows and favourites up to `time`, weighted as ``ownHistory(_:at:shoppers:brands:)``
    /// weighs history. O(events).
    func followed(_ log: EventLog, at time: Int64, shoppers: IdentifierMap, brands: IdentifierMap) -> SparseMatrix {
        ownHistory(log, at: time, shoppers: shoppers, brands: brands) { log.kinds[$0] == .follow || log.kinds[$0] == .favorite }
    }
}
