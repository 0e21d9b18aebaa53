import CVenueKernels

/// Fused kernels over one sparse row's gathered factor rows: the inner loops of implicit ALS.
///
/// Each call handles a whole row (not one nonzero), with an AVX2+FMA path selected at run time
/// (AVX-512 for the rank-1 update and the Gram update, with the same bits where both have a
/// kernel: the Gram update at 128 factors is AVX-512 only) and a portable
/// fallback (`ssyrk` for the Gram update); the summation order is fixed, so results do not
/// depend on threads.
public enum SparseRowKernels {
    /// `out += Σ_k coef_k · y_k` with `t_k = y_k · v` and `coef_k = s0·c_k + (s1·c_k + s2)·t_k`,
    /// where `y_k` is row `columns[k]` of `fixed` (`factors` wide) and `c_k = confidences[k]`.
    /// O(count · factors).
    @inlinable
    public static func rank1Update(
        factors: Int, count: Int, columns: UnsafePointer<Int32>, confidences: UnsafePointer<Float>,
        fixed: UnsafePointer<Float>, vector v: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        s0: Float, s1: Float, s2: Float
    ) {
        venue_sparse_rank1_update(Int32(factors), Int64(count), columns, confidences, fixed, v, out, s0, s1, s2)
    }

    /// ``rank1Update(factors:count:columns:confidences:fixed:vector:into:s0:s1:s2:)`` on the path
    /// for `instructionSet`, to compare the paths. Returns false, leaving `out` as it was, when
    /// that set is wider than ``InstructionSet/current``.
    package static func rank1Update(
        on instructionSet: InstructionSet, factors: Int, count: Int, columns: UnsafePointer<Int32>,
        confidences: UnsafePointer<Float>, fixed: UnsafePointer<Float>, vector v: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>, s0: Float, s1: Float, s2: Float
    ) -> Bool {
        venue_sparse_rank1_update_at(
            Int32(instructionSet.rawValue), Int32(factors), Int64(count), columns, confidences, fixed, v, out, s0, s1,
            s2) == 0
    }

    /// Writes `√max(c_k − 1, 0) · y_k` to row `k` of `gathered` and adds `c_k · y_k` to `b`
    /// (in order; one FMA per element with AVX2). For 16, 32 and 64 factors `b` stays in registers
    /// for the whole row. O(count · factors).
    @inlinable
    public static func gatherScaled(
        factors: Int, count: Int, columns: UnsafePointer<Int32>, confidences: UnsafePointer<Float>,
        fixed: UnsafePointer<Float>, gathered: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>
    ) {
        venue_gather_scaled(Int32(factors), Int64(count), columns, confidences, fixed, gathered, b)
    }

    /// ``gatherScaled(factors:count:columns:confidences:fixed:gathered:b:)`` on the path for
    /// `instructionSet`, to compare the paths. Returns false, leaving the outputs as they were,
    /// when that set is wider than ``InstructionSet/current``.
    package static func gatherScaled(
        on instructionSet: InstructionSet, factors: Int, count: Int, columns: UnsafePointer<Int32>,
        confidences: UnsafePointer<Float>, fixed: UnsafePointer<Float>, gathered: UnsafeMutablePointer<Float>,
        b: UnsafeMutablePointer<Float>
    ) -> Bool {
        venue_gather_scaled_at(
            Int32(instructionSet.rawValue), Int32(factors), Int64(count), columns, confidences, fixed, gathered, b) == 0
    }

    /// `matrix += Σ_k g_k g_kᵀ` over the `count` rows `g_k` of `gathered` (`factors` floats each):
    /// the upper triangle of the row-major `factors × factors` matrix (its lower triangle may be
    /// updated or not), as ``BLAS/syrk(_:_:n:k:alpha:a:lda:beta:c:ldc:)`` with `.upper, .transpose`
    /// computes it. For 16, 32 and 64 factors on AVX2 a register-blocked kernel does it, each
    /// element one FMA chain over `k` in order: about as fast as OpenBLAS's `ssyrk` with AVX2, and
    /// about twice as fast with AVX-512 (the same bits), which also has one for 128 factors
    /// (where AVX2's would be slower than `ssyrk`); other sizes call `ssyrk`.
    /// O(count · factors²).
    public static func addGram(
        factors: Int, count: Int, gathered: UnsafePointer<Float>, into matrix: UnsafeMutablePointer<Float>
    ) {
        if venue_gram_update(Int32(factors), Int64(count), gathered, matrix) == 0 { return }
        BLAS.syrk(
            .upper, .transpose, n: factors, k: count, alpha: 1, a: gathered, lda: factors, beta: 1, c: matrix,
            ldc: factors)
    }

    /// ``addGram(factors:count:gathered:into:)``'s kernel on the path for `instructionSet`, to
    /// compare the paths. Returns false, leaving `matrix` as it was, when that path has no kernel
    /// for `factors` or is wider than ``InstructionSet/current``.
    package static func addGram(
        on instructionSet: InstructionSet, factors: Int, count: Int, gathered: UnsafePointer<Float>,
        into matrix: UnsafeMutablePointer<Float>
    ) -> Bool {
        venue_gram_update_at(Int32(instructionSet.rawValue), Int32(factors), Int64(count), gathered, matrix) == 0
    }

    /// `matrix = base + λI + Σ_k g_k g_kᵀ`: ``addGram(factors:count:gathered:into:)`` starting
    /// from `base` and `regularization` instead of `matrix`, for the first tile of a row, so the
    /// exact solver does not copy `YᵀY` into every row's system. The upper triangle of the
    /// row-major matrix gets the bits of copying `base`, adding λ to the diagonal and calling
    /// `addGram`; the lower triangle is left undefined where the kernel runs, and gets `base`'s
    /// where it falls back to that copy and `ssyrk`.
    /// O(count · factors²).
    public static func setGram(
        factors: Int, count: Int, gathered: UnsafePointer<Float>, base: UnsafePointer<Float>,
        regularization: Float, into matrix: UnsafeMutablePointer<Float>
    ) {
        if venue_gram_start(Int32(factors), Int64(count), gathered, base, regularization, matrix) == 0 { return }
        matrix.update(from: base, count: factors * factors)
        for d in 0..<factors { matrix[d * factors + d] += regularization }
        addGram(factors: factors, count: count, gathered: gathered, into: matrix)
    }

    /// ``setGram(factors:count:gathered:base:regularization:into:)``'s kernel on the path for
    /// `instructionSet`, to compare the paths. Returns false, leaving `matrix` as it was, when that
    /// path has no kernel for `factors` or is wider than ``InstructionSet/current``.
    package static func setGram(
        on instructionSet: InstructionSet, factors: Int, count: Int, gathered: UnsafePointer<Float>,
        base: UnsafePointer<Float>, regularization: Float, into matrix: UnsafeMutablePointer<Float>
    ) -> Bool {
        venue_gram_start_at(
            Int32(instructionSet.rawValue), Int32(factors), Int64(count), gathered, base, regularization, matrix) == 0
    }

    /// `Σ_k c_k (1 − t_k)² − t_k²` with `t_k = y_k · x`: a row's share of the ALS loss beyond
    /// the all-zeros term. O(count · factors).
    @inlinable
    public static func loss(
        factors: Int, count: Int, columns: UnsafePointer<Int32>, confidences: UnsafePointer<Float>,
        fixed: UnsafePointer<Float>, x: UnsafePointer<Float>
    ) -> Double {
        venue_sparse_loss(Int32(factors), Int64(count), columns, confidences, fixed, x)
    }
}
