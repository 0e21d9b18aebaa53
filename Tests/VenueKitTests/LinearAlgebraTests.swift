import Numerics
import Testing
import VenueKit

/// Known-answer tests of the BLAS and LAPACK wrappers against naive Swift loops.
@Suite("Linear algebra")
struct LinearAlgebraTests {
    static func random(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var random = SeededRandom(seed: seed)
        return Matrix(rows: rows, columns: columns, storage: (0 ..< rows * columns).map { _ in Float(random.unit() * 2 - 1) })
    }

    static func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, columns: b.columns)
        for i in 0 ..< a.rows {
            for j in 0 ..< b.columns {
                var sum: Float = 0
                for k in 0 ..< a.columns { sum += a[i, k] * b[k, j] }
                c[i, j] = sum
            }
        }
        return c
    }

    static func expectClose(_ x: [Float], _ y: [Float], tolerance: Float = 1e-4) {
        #expect(x.count == y.count)
        for (a, b) in zip(x, y) {
            #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: tolerance, relativeTolerance: tolerance), "\(a) vs \(b)")
        }
    }

    @Test("gemm matches a naive product for every transpose combination", arguments: [(Transpose.none, Transpose.none), (.transpose, .none), (.none, .transpose), (.transpose, .transpose)])
    func gemm(_ transA: Transpose, _ transB: Transpose) {
        let a = Self.random(7, 5, seed: 1)
        let b = Self.random(5, 6, seed: 2)
        let storedA = transA == .none ? a : a.transposed()
        let storedB = transB == .none ? b : b.transposed()
        var c = Self.random(7, 6, seed: 3)
        let c0 = c
        BLAS.gemm(transA, storedA, transB, storedB, alpha: 2, beta: 0.5, into: &c)
        let naive = Self.naiveProduct(a, b)
        Self.expectClose(c.storage, zip(naive.storage, c0.storage).map { 2 * $0 + 0.5 * $1 })
    }

    @Test("syrk builds the Gram matrix AᵀA and AAᵀ")
    func syrk() {
        let a = Self.random(9, 4, seed: 4)
        Self.expectClose(BLAS.gram(a, .transpose).storage, Self.naiveProduct(a.transposed(), a).storage)
        Self.expectClose(BLAS.gram(a, .none).storage, Self.naiveProduct(a, a.transposed()).storage)
    }

    @Test("gemv matches a naive matrix-vector product, plain and transposed")
    func gemv() {
        let a = Self.random(6, 4, seed: 5)
        var random = SeededRandom(seed: 6)
        let x4 = (0 ..< 4).map { _ in Float(random.unit()) }
        let x6 = (0 ..< 6).map { _ in Float(random.unit()) }
        var y6 = [Float](repeating: 1, count: 6)
        BLAS.gemv(.none, a, x4, alpha: 1, beta: 1, into: &y6)
        Self.expectClose(y6, (0 ..< 6).map { i in 1 + (0 ..< 4).reduce(Float(0)) { $0 + a[i, $1] * x4[$1] } })
        var y4 = [Float](repeating: 0, count: 4)
        BLAS.gemv(.transpose, a, x6, into: &y4)
        Self.expectClose(y4, (0 ..< 4).map { j in (0 ..< 6).reduce(Float(0)) { $0 + a[$1, j] * x6[$1] } })
    }

    @Test("Cholesky solves a symmetric positive-definite system")
    func cholesky() throws {
        let n = 8
        let b = Self.random(n, n, seed: 7)
        var spd = Self.naiveProduct(b, b.transposed())
        for i in 0 ..< n { spd[i, i] += Float(n) }
        var random = SeededRandom(seed: 8)
        let x = (0 ..< n).map { _ in Float(random.unit()) }
        let rhs = (0 ..< n).map { i in (0 ..< n).reduce(Float(0)) { $0 + spd[i, $1] * x[$1] } }
        Self.expectClose(try Cholesky.solve(spd, rhs), x)
    }

    @Test("Cholesky reports a matrix that is not positive definite")
    func choleskyFailure() {
        let m = Matrix(rows: 2, columns: 2, storage: [1, 2, 2, 1])
        #expect(throws: FactorizationFailure.notPositiveDefinite(order: 2)) { try Cholesky.solve(m, [1, 1]) }
    }

    @Test("BLAS thread count can be set and restored")
    func threads() {
        let before = BLASThreads.count
        BLASThreads.with(1) { #expect(BLASThreads.count == 1) }
        #expect(BLASThreads.count == before)
    }
}
