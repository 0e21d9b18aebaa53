import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra

/// Scores every brand for a shopper from a ``FactorModel`` and selects the top K.
///
/// One shopper: one `sgemv` over the brand table, then a bounded heap. Reuses its score buffer,
/// so repeated queries allocate nothing but the result. Not thread-safe: one per thread.
public struct FactorScorer: Sendable {
    /// The model scored against.
    public let model: FactorModel
    private var scores: [Float]
    private var selection = TopK(k: 0)

    /// A scorer over `model`.
    public init(model: FactorModel) {
        self.model = model
        scores = [Float](repeating: 0, count: model.brandIDs.count)
    }

    /// The `k` best brands for the factor vector `x`, skipping brands where `exclude(b)` holds.
    /// O(brands·f + brands·log k).
    public mutating func top(_ k: Int, for x: [Float], excluding exclude: (Int) -> Bool = { _ in false }) -> [(brand: Int, score: Float)] {
        precondition(x.count == model.factors, "factor vector has \(x.count) elements, expected \(model.factors)")
        BLAS.gemv(.none, model.brandFactors, x, into: &scores)
        selection.reset(k: k)
        for b in 0..<scores.count where !exclude(b) {
            if scores[b] >= selection.threshold { selection.insert(Int32(b), score: scores[b]) }
        }
        return selection.sorted().map { (Int($0.index), $0.score) }
    }

    /// The `k` best brands for shopper row `shopper` of the model.
    public mutating func top(_ k: Int, forShopper shopper: Int, excluding exclude: (Int) -> Bool = { _ in false }) -> [(
        brand: Int, score: Float
    )] {
        top(k, for: model.shopperFactors.row(shopper), excluding: exclude)
    }
}
