import VenueInteractions
import VenueLinearAlgebra

extension FactorModel {
    /// The shoppers of `events` this model does not know who have an event at or before `at` (or an
    /// undated one), in the events' id order: shoppers who arrived, or first acted, after the
    /// model was trained. O(shoppers + events).
    public func newcomers(in events: EventLog, at: Int64) -> IdentifierMap {
        var active = [Bool](repeating: false, count: events.shopperIDs.count)
        for i in 0..<events.count where events.times[i] == EventLog.noTime || events.times[i] <= at {
            active[Int(events.shoppers[i])] = true
        }
        let known = events.shopperIDs.indices(in: shopperIDs)
        var ids = IdentifierMap()
        for s in active.indices where active[s] && known[s] < 0 {
            events.shopperIDs.withUTF8(at: s) { _ = ids.intern($0) }
        }
        return ids
    }

    /// The factors of `shoppers`, a row each in their order, folded in against this model's brand
    /// factors (``FoldIn``) from their events in `events` at or before `at`, weighed as the model
    /// weighs events (with decay, measured back from `at`). A shopper with no such event on the
    /// model's brands, or whose solve fails, gets zeros: a cold start.
    ///
    /// Rows are solved on `threads` workers, one `YᵀY` shared by all; the bits are the same on any
    /// thread count, and each row's are those of ``FoldIn/factors(brands:strengths:into:)``.
    /// O(events + brands · f² + their nonzeros · f² + shoppers · f³) for `f` factors.
    public func foldedIn(_ shoppers: IdentifierMap, events: EventLog, at: Int64, threads: Int = 1) -> Matrix {
        guard shoppers.count > 0 else { return Matrix(rows: 0, columns: factors) }
        var weighting = weighting
        if weighting.halfLifeDays != nil { weighting.reference = at }
        // Other shoppers' events fall out through the shopper map.
        let strengths = InteractionMatrix.byShopper(of: events, weighting: weighting, shoppers: shoppers, brands: brandIDs) {
            events.times[$0] <= at
        }
        let gram = ImplicitALS.gram(SharedRows(brandFactors))
        let out = SharedRows(rows: shoppers.count, columns: factors)
        let model = self
        // Each worker writes the rows of the chunks it claims, and nothing else (``SharedRows``' rule).
        ParallelChunks(rowCount: shoppers.count) { strengths.range(ofRow: $0).count + 2 * model.factors }.run(
            threads: threads, makeWorker: { FoldInWorker(FoldIn(model: model, gram: gram)) }
        ) { worker, _, chunk in
            for r in chunk {
                do throws(FactorizationFailure) {
                    try worker.foldIn.factors(ofRow: r, in: strengths, into: &worker.x)
                } catch {
                    continue  // zeros: a cold start
                }
                worker.x.withUnsafeBufferPointer { out.row(r).update(from: $0.baseAddress!, count: model.factors) }
            }
        }
        return out.matrix()
    }
}

/// One fold-in worker's state: a ``FoldIn`` (not copyable, so boxed) and its output row.
private final class FoldInWorker {
    var foldIn: FoldIn
    var x: [Float] = []

    init(_ foldIn: consuming FoldIn) { self.foldIn = foldIn }
}
