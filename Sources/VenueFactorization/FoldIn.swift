import VenueInteractions
import VenueLinearAlgebra

/// Factors for one shopper from their interactions, with the brand factors held fixed: a new
/// shopper, or one who just favourited brands before the sale, without retraining.
///
/// Holds `YᵀY` (computed once, O(brands·f²)); each fold-in is one exact row solve,
/// O(n·f² + f³) for `n` brands. It keeps its buffers from call to call, so the `into:` forms
/// allocate nothing once the buffers and the caller's output have grown. Not thread-safe: use
/// one per thread.
public struct FoldIn: ~Copyable {
    let brandFactors: Matrix
    let gram: [Float]
    let configuration: ALSConfiguration
    let brandIDs: IdentifierMap
    let weighting: EventWeighting
    let solver: ExactRowSolver
    /// The shopper's row: brands ascending, strengths summed.
    var row = SparseRowBuilder()
    /// The row's confidences.
    var confidences: [Float] = []
    /// The brands and strengths ``factors(events:into:)`` found.
    var eventBrands: [Int32] = []
    var eventStrengths: [Float] = []

    /// Prepares fold-in against `model`'s brand factors.
    public init(model: FactorModel) {
        self.init(model: model, gram: ImplicitALS.gram(SharedRows(model.brandFactors)))
    }

    /// Prepares fold-in against `model`'s brand factors, whose `YᵀY` is `gram` (so workers can
    /// share one).
    init(model: FactorModel, gram: [Float]) {
        brandFactors = model.brandFactors
        configuration = model.configuration
        brandIDs = model.brandIDs
        weighting = model.weighting
        self.gram = gram
        solver = ExactRowSolver(factors: model.factors)
    }

    /// The factors of a shopper with `strengths[k]` on brand index `brands[k]` (duplicates are
    /// summed in order; strengths as the interaction layer weighs events). Every index must be
    /// one of the model's brands.
    public mutating func factors(brands: [Int32], strengths: [Float]) throws(FactorizationFailure) -> [Float] {
        var x: [Float] = []
        try factors(brands: brands, strengths: strengths, into: &x)
        return x
    }

    /// ``factors(brands:strengths:)`` into `x`, replacing its contents with the model's factor
    /// count of values.
    public mutating func factors(brands: [Int32], strengths: [Float], into x: inout [Float]) throws(FactorizationFailure) {
        precondition(brands.count == strengths.count, "brands and strengths differ in length")
        let brandCount = brandIDs.count
        precondition(brands.allSatisfy { $0 >= 0 && Int($0) < brandCount }, "a brand index outside the model's \(brandCount) brands")
        row.build(columns: brands, values: strengths)
        try solve(columns: row.columns[...], strengths: row.values[...], into: &x)
    }

    /// The factors of the shopper of row `r` of `strengths` (columns: the model's brands; values
    /// as the interaction layer weighs events, a ``SparseMatrix`` row being sorted and merged
    /// already) into `x`, replacing its contents with the model's factor count of values: the bits
    /// of ``factors(brands:strengths:into:)`` on the row's entries, without copying or sorting them.
    public mutating func factors(ofRow r: Int, in strengths: SparseMatrix, into x: inout [Float]) throws(FactorizationFailure) {
        precondition(strengths.columns == brandIDs.count, "the strengths' columns are not the model's \(brandIDs.count) brands")
        let range = strengths.range(ofRow: r)
        try solve(columns: strengths.columnIndices[range], strengths: strengths.values[range], into: &x)
    }

    /// Solves for the row with `strengths[k]` on brand `columns[k]` (ascending, each once) into `x`.
    private mutating func solve(
        columns: ArraySlice<Int32>, strengths: ArraySlice<Float>, into x: inout [Float]
    ) throws(FactorizationFailure) {
        confidences.removeAll(keepingCapacity: true)
        confidences.reserveCapacity(strengths.count)
        for strength in strengths { confidences.append(configuration.confidence(strength)) }
        x.removeAll(keepingCapacity: true)
        x.append(contentsOf: repeatElement(0, count: brandFactors.columns))
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
        case nil: return
        }
    }

    /// The factors of a shopper from raw events `(brand id, kind, count)`, weighted as the model
    /// was trained (recency decay is not applied here); unknown brands are ignored.
    public mutating func factors(events: [(brand: String, kind: EventKind, count: Float)]) throws(FactorizationFailure) -> [Float] {
        var x: [Float] = []
        try factors(events: events, into: &x)
        return x
    }

    /// ``factors(events:)`` into `x`, replacing its contents with the model's factor count of
    /// values.
    public mutating func factors(
        events: [(brand: String, kind: EventKind, count: Float)], into x: inout [Float]
    ) throws(FactorizationFailure) {
        // Moved out for the call, so they are not read while `self` is changed, and back after.
        var brands: [Int32] = []
        var strengths: [Float] = []
        swap(&brands, &eventBrands)
        swap(&strengths, &eventStrengths)
        defer {
            swap(&brands, &eventBrands)
            swap(&strengths, &eventStrengths)
        }
        brands.removeAll(keepingCapacity: true)
        strengths.removeAll(keepingCapacity: true)
        brands.reserveCapacity(events.count)
        strengths.reserveCapacity(events.count)
        for event in events {
            guard let b = brandIDs.index(of: event.brand) else { continue }
            brands.append(Int32(b))
            strengths.append(weighting.weight(of: event.kind) * event.count)
        }
        try factors(brands: brands, strengths: strengths, into: &x)
    }
}
