import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra
import VenueRanking

/// Shoppers the model does not know who have events up to the pages' moment: they arrived, or
/// first acted, after the model was trained. Their factors are folded in against the model's
/// brand factors (``FoldIn``), from their events weighed as the model weighs events (any decay
/// measured back from the moment), so their pages are personal rather than cold starts. Their
/// history and follows are the blend's, as for the model's shoppers.
struct Newcomers: Sendable {
    /// Their ids, in the events' order.
    let ids: IdentifierMap
    /// Their factors, a row per id (zero for a shopper whose solve failed: a cold start).
    let factors: Matrix
    /// Their recency-weighted history, a row per id.
    let history: SparseMatrix
    /// Their follows and favourites, a row per id.
    let followed: SparseMatrix

    /// The newcomers among the shoppers of `events` with an event at or before `at`
    /// (``FactorModel/newcomers(in:at:)``; with `shard`, only that shard's), or `nil` when there
    /// are none. Their factors are folded in on `threads` workers when `foldIn` is set, and left
    /// zero otherwise (a learned blend folds them in itself). O(shoppers + events), and folding in
    /// O(brands · f² + their nonzeros · f² + newcomers · f³) for `f` factors.
    init?(model: FactorModel, events: EventLog, at: Int64, blend: VenueBlend, foldIn: Bool, shard: Shard?, threads: Int) {
        var ids = model.newcomers(in: events, at: at)
        if let shard {
            var inShard = IdentifierMap()
            for i in 0..<ids.count where ids.withUTF8(at: i, { shard.contains(utf8: $0) }) {
                ids.withUTF8(at: i) { _ = inShard.intern($0) }
            }
            ids = inShard
        }
        guard ids.count > 0 else { return nil }
        let log = events.events(of: ids, through: at)
        self.ids = ids
        history = blend.ownHistory(log, at: at, shoppers: ids, brands: model.brandIDs)
        followed = blend.followed(log, at: at, shoppers: ids, brands: model.brandIDs)
        factors =
            foldIn
            ? model.foldedIn(ids, events: log, at: at, threads: threads) : Matrix(rows: ids.count, columns: model.factors)
    }
}
