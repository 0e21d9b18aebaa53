import COpenBLAS
import CVenueKernels

/// A failure of a dense factorisation, with LAPACK's own diagnostic.
public enum FactorizationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The matrix is not positive definite: the leading minor of order `order` is not positive.
    case notPositiveDefinite(order: Int)
    /// LAPACK rejected argument number `argument` (a programming error).
    case illegalArgument(argument: Int)

    /// What went wrong, in words, with LAPACK's order or argument number.
    public var description: String {
        switch self {
        case .notPositiveDefinite(let order):
            "matrix is not positive definite (leading minor of order \(order) is not positive)"
        case .illegalArgument(let argument):
            "LAPACK rejected argument \(argument)"
        }
    }

    init(info: Int32) {
        self = info > 0 ? .notPositiveDefinite(order: Int(info)) : .illegalArgument(argument: Int(-info))
    }
}

/// Cholesky factorisation and solves of symmetric positive-definite systems.
///
/// The matrices are symmetric, so a row-major upper triangle is the same memory as a
/// column-major lower triangle: the calls go to LAPACK in its native column-major order and
/// never make LAPACKE transpose (or allocate). Where the CPU has AVX2, small systems (the ALS
/// row systems) skip LAPACK's blocking: a 16, 32 or 64 × 64 matrix is factored by a
/// register-blocked kernel, 2.3–2.8× faster there than OpenBLAS's `spotrf`, whose small leaves
/// are level-2 (other sizes use `spotrf`, with the same diagnostics; AVX-512 halves the
/// kernel's instructions, with the same bits, and has the registers for 128 too, where it is
/// 1.3× faster than `spotrf`), and one right-hand side is solved by a plain forward and back
/// substitution instead of two `strsv`, or, in the in-place ``solve(_:n:b:)``, by
/// substitutions fused with the factor. Results agree with LAPACK's to rounding, not bit for
/// bit.
public enum Cholesky {
    /// Factors the `n × n` symmetric matrix `a` in place (its upper triangle, row-major, is read
    /// and overwritten by `U` with `A = UᵀU`). O(n³/3).
    public static func factor(_ a: UnsafeMutablePointer<Float>, n: Int) throws(FactorizationFailure) {
        let info = rawFactor(a, n)
        if info != 0 { throw FactorizationFailure(info: info) }
    }

    /// Solves `A·X = B` for `nrhs` right-hand sides given `factor`'s output; `b` is row-major
    /// `nrhs × n` (each right-hand side is one contiguous row) and is overwritten by `X`. O(n²·nrhs).
    public static func solve(factored a: UnsafePointer<Float>, n: Int, b: UnsafeMutablePointer<Float>, nrhs: Int = 1)
        throws(FactorizationFailure)
    {
        if nrhs == 1 {
            // One right-hand side: two triangular solves skip spotrs's trsm packing; the AVX2
            // kernel where the CPU has it (OpenBLAS's strsv splits so small a system into blocks
            // of level-1 calls), else strsv. The factor is row-major upper U with A = UᵀU (the
            // kernel's column-major lower L): solve Uᵀz = b, then Ux = z.
            if venue_cholesky_solve_lower(Int32(n), a, b) == 0 { return }
            cblas_strsv(CblasRowMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), a, Int32(max(n, 1)), b, 1)
            cblas_strsv(CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), a, Int32(max(n, 1)), b, 1)
            return
        }
        let info = rawSolve(a, n, b, nrhs)
        if info != 0 { throw FactorizationFailure(info: info) }
    }

    /// Solves the symmetric positive-definite system `A·x = b` in place: `a` (upper triangle read)
    /// is overwritten by its factor `U` with `A = UᵀU`, and `b` by the solution. O(n³/3).
    ///
    /// The strict lower triangle is scratch: for n = 16, 32 and 64 on AVX2 (and 128 on AVX-512)
    /// a fused kernel (the ALS row solve) writes `Uᵀ` there, so that both substitutions read
    /// contiguous memory and keep `x` in registers; other sizes leave it as it was. `U` is
    /// ``factor(_:n:)``'s to the bit; `x` agrees with ``solve(factored:n:b:nrhs:)``'s to rounding
    /// (the fused substitutions multiply by the diagonal's reciprocals). On failure `a` and `b`
    /// hold partial results.
    public static func solve(_ a: UnsafeMutablePointer<Float>, n: Int, b: UnsafeMutablePointer<Float>) throws(FactorizationFailure) {
        let info = venue_cholesky_factor_solve(Int32(n), a, b)
        if info > 0 { throw FactorizationFailure(info: info) }
        if info == 0 { return }
        try factor(a, n: n)
        try solve(factored: a, n: n, b: b)
    }

    /// The fused ``solve(_:n:b:)`` on the path for `instructionSet`, to compare the paths: LAPACK's
    /// info (0 when solved), or nil, leaving `a` and `b` alone, when that path has no fused kernel
    /// for `n` or is wider than ``InstructionSet/current``.
    package static func fusedSolve(
        on instructionSet: InstructionSet, _ a: UnsafeMutablePointer<Float>, n: Int, b: UnsafeMutablePointer<Float>
    ) -> Int32? {
        let info = venue_cholesky_factor_solve_at(Int32(instructionSet.rawValue), Int32(n), a, b)
        return info < 0 ? nil : info
    }

    static func rawFactor(_ a: UnsafeMutablePointer<Float>, _ n: Int) -> Int32 {
        // Row-major upper == column-major lower. The kernel answers −1 for sizes it does not take.
        let info = venue_cholesky_lower(Int32(n), a)
        if info >= 0 { return info }
        return LAPACKE_spotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), a, Int32(max(n, 1)))
    }

    static func rawSolve(_ a: UnsafePointer<Float>, _ n: Int, _ b: UnsafeMutablePointer<Float>, _ nrhs: Int) -> Int32 {
        LAPACKE_spotrs_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), Int32(nrhs),
            a, Int32(max(n, 1)), b, Int32(max(n, 1)))
    }
}

extension Cholesky {
    /// Solves `A·x = b` for a symmetric positive-definite `Matrix` and returns `x`.
    public static func solve(_ a: Matrix, _ b: [Float]) throws(FactorizationFailure) -> [Float] {
        precondition(a.rows == a.columns, "Cholesky.solve: A is \(a.rows)×\(a.columns), not square")
        precondition(b.count == a.rows, "Cholesky.solve: b has \(b.count) elements, expected \(a.rows)")
        var factor = a.storage
        var x = b
        let n = a.rows
        let info: Int32 = factor.withUnsafeMutableBufferPointer { pa in
            x.withUnsafeMutableBufferPointer { px in
                guard let pa = pa.baseAddress, let px = px.baseAddress else { return 0 }
                let info = rawFactor(pa, n)
                return info != 0 ? info : rawSolve(pa, n, px, 1)
            }
        }
        if info != 0 { throw FactorizationFailure(info: info) }
        return x
    }
}
