import VenueInteractions
import VenueRanking

extension VenueBlend {
    /// The shoppers' follows and favourites up to `time` (of the events `isIncluded` takes, by
    /// index), weighted as ``ownHistory(_:at:shoppers:brands:where:)`` weighs history. O(events).
    func followed(
        _ log: EventLog, at time: Int64, shoppers: IdentifierMap, brands: IdentifierMap, where isIncluded: (Int) -> Bool = { _ in true }
    ) -> SparseMatrix {
        ownHistory(log, at: time, shoppers: shoppers, brands: brands) {
            (log.kinds[$0] == .follow || log.kinds[$0] == .favorite) && isIncluded($0)
        }
    }
}
