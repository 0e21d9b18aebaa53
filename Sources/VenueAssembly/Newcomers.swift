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

    /// The newcomers among the shoppers of `events` with an event at or before `at`, or `nil` when
    /// there are none. Finding them is O(shoppers + events); folding them in, O(brands · f² +
    /// their events + their nonzeros · f² + newcomers · f³) for `f` factors.
    init?(model: FactorModel, events: EventLog, at: Int64, blend: VenueBlend) {
        let unknown = (0..<events.shopperIDs.count).map { model.shopperIDs.index(of: events.shopperIDs[$0]) == nil }
        var active = [Bool](repeating: false, count: unknown.count)
        for i in 0..<events.count where unknown[Int(events.shoppers[i])] {
            if events.times[i] == EventLog.noTime || events.times[i] <= at { active[Int(events.shoppers[i])] = true }
        }
        guard active.contains(true) else { return nil }
        var ids = IdentifierMap()
        for s in active.indices where active[s] { ids.intern(events.shopperIDs[s]) }
        let log = events.filtered { active[Int(events.shoppers[$0])] }.through(at)
        self.ids = ids
        history = blend.ownHistory(log, at: at, shoppers: ids, brands: model.brandIDs)
        followed = blend.followed(log, at: at, shoppers: ids, brands: model.brandIDs)
        var weighting = model.weighting
        if weighting.halfLifeDays != nil { weighting.reference = at }
        let strengths = InteractionMatrix(log: log, weighting: weighting).aligned(shoppers: ids, brands: model.brandIDs)
        var foldIn = FoldIn(model: model)
        var storage = [Float](repeating: 0, count: ids.count * model.factors)
        var x: [Float] = []
        for r in 0..<ids.count {
            let range = strengths.range(ofRow: r)
            do throws(FactorizationFailure) {
                try foldIn.factors(brands: Array(strengths.columnIndices[range]), strengths: Array(strengths.values[range]), into: &x)
                storage.replaceSubrange(r * model.factors..<(r + 1) * model.factors, with: x)
            } catch {
                continue
            }
        }
        factors = Matrix(rows: ids.count, columns: model.factors, storage: storage)
    }
}
