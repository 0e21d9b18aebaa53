import Foundation
import Synchronization
import VenueInteractions
import VenueLinearAlgebra

/// What one iteration did.
public struct IterationReport: Sendable, Equatable {
    /// 1-based iteration number.
    public var iteration: Int
    /// Wall-clock seconds of the two half-steps (loss excluded).
    public var seconds: Double
    /// The full objective `Σ c (p − xᵀy)² + Σ λ‖x‖² + Σ λ‖y‖²` over all pairs.
    public var loss: Double
    /// The objective divided by `Σ c + (pairs without interaction)`, as `implicit` reports it.
    public var normalizedLoss: Double
}

/// Implicit ALS (Hu, Koren & Volinsky 2008) on OpenBLAS.
///
/// Minimises `Σ_{u,b} c_ub (p_ub − x_uᵀy_b)² + λ(‖X‖² + ‖Y‖²)` with `p = 1` where a shopper
/// touched a brand and `c` from ``ALSConfiguration/confidence``. Rows are solved in parallel in
/// fixed chunks (one OpenBLAS thread per worker), so the same seed gives bit-identical factors
/// on any thread count. The all-zero pairs enter through `YᵀY`, computed once per half-step.
public struct ImplicitALS: Sendable {
    /// The hyperparameters.
    public var configuration: ALSConfiguration

    /// A trainer with `configuration`.
    public init(_ configuration: ALSConfiguration = ALSConfiguration()) {
        self.configuration = configuration
    }

    /// Trains on `interactions` (strengths; confidences are derived here), calling `progress`
    /// after each iteration. O(iterations · (nnz·f·steps + rows·f²)) for CG,
    /// O(iterations · (nnz·f² + rows·f³)) exact.
    public func train(
        _ interactions: InteractionMatrix, weighting: EventWeighting = EventWeighting(),
        progress: (IterationReport) -> Void = { _ in }
    ) throws(TrainingError) -> FactorModel {
        let c = configuration
        let problems = c.problems
        guard problems.isEmpty else { throw .invalidConfiguration(problems.joined(separator: "; ")) }
        let bytes = c.trainingBytes(shoppers: interactions.shopperCount, brands: interactions.brandCount)
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= memory else {
            throw .invalidConfiguration(
                "\(c.factors) factors need at least \(gigabytes(bytes)) for \(interactions.shopperCount) shoppers × "
                    + "\(interactions.brandCount) brands on \(c.threads) threads, more than this machine's \(gigabytes(memory))")
        }
        let byShopper = ConfidenceRows(interactions.byShopper, c.confidence)
        let byBrand = ConfidenceRows(interactions.byBrand, c.confidence)
        let shoppers = Self.initialFactors(rows: interactions.shopperCount, factors: c.factors, seed: c.seed)
        let brands = Self.initialFactors(rows: interactions.brandCount, factors: c.factors, seed: c.seed &+ 0x9e37_79b9)
        let ids: [FactorSide: IdentifierMap] = [.shopper: interactions.shopperIDs, .brand: interactions.brandIDs]
        let clock = ContinuousClock()
        // YᵀY and XᵀX are each built once per iteration and shared by the half-step that holds
        // that side fixed and by the loss; YᵀY for the next iteration is built (and timed) here.
        var brandGram = Self.gram(brands)
        for iteration in 1...max(1, c.iterations) where c.iterations > 0 {
            let start = clock.now
            do {
                try halfStep(solve: shoppers, fixed: brands, gram: brandGram, rows: byShopper)
            } catch {
                throw error.located(iteration: iteration, side: .shopper, ids: ids[.shopper]!)
            }
            let shopperGram = Self.gram(shoppers)
            do {
                try halfStep(solve: brands, fixed: shoppers, gram: shopperGram, rows: byBrand)
            } catch {
                throw error.located(iteration: iteration, side: .brand, ids: ids[.brand]!)
            }
            brandGram = Self.gram(brands)
            let elapsed = clock.now - start
            let (loss, normalized) = self.loss(
                shoppers: shoppers, brands: brands, shopperGram: shopperGram, brandGram: brandGram,
                byShopper: byShopper, byBrand: byBrand)
            progress(IterationReport(iteration: iteration, seconds: elapsed.secondsValue, loss: loss, normalizedLoss: normalized))
        }
        // A row without interactions minimises its loss at zero, which conjugate gradient only
        // approaches: set it there, so the model says plainly that it knows nothing of that
        // shopper or brand (and ``FactorModel/droppingShoppersWithoutInteractions(in:)`` can leave
        // such shoppers out of a saved model, for pages to fold them in later).
        // With no iterations the model keeps its initial factors, as `venue train` says.
        for (side, rows) in [(shoppers, byShopper.matrix), (brands, byBrand.matrix)] where c.iterations > 0 {
            for r in 0..<rows.rows where rows.count(ofRow: r) == 0 { side.row(r).update(repeating: 0, count: c.factors) }
        }
        return FactorModel(
            shopperIDs: interactions.shopperIDs, brandIDs: interactions.brandIDs,
            shopperFactors: shoppers.matrix(), brandFactors: brands.matrix(),
            configuration: c, weighting: weighting)
    }

    /// Initial factors: uniform in `[0, 0.01)` as `implicit` draws them; row `r` from its own
    /// stream of `seed`, so the draw does not depend on threads.
    static func initialFactors(rows: Int, factors: Int, seed: UInt64) -> SharedRows {
        let buffer = SharedRows(rows: rows, columns: factors)
        for r in 0..<rows {
            var random = SeededRandom.stream(seed: seed, index: UInt64(r))
            let row = buffer.row(r)
            for d in 0..<factors { row[d] = Float(random.unit()) * 0.01 }
        }
        return buffer
    }

    /// One half-step: re-solves every row of `solve` with `fixed` held; `gram` is `fixed`'s ``gram(_:)``.
    func halfStep(solve: SharedRows, fixed: SharedRows, gram: [Float], rows: ConfidenceRows) throws(HalfStepFailure) {
        let configuration = self.configuration
        let failures = FailureLog()
        rows.chunks.run(threads: configuration.threads, makeWorker: { HalfStepWorker(configuration) }) { worker, _, chunk in
            gram.withUnsafeBufferPointer { gram in
                rows.matrix.rowStarts.withUnsafeBufferPointer { starts in
                    rows.matrix.columnIndices.withUnsafeBufferPointer { columns in
                        rows.matrix.values.withUnsafeBufferPointer { confidences in
                            let g = gram.baseAddress!, s = starts.baseAddress!
                            let cols = columns.baseAddress ?? UnsafePointer(bitPattern: 8)!
                            let conf = confidences.baseAddress ?? UnsafePointer(bitPattern: 8)!
                            switch worker {
                            case .exact(let solver):
                                for r in chunk {
                                    let lambda = configuration.regularization(forCount: s[r + 1] - s[r])
                                    if let failure = solver.solve(
                                        columns: cols + s[r], confidences: conf + s[r], count: s[r + 1] - s[r],
                                        fixed: fixed.base, gram: g, regularization: lambda, into: solve.row(r))
                                    {
                                        failures.record(row: r, failure)
                                    }
                                }
                            case .cg(let solver):
                                var blockStart = chunk.lowerBound
                                while blockStart < chunk.upperBound {
                                    let block = blockStart..<min(chunk.upperBound, blockStart + ConjugateGradientSolver.blockRows)
                                    if let (row, failure) = solver.solve(
                                        rows: block, rowStarts: s, columns: cols, confidences: conf, fixed: fixed.base, gram: g,
                                        regularization: { configuration.regularization(forCount: $0) }, x: solve.base)
                                    {
                                        failures.record(row: row, failure)
                                    }
                                    blockStart = block.upperBound
                                }
                            }
                        }
                    }
                }
            }
        }
        if let (row, failure) = failures.first { throw HalfStepFailure(row: row, failure: failure) }
    }

    /// `YᵀY` of `rows`, both triangles, computed with one `ssyrk` at one thread (so it is the
    /// same bits on any thread count). O(rows · f²).
    static func gram(_ rows: SharedRows) -> [Float] {
        let f = rows.columns
        var gram = [Float](repeating: 0, count: f * f)
        BLASThreads.with(1) {
            gram.withUnsafeMutableBufferPointer { g in
                BLAS.syrk(.upper, .transpose, n: f, k: rows.rows, alpha: 1, a: rows.base, lda: f, beta: 0, c: g.baseAddress!, ldc: f)
                BLAS.symmetrize(upper: g.baseAddress!, n: f)
            }
        }
        return gram
    }

    /// The objective and `implicit`'s normalised form. The all-pairs term is
    /// `Σ_u x_uᵀ(YᵀY)x_u = ⟨XᵀX, YᵀY⟩`; only nonzeros are visited. O(nnz·f + (rows)·f²).
    func loss(
        shoppers: SharedRows, brands: SharedRows, shopperGram gx: [Float], brandGram gy: [Float],
        byShopper: ConfidenceRows, byBrand: ConfidenceRows
    ) -> (Double, Double) {
        let f = configuration.factors
        var total = 0.0
        for i in 0..<f * f { total += Double(gx[i]) * Double(gy[i]) }
        let configuration = self.configuration
        let matrix = byShopper.matrix
        total += byShopper.chunks.sum(threads: configuration.threads, makeWorker: { () }) { _, _, chunk in
            matrix.columnIndices.withUnsafeBufferPointer { columns in
                matrix.values.withUnsafeBufferPointer { confidences in
                    var sum = 0.0
                    for u in chunk {
                        let x = shoppers.row(u)
                        let range = matrix.range(ofRow: u)
                        if !range.isEmpty {
                            sum += SparseRowKernels.loss(
                                factors: f, count: range.count, columns: columns.baseAddress! + range.lowerBound,
                                confidences: confidences.baseAddress! + range.lowerBound, fixed: brands.base, x: x)
                        }
                        sum += Double(configuration.regularization(forCount: range.count)) * Double(VectorKernels.dot(x, x, count: f))
                    }
                    return sum
                }
            }
        }
        for b in 0..<brands.rows {
            let y = brands.row(b)
            total +=
                Double(configuration.regularization(forCount: byBrand.matrix.count(ofRow: b))) * Double(VectorKernels.dot(y, y, count: f))
        }
        let confidenceSum = byShopper.matrix.values.reduce(0.0) { $0 + Double($1) }
        let zeros = Double(byShopper.matrix.rows) * Double(byShopper.matrix.columns) - Double(byShopper.matrix.nonzeroCount)
        return (total, total / max(1, confidenceSum + zeros))
    }
}

/// The confidences of one orientation and its fixed work chunks.
struct ConfidenceRows: Sendable {
    let matrix: SparseMatrix
    let chunks: ParallelChunks

    init(_ strengths: SparseMatrix, _ confidence: Confidence) {
        matrix = strengths.mapValues { confidence($0) }
        let starts = matrix.rowStarts
        // Chunk boundaries depend only on the data; CG blocks are cut from each chunk's start,
        // so every row is solved in the same block on any thread count.
        chunks = ParallelChunks(rowCount: matrix.rows, target: 1024) { starts[$0 + 1] - starts[$0] + 16 }
    }
}

/// One worker's solver and scratch.
enum HalfStepWorker {
    case exact(ExactRowSolverBox)
    case cg(CGSolverBox)

    init(_ configuration: ALSConfiguration) {
        switch configuration.solver {
        case .exact: self = .exact(ExactRowSolverBox(factors: configuration.factors))
        case .cg: self = .cg(CGSolverBox(factors: configuration.factors, steps: configuration.cgSteps))
        }
    }
}

/// Reference wrappers so the non-copyable solvers can live in a worker enum.
final class ExactRowSolverBox {
    let solver: ExactRowSolver
    init(factors: Int) { solver = ExactRowSolver(factors: factors) }
    func solve(
        columns: UnsafePointer<Int32>, confidences: UnsafePointer<Float>, count: Int, fixed: UnsafePointer<Float>,
        gram: UnsafePointer<Float>, regularization: Float, into x: UnsafeMutablePointer<Float>
    ) -> RowFailure? {
        solver.solve(
            columns: columns, confidences: confidences, count: count, fixed: fixed, gram: gram, regularization: regularization, into: x)
    }
}

final class CGSolverBox {
    let solver: ConjugateGradientSolver
    init(factors: Int, steps: Int) { solver = ConjugateGradientSolver(factors: factors, steps: steps) }
    func solve(
        rows: Range<Int>, rowStarts: UnsafePointer<Int>, columns: UnsafePointer<Int32>, confidences: UnsafePointer<Float>,
        fixed: UnsafePointer<Float>, gram: UnsafePointer<Float>, regularization: (Int) -> Float,
        x: UnsafeMutablePointer<Float>
    ) -> (row: Int, failure: RowFailure)? {
        solver.solve(
            rows: rows, rowStarts: rowStarts, columns: columns, confidences: confidences, fixed: fixed, gram: gram,
            regularization: regularization, x: x)
    }
}

/// The lowest failing row of a half-step (lowest, so the report is the same on any thread count).
final class FailureLog: Sendable {
    private let state = Mutex<(row: Int, failure: RowFailure)?>(nil)

    func record(row: Int, _ failure: RowFailure) {
        state.withLock { current in
            if current == nil || row < current!.row { current = (row, failure) }
        }
    }

    var first: (row: Int, failure: RowFailure)? { state.withLock { $0 } }
}

struct HalfStepFailure: Error {
    let row: Int
    let failure: RowFailure

    func located(iteration: Int, side: FactorSide, ids: IdentifierMap) -> TrainingError {
        switch failure {
        case .cholesky(let f): .choleskyFailed(iteration: iteration, side: side, row: row, id: ids[row], failure: f)
        case .nonFinite: .nonFinite(iteration: iteration, side: side, row: row, id: ids[row])
        }
    }
}

extension Duration {
    /// The duration in seconds.
    public var secondsValue: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

/// `bytes` in GB with one decimal, for messages.
private func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
