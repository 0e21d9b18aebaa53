import VenueLinearAlgebra

/// Warm-started conjugate gradient on a block of consecutive rows (Takács, Pilászy & Tikk 2011,
/// as in `implicit`), never forming a row's `f × f` matrix.
///
/// The dense part `(YᵀY)·p` of every row in the block is one `sgemm` per step; the sparse
/// correction `Σ (c − 1)(yᵀp) y` is one fused kernel call per row (``SparseRowKernels``).
/// Scratch is allocated once per solver. O(steps · (m·f² + nnz·f)) for `m` rows.
public struct ConjugateGradientSolver: ~Copyable {
    /// Rows per block.
    public static let blockRows = 32

    let factors: Int
    let steps: Int
    let residual: UnsafeMutablePointer<Float>
    let direction: UnsafeMutablePointer<Float>
    let product: UnsafeMutablePointer<Float>
    let residualNorms: UnsafeMutablePointer<Float>
    let lambdas: UnsafeMutablePointer<Float>

    /// A solver for `factors` factors and `steps` CG steps.
    public init(factors: Int, steps: Int) {
        self.factors = factors
        self.steps = steps
        let size = Self.blockRows * factors
        residual = .allocate(capacity: size)
        direction = .allocate(capacity: size)
        product = .allocate(capacity: size)
        residualNorms = .allocate(capacity: Self.blockRows)
        lambdas = .allocate(capacity: Self.blockRows)
    }

    deinit {
        residual.deallocate()
        direction.deallocate()
        product.deallocate()
        residualNorms.deallocate()
        lambdas.deallocate()
    }

    /// Improves rows `rows` of `x` (at most ``blockRows``, consecutive) in place.
    ///
    /// - Parameters:
    ///   - rowStarts, columns, confidences: the CSR of confidences (rows of the solved side).
    ///   - fixed: the other side's factors; `gram` its `YᵀY` (both triangles).
    ///   - regularization: λ of row `r` is `regularization(count of r)`.
    func solve(
        rows: Range<Int>, rowStarts: UnsafePointer<Int>, columns: UnsafePointer<Int32>, confidences: UnsafePointer<Float>,
        fixed: UnsafePointer<Float>, gram: UnsafePointer<Float>, regularization: (Int) -> Float,
        x: UnsafeMutablePointer<Float>
    ) -> (row: Int, failure: RowFailure)? {
        let f = factors
        let m = rows.count
        let xb = x + rows.lowerBound * f
        // r = b − A x, with A x = (YᵀY + λI) x + Σ (c − 1)(yᵀx) y and b = Σ c y.
        BLAS.gemm(.none, .none, m: m, n: f, k: f, alpha: -1, a: xb, lda: f, b: gram, ldb: f, beta: 0, c: residual, ldc: f)
        for j in 0..<m {
            let u = rows.lowerBound + j
            let r = residual + j * f
            let xu = xb + j * f
            let lambda = regularization(rowStarts[u + 1] - rowStarts[u])
            lambdas[j] = lambda
            VectorKernels.axpy(-lambda, xu, r, count: f)
            // r += Σ (c − (c − 1)·yᵀx) y
            let start = rowStarts[u]
            SparseRowKernels.rank1Update(
                factors: f, count: rowStarts[u + 1] - start, columns: columns + start,
                confidences: confidences + start, fixed: fixed, vector: xu, into: r,
                s0: 1, s1: -1, s2: 1)
            (direction + j * f).update(from: r, count: f)
            residualNorms[j] = VectorKernels.dot(r, r, count: f)
            // A NaN residual would fail every convergence test and leave the row silently stale.
            guard residualNorms[j].isFinite else { return (u, .nonFinite) }
        }
        for _ in 0..<steps {
            BLAS.gemm(.none, .none, m: m, n: f, k: f, alpha: 1, a: direction, lda: f, b: gram, ldb: f, beta: 0, c: product, ldc: f)
            for j in 0..<m where residualNorms[j] >= 1e-20 {
                let u = rows.lowerBound + j
                let p = direction + j * f
                let ap = product + j * f
                let r = residual + j * f
                VectorKernels.axpy(lambdas[j], p, ap, count: f)
                // ap += Σ (c − 1)(yᵀp) y
                let start = rowStarts[u]
                SparseRowKernels.rank1Update(
                    factors: f, count: rowStarts[u + 1] - start, columns: columns + start,
                    confidences: confidences + start, fixed: fixed, vector: p, into: ap,
                    s0: 0, s1: 1, s2: -1)
                let alpha = residualNorms[j] / VectorKernels.dot(p, ap, count: f)
                VectorKernels.axpy(alpha, p, xb + j * f, count: f)
                VectorKernels.axpy(-alpha, ap, r, count: f)
                let norm = VectorKernels.dot(r, r, count: f)
                guard norm.isFinite, alpha.isFinite else { return (u, .nonFinite) }
                if norm < 1e-20 {
                    residualNorms[j] = 0
                    continue
                }
                VectorKernels.xpby(r, norm / residualNorms[j], p, count: f)
                residualNorms[j] = norm
            }
        }
        for j in 0..<m {
            let xu = xb + j * f
            for d in 0..<f where !xu[d].isFinite { return (rows.lowerBound + j, .nonFinite) }
        }
        return nil
    }
}
