import COpenBLAS

/// Whether a BLAS operand is used as stored or transposed.
public enum Transpose: Sendable {
    /// Use the operand as stored.
    case none
    /// Use the transpose of the operand.
    case transpose

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Which triangle of a symmetric matrix a routine reads or writes.
public enum Triangle: Sendable {
    /// The upper triangle, diagonal included.
    case upper
    /// The lower triangle, diagonal included.
    case lower

    var cblas: CBLAS_UPLO { self == .upper ? CblasUpper : CblasLower }
}

/// Thin wrappers over single-precision CBLAS, row-major throughout.
///
/// Two levels: pointer-level functions for hot paths that work on sub-blocks of larger buffers
/// (the caller vouches for the sizes, as with BLAS itself), and `Matrix`-level functions that
/// check dimensions with preconditions. No C type appears in these signatures.
public enum BLAS {
    /// `C ← α·op(A)·op(B) + β·C` on raw row-major buffers.
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the row
    /// strides of the buffers as stored. O(m·n·k).
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        rawGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    static func rawGemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int,
        _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `C ← α·op(A)·op(A)ᵀ + β·C` on the `triangle` of the `n × n` matrix `C`.
    ///
    /// With `.none`, `A` is `n × k`; with `.transpose`, `A` is `k × n` and the product is `AᵀA`.
    /// Only `triangle` of `C` is written. O(n²·k).
    public static func syrk(
        _ triangle: Triangle, _ trans: Transpose, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        rawSyrk(triangle, trans, n, k, alpha, a, lda, beta, c, ldc)
    }

    static func rawSyrk(
        _ triangle: Triangle, _ trans: Transpose, _ n: Int, _ k: Int,
        _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        guard n > 0 else { return }
        cblas_ssyrk(
            CblasRowMajor, triangle.cblas, trans.cblas, Int32(n), Int32(k),
            alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    /// `y ← α·op(A)·x + β·y` for a row-major `m × n` matrix `A` (stride `lda`). O(m·n).
    public static func gemv(
        _ trans: Transpose, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        rawGemv(trans, m, n, alpha, a, lda, x, beta, y)
    }

    static func rawGemv(
        _ trans: Transpose, _ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
        _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemv(CblasRowMajor, trans.cblas, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}

extension BLAS {
    /// `C ← α·op(A)·op(B) + β·C` on whole matrices; dimensions are checked.
    public static func gemm(
        _ transA: Transpose = .none, _ a: Matrix, _ transB: Transpose = .none, _ b: Matrix,
        alpha: Float = 1, beta: Float = 0, into c: inout Matrix
    ) {
        let (m, k) = transA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kb, n) = transB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
        precondition(k == kb, "gemm: inner dimensions \(k) and \(kb) differ")
        precondition(c.rows == m && c.columns == n, "gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
        let ldc = max(c.columns, 1)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                    gemm(
                        transA, transB, m: m, n: n, k: k, alpha: alpha, a: pa, lda: max(a.columns, 1),
                        b: pb, ldb: max(b.columns, 1), beta: beta, c: pc, ldc: ldc)
                }
            }
        }
    }

    /// The Gram matrix `AᵀA` (`.transpose`) or `AAᵀ` (`.none`), both triangles filled. O(n²·k).
    public static func gram(_ a: Matrix, _ trans: Transpose = .transpose) -> Matrix {
        let (n, k) = trans == .transpose ? (a.columns, a.rows) : (a.rows, a.columns)
        var c = Matrix(rows: n, columns: n)
        a.withUnsafeBufferPointer { pa in
            c.withUnsafeMutableBufferPointer { pc in
                guard let pa = pa.baseAddress, let pc = pc.baseAddress else { return }
                syrk(.upper, trans, n: n, k: k, alpha: 1, a: pa, lda: max(a.columns, 1), beta: 0, c: pc, ldc: max(n, 1))
                symmetrize(upper: pc, n: n)
            }
        }
        return c
    }

    /// `y ← α·op(A)·x + β·y` on a matrix and arrays; dimensions are checked.
    public static func gemv(_ trans: Transpose = .none, _ a: Matrix, _ x: [Float], alpha: Float = 1, beta: Float = 0, into y: inout [Float])
    {
        let (inLength, outLength) = trans == .none ? (a.columns, a.rows) : (a.rows, a.columns)
        precondition(x.count == inLength, "gemv: x has \(x.count) elements, expected \(inLength)")
        precondition(y.count == outLength, "gemv: y has \(y.count) elements, expected \(outLength)")
        a.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    guard let pa = pa.baseAddress, let px = px.baseAddress, let py = py.baseAddress else { return }
                    gemv(trans, m: a.rows, n: a.columns, alpha: alpha, a: pa, lda: max(a.columns, 1), x: px, beta: beta, y: py)
                }
            }
        }
    }

    /// Copies the upper triangle of a row-major `n × n` matrix into its lower triangle. O(n²).
    @inlinable
    public static func symmetrize(upper c: UnsafeMutablePointer<Float>, n: Int) {
        for i in 0..<n {
            for j in 0..<i {
                c[i * n + j] = c[j * n + i]
            }
        }
    }
}
