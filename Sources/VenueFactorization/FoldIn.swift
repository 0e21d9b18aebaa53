import VenueInteractions
import VenueLinearAlgebra

/// Factors for one shopper from their interactions, with the brand factors held fixed: a new
/// shopper, or one who just favourited brands before the sale, without retraining.
///
/// Holds `YᵀY` (computed once, O(brands·f²)); each fold-in is one exact row solve,
/// O(n·f² + f³) for `n` brands. Not thread-safe: use one per thread.
public struct FoldIn: ~Copyable {
    let brandFactors: Matrix
    let gram: [Float]
    let configuration: ALSConfiguration
    let brandIDs: IdentifierMap
    let weighting: EventWeighting
    let solver: ExactRowSolver
    var columns: [Int32] = []
    var confidences: [Float] = []

    /// Prepares fold-in against `model`'s brand factors.
    public init(model: FactorModel) {
        brandFactors = model.brandFactors
        configuration = model.configuration
        brandIDs = model.brandIDs
        weighting = model.weighting
        gram = ImplicitALS.gram(SharedRows(model.brandFactors))
        solver = ExactRowSolver(factors: model.factors)
    }

    /// The factors of a shopper with `strengths[k]` on brand index `brands[k]` (duplicates are
    /// summed; strengths as the interaction layer weighs events).
    public mutating func factors(brands: [Int32], strengths: [Float]) throws(FactorizationFailure) -> [Float] {
        precondition(brands.count == strengths.count, "brands and strengths differ in length")
        let row = SparseMatrix(
            rows: 1, columns: brandIDs.count, rowIndices: [Int32](repeating: 0, count: brands.count),
            columnIndices: brands, values: strengths)
        columns = row.columnIndices
        confidences = row.values.map { configuration.confidence($0) }
        var x = [Float](repeating: 0, count: configuration.factors)
        let failure: RowFailure? = columns.withUnsafeBufferPointer { cols in
            confidences.withUnsafeBufferPointer { conf in
                gram.withUnsafeBufferPointer { g in
                    brandFactors.withUnsafeBufferPointer { y in
                        x.withUnsafeMutableBufferPointer { out in
                            solver.solve(
                                columns: cols.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                confidences: conf.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                count: cols.count, fixed: y.baseAddress!, gram: g.baseAddress!,
                                regularization: configuration.regularization(forCount: cols.count), into: out.baseAddress!)
                        }
                    }
                }
            }
        }
        switch failure {
        case .cholesky(let f)?: throw f
        case .nonFinite?: throw .notPositiveDefinite(order: 0)
        case nil: return x
        }
    }

    /// The factors of a shopper from raw events `(brand id, kind, count)`, weighted as the model
    /// was trained (recency decay is not applied here); unknown brands are ignored.
    public mutating func factors(events: [(brand: String, kind: EventKind, count: Float)]) throws(FactorizationFailure) -> [Float] {
        var brands: [Int32] = []
        var strengths: [Float] = []
        for event in events {
            guard let b = brandIDs.index(of: event.brand) else { continue }
            brands.append(Int32(b))
            strengths.append(weighting.weight(of: event.kind) * event.count)
        }
        return try factors(brands: brands, strengths: strengths)
    }
}
