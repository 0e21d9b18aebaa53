import Foundation
import Numerics
import Testing
import VenueKit

/// Known-answer tests of the BLAS and LAPACK wrappers against naive Swift loops.
@Suite("Linear algebra")
struct LinearAlgebraTests {
    static func random(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var random = SeededRandom(seed: seed)
        return Matrix(rows: rows, columns: columns, storage: (0..<rows * columns).map { _ in Float(random.unit() * 2 - 1) })
    }

    static func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                var sum: Float = 0
                for k in 0..<a.columns { sum += a[i, k] * b[k, j] }
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

    @Test(
        "gemm matches a naive product for every transpose combination",
        arguments: [(Transpose.none, Transpose.none), (.transpose, .none), (.none, .transpose), (.transpose, .transpose)])
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
        let x4 = (0..<4).map { _ in Float(random.unit()) }
        let x6 = (0..<6).map { _ in Float(random.unit()) }
        var y6 = [Float](repeating: 1, count: 6)
        BLAS.gemv(.none, a, x4, alpha: 1, beta: 1, into: &y6)
        Self.expectClose(y6, (0..<6).map { i in 1 + (0..<4).reduce(Float(0)) { $0 + a[i, $1] * x4[$1] } })
        var y4 = [Float](repeating: 0, count: 4)
        BLAS.gemv(.transpose, a, x6, into: &y4)
        Self.expectClose(y4, (0..<4).map { j in (0..<6).reduce(Float(0)) { $0 + a[$1, j] * x6[$1] } })
    }

    @Test("Cholesky solves a symmetric positive-definite system")
    func cholesky() throws {
        let n = 8
        let b = Self.random(n, n, seed: 7)
        var spd = Self.naiveProduct(b, b.transposed())
        for i in 0..<n { spd[i, i] += Float(n) }
        var random = SeededRandom(seed: 8)
        let x = (0..<n).map { _ in Float(random.unit()) }
        let rhs = (0..<n).map { i in (0..<n).reduce(Float(0)) { $0 + spd[i, $1] * x[$1] } }
        Self.expectClose(try Cholesky.solve(spd, rhs), x)
    }

    /// The sizes the AVX2 kernel factors (16, 32, 64) and two it leaves to LAPACK (13, 128).
    @Test(
        "Cholesky factors: UᵀU equals A, the lower triangle is kept, one right-hand side is solved, and a bad pivot is named",
        arguments: [16, 32, 64, 13, 128])
    func choleskyFactor(n: Int) throws {
        let b = Self.random(n, n / 2, seed: UInt64(n))
        var spd = Self.naiveProduct(b, b.transposed())
        for i in 0..<n { spd[i, i] += 0.5 }
        // The lower triangle (row-major) is not the factor's: it must come back untouched.
        for i in 0..<n { for j in 0..<i { spd[i, j] = -7 } }
        var u = spd.storage
        try u.withUnsafeMutableBufferPointer { try Cholesky.factor($0.baseAddress!, n: n) }
        for i in 0..<n {
            for j in i..<n {
                // (UᵀU)[i, j] = Σ_k≤i U[k, i]·U[k, j], in Double.
                let product = (0...i).reduce(0.0) { $0 + Double(u[$1 * n + i]) * Double(u[$1 * n + j]) }
                #expect(product.isApproximatelyEqual(to: Double(spd[i, j]), absoluteTolerance: 1e-4, relativeTolerance: 1e-4))
            }
            for j in 0..<i { #expect(u[i * n + j] == -7) }
        }
        // One right-hand side through the factor: A·x = b (the upper triangle of spd is A).
        var random = SeededRandom(seed: UInt64(n) + 100)
        let x = (0..<n).map { _ in Float(random.unit() * 2 - 1) }
        var solution = (0..<n).map { i in (0..<n).reduce(Float(0)) { $0 + spd[min(i, $1), max(i, $1)] * x[$1] } }
        try u.withUnsafeBufferPointer { u in
            try solution.withUnsafeMutableBufferPointer { try Cholesky.solve(factored: u.baseAddress!, n: n, b: $0.baseAddress!) }
        }
        Self.expectClose(solution, x, tolerance: 1e-3)
        // A negative sixth pivot: LAPACK's order, from either path.
        var bad = spd.storage
        for j in 0..<n { bad[5 * n + j] = 0; bad[j * n + 5] = 0 }
        bad[5 * n + 5] = -1
        #expect(throws: FactorizationFailure.notPositiveDefinite(order: 6)) {
            try bad.withUnsafeMutableBufferPointer { try Cholesky.factor($0.baseAddress!, n: n) }
        }
    }

    /// The in-place solve factors and substitutes in one call (fused, for 16, 32 and 64 on AVX2
    /// and 128 on AVX-512; 13, and 128 without AVX-512, go to LAPACK): its factor is
    /// ``Cholesky/factor(_:n:)``'s to the bit, x solves A·x = b, and a bad pivot is named as the
    /// factor names it.
    @Test("Cholesky's in-place solve: the factor's bits, A·x = b, and a bad pivot named", arguments: [16, 32, 64, 13, 128])
    func choleskyInPlaceSolve(n: Int) throws {
        let b = Self.random(n, n / 2, seed: UInt64(n) + 200)
        var spd = Self.naiveProduct(b, b.transposed())  // symmetric to the bit: each sum in one order
        for i in 0..<n { spd[i, i] += 0.5 }
        var factored = spd.storage
        try factored.withUnsafeMutableBufferPointer { try Cholesky.factor($0.baseAddress!, n: n) }
        var random = SeededRandom(seed: UInt64(n) + 300)
        let x = (0..<n).map { _ in Float(random.unit() * 2 - 1) }
        var solution = (0..<n).map { i in (0..<n).reduce(Float(0)) { $0 + spd[i, $1] * x[$1] } }
        var a = spd.storage
        try a.withUnsafeMutableBufferPointer { a in
            try solution.withUnsafeMutableBufferPointer { try Cholesky.solve(a.baseAddress!, n: n, b: $0.baseAddress!) }
        }
        for i in 0..<n {
            for j in i..<n { #expect(a[i * n + j].bitPattern == factored[i * n + j].bitPattern, "U[\(i), \(j)]") }
        }
        Self.expectClose(solution, x, tolerance: 1e-3)
        var bad = spd.storage
        for j in 0..<n { bad[5 * n + j] = 0; bad[j * n + 5] = 0 }
        bad[5 * n + 5] = -1
        var rhs = [Float](repeating: 1, count: n)
        #expect(throws: FactorizationFailure.notPositiveDefinite(order: 6)) {
            try bad.withUnsafeMutableBufferPointer { a in
                try rhs.withUnsafeMutableBufferPointer { try Cholesky.solve(a.baseAddress!, n: n, b: $0.baseAddress!) }
            }
        }
    }

    /// The exact ALS solver's results must not depend on which of this machine's paths ran: the
    /// fused AVX-512 factor-and-solve gives the AVX2 one's bits, in both triangles and in x.
    @Test(
        "the fused AVX-512 factor-and-solve gives the AVX2 path's bits",
        .enabled(if: InstructionSet.current >= .avx512, "needs a CPU with AVX-512"), arguments: [16, 32, 64])
    func fusedSolveAVX512MatchesAVX2(n: Int) {
        let b = Self.random(n, n, seed: UInt64(n) + 400)
        var spd = Self.naiveProduct(b, b.transposed())
        for i in 0..<n { spd[i, i] += 0.1 }
        var random = SeededRandom(seed: UInt64(n) + 500)
        let rhs = (0..<n).map { _ in Float(random.unit() * 2 - 1) }
        func run(on set: InstructionSet) -> (factor: [UInt32], x: [UInt32], info: Int32?) {
            var a = spd.storage, x = rhs
            let info = a.withUnsafeMutableBufferPointer { a in
                x.withUnsafeMutableBufferPointer { Cholesky.fusedSolve(on: set, a.baseAddress!, n: n, b: $0.baseAddress!) }
            }
            return (a.map(\.bitPattern), x.map(\.bitPattern), info)
        }
        let wide = run(on: .avx512), narrow = run(on: .avx2)
        #expect(wide.info == 0 && narrow.info == 0)
        #expect(wide.factor == narrow.factor)
        #expect(wide.x == narrow.x)
        #expect(run(on: .portable).info == nil, "no portable fused kernel: the caller factors and solves apart")
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

    @Test("a worker team runs every part of every job exactly once, awake or after sleeping", arguments: [1, 2, 4])
    func workerTeam(size: Int) {
        for spin in [Duration.microseconds(200), .zero] {
            let runs = PartCounter(parts: size)
            let team = WorkerTeam(size: size, spin: spin) { part in runs.add(part) }
            for job in 0..<300 {
                team.run()
                // Every few jobs, pause long enough for the helpers to go to sleep.
                if job % 50 == 0 { Thread.sleep(forTimeInterval: 0.002) }
                #expect(runs.counts == [Int](repeating: job + 1, count: size), "job \(job), spin \(spin)")
            }
        }
    }

    @Test("an aligned buffer holds its array's elements on a 64-byte boundary, empty or not", arguments: [0, 1, 7, 10_000])
    func alignedBuffer(count: Int) {
        let floats = (0..<count).map { Float($0) * 0.5 - 3 }
        let halves = floats.map { Float16($0).bitPattern }
        let (a, b) = (AlignedBuffer(floats), AlignedBuffer(halves))
        #expect(a.count == count && b.count == count)
        #expect(Int(bitPattern: a.base) % 64 == 0 && Int(bitPattern: b.base) % 64 == 0)
        #expect((0..<count).map { a[$0] } == floats)
        #expect((0..<count).map { b[$0] } == halves)
    }

    @Test("quantiles interpolate between the two nearest ranks, as numpy's default does")
    func quantiles() {
        // numpy.quantile([1, 2, 3, 4], [0, 0.5, 0.9, 1]) = 1, 2.5, 3.7, 4; ([0, 10, 20], 0.25) = 5.
        #expect(quantile(ofSorted: [1, 2, 3, 4], 0) == 1 && quantile(ofSorted: [1, 2, 3, 4], 1) == 4)
        #expect(quantile(ofSorted: [1, 2, 3, 4], 0.5) == 2.5 && quantile(ofSorted: [0, 10, 20], 0.25) == 5)
        #expect(abs(quantile(ofSorted: [1, 2, 3, 4], 0.9) - 3.7) < 1e-12)
        #expect(quantile(ofSorted: [5], 0.3) == 5)
        // Equal infinite neighbours give themselves, not ∞ − ∞.
        #expect(quantile(ofSorted: [1, .infinity, .infinity], 0.75) == .infinity)
    }
}

@Suite("Heap sort")
struct HeapSortTests {
    @Test("heapSort gives the standard sort's order under a total order, for every length up to 200")
    func matchesSort() {
        var random = SeededRandom(seed: 7)
        for n in 0...200 {
            // Scores with many ties, broken by a unique brand: a total order, as the ranking uses.
            let entries = (0..<n).map { (brand: Int32($0), score: Float(random.below(8))) }.shuffled(using: &random)
            let order = { (a: (brand: Int32, score: Float), b: (brand: Int32, score: Float)) in (a.score, -a.brand) > (b.score, -b.brand) }
            var sorted = entries
            sorted.heapSort(by: order)
            #expect(sorted.map(\.brand) == entries.sorted(by: order).map(\.brand), "length \(n)")
            var values = entries.map(\.score)
            values.heapSort()
            #expect(values == entries.map(\.score).sorted(), "length \(n), equal elements")
        }
    }
}

/// The fused row kernels against naive loops, on the specialised (16, 32, 64, 128) and generic
/// (13) widths.
@Suite("Sparse row kernels")
struct SparseRowKernelTests {
    @Test("rank-1 update, scaled gather and loss match naive loops", arguments: [64, 13, 16, 32, 128])
    func kernels(factors f: Int) {
        var random = SeededRandom(seed: UInt64(f))
        let rows = 40
        let y = (0..<rows * f).map { _ in Float(random.unit() - 0.5) }
        let v = (0..<f).map { _ in Float(random.unit() - 0.5) }
        let columns: [Int32] = (0..<17).map { _ in Int32(random.below(rows)) }
        let confidences = columns.map { _ in Float(1 + random.below(20)) }
        func dot(_ r: Int32, _ x: [Float]) -> Float { (0..<f).reduce(0) { $0 + y[Int(r) * f + $1] * x[$1] } }

        var out = [Float](repeating: 0.25, count: f)
        var expected = out
        for (k, r) in columns.enumerated() {
            let c = confidences[k]
            let coef = 2 * c + (-1 * c + 3) * dot(r, v)
            for i in 0..<f { expected[i] += coef * y[Int(r) * f + i] }
        }
        y.withUnsafeBufferPointer { y in
            v.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { out in
                    SparseRowKernels.rank1Update(
                        factors: f, count: columns.count, columns: columns, confidences: confidences,
                        fixed: y.baseAddress!, vector: v.baseAddress!, into: out.baseAddress!, s0: 2, s1: -1, s2: 3)
                }
            }
        }
        LinearAlgebraTests.expectClose(out, expected, tolerance: 1e-4)
        // The kernel works through a row in groups of nonzeros, but each nonzero's arithmetic and
        // the order of the additions are those of one nonzero at a time: the same bits (CG's
        // factors must not depend on how a row is split).
        var oneByOne = [Float](repeating: 0.25, count: f)
        y.withUnsafeBufferPointer { y in
            v.withUnsafeBufferPointer { v in
                columns.withUnsafeBufferPointer { columns in
                    confidences.withUnsafeBufferPointer { confidences in
                        oneByOne.withUnsafeMutableBufferPointer { out in
                            for k in columns.indices {
                                SparseRowKernels.rank1Update(
                                    factors: f, count: 1, columns: columns.baseAddress! + k,
                                    confidences: confidences.baseAddress! + k, fixed: y.baseAddress!, vector: v.baseAddress!,
                                    into: out.baseAddress!, s0: 2, s1: -1, s2: 3)
                            }
                        }
                    }
                }
            }
        }
        #expect(out == oneByOne)

        var gathered = [Float](repeating: 0, count: columns.count * f)
        var b = [Float](repeating: 0, count: f)
        var expectedB = b
        var expectedGathered = gathered
        for (k, r) in columns.enumerated() {
            for i in 0..<f {
                expectedGathered[k * f + i] = (confidences[k] - 1).squareRoot() * y[Int(r) * f + i]
                expectedB[i] += confidences[k] * y[Int(r) * f + i]
            }
        }
        var loss = 0.0
        y.withUnsafeBufferPointer { y in
            gathered.withUnsafeMutableBufferPointer { g in
                b.withUnsafeMutableBufferPointer { b in
                    SparseRowKernels.gatherScaled(
                        factors: f, count: columns.count, columns: columns, confidences: confidences,
                        fixed: y.baseAddress!, gathered: g.baseAddress!, b: b.baseAddress!)
                }
            }
            v.withUnsafeBufferPointer { v in
                loss = SparseRowKernels.loss(
                    factors: f, count: columns.count, columns: columns, confidences: confidences,
                    fixed: y.baseAddress!, x: v.baseAddress!)
            }
        }
        LinearAlgebraTests.expectClose(gathered, expectedGathered)
        LinearAlgebraTests.expectClose(b, expectedB)
        let expectedLoss = columns.enumerated().reduce(0.0) { sum, item in
            let t = Double(dot(item.element, v))
            return sum + Double(confidences[item.offset]) * (1 - t) * (1 - t) - t * t
        }
        #expect(loss.isApproximatelyEqual(to: expectedLoss, relativeTolerance: 1e-4))
    }

    /// CG's factors must not depend on which of this machine's paths ran: the AVX-512 rank-1
    /// update gives the AVX2 one's bits. Rows of 1, 15, 16, 17 and 100 nonzeros cover partial
    /// groups of 16 and the prefetch 32 ahead.
    @Test(
        "the AVX-512 rank-1 update gives the AVX2 path's bits",
        .enabled(if: InstructionSet.current >= .avx512, "needs a CPU with AVX-512"),
        arguments: [16, 32, 64, 128])
    func avx512MatchesAVX2(factors f: Int) {
        var random = SeededRandom(seed: UInt64(100 + f))
        let rows = 300
        let y = (0..<rows * f).map { _ in Float(random.unit() - 0.5) }
        let v = (0..<f).map { _ in Float(random.unit() - 0.5) }
        for count in [1, 15, 16, 17, 100] {
            let columns: [Int32] = (0..<count).map { _ in Int32(random.below(rows)) }
            let confidences = columns.map { _ in Float(1 + random.below(20)) }
            func update(on set: InstructionSet) -> [Float] {
                var out = (0..<f).map { Float($0) / 7 }
                let done = out.withUnsafeMutableBufferPointer { out in
                    SparseRowKernels.rank1Update(
                        on: set, factors: f, count: count, columns: columns, confidences: confidences, fixed: y,
                        vector: v, into: out.baseAddress!, s0: 0.5, s1: -0.25, s2: 3)
                }
                #expect(done)
                return out
            }
            let wide = update(on: .avx512)
            #expect(wide.map(\.bitPattern) == update(on: .avx2).map(\.bitPattern), "\(f) factors, \(count) nonzeros")
            #expect(wide != update(on: .portable) || count == 1, "the portable path adds in another order")
        }
    }

    /// The exact solver's Gram correction: the kernel's sizes (16, 32, 64, and 128 with AVX-512)
    /// and one it leaves to `ssyrk` (24), against sums in Double, on the upper triangle
    /// (row-major) that the Cholesky kernels read.
    @Test("addGram adds GᵀG to the upper triangle, kernel or ssyrk", arguments: [16, 32, 64, 24, 128])
    func addGram(factors f: Int) {
        for count in [0, 1, 7, 130] {
            let g = LinearAlgebraTests.random(count, f, seed: UInt64(f * 1000 + count))
            let start = LinearAlgebraTests.random(f, f, seed: UInt64(f))
            var matrix = start.storage
            matrix.withUnsafeMutableBufferPointer {
                SparseRowKernels.addGram(factors: f, count: count, gathered: g.storage, into: $0.baseAddress!)
            }
            for i in 0..<f {
                for j in i..<f {
                    let sum = (0..<count).reduce(Double(start[i, j])) { $0 + Double(g[$1, i]) * Double(g[$1, j]) }
                    #expect(
                        Double(matrix[i * f + j]).isApproximatelyEqual(to: sum, absoluteTolerance: 1e-4, relativeTolerance: 1e-5),
                        "\(f) factors, \(count) rows, [\(i), \(j)]")
                }
            }
        }
    }

    /// The first tile of a row starts from `YᵀY + λI` in the kernel instead of a copy: the same
    /// bits as copying, adding λ and updating, on every path this machine has, whatever the
    /// output held before (NaN here), and with no rows at all (a row without nonzeros).
    @Test("setGram gives the bits of copy, add λ, addGram", arguments: [16, 32, 64, 24, 128])
    func setGram(factors f: Int) {
        let upper = { (m: [Float]) in (0..<f).flatMap { i in (i..<f).map { m[i * f + $0].bitPattern } } }
        let differing = { (a: [UInt32], b: [UInt32]) in zip(a, b).count { $0 != $1 } }
        for count in [0, 1, 7, 130] {
            let g = LinearAlgebraTests.random(count, f, seed: UInt64(f * 100 + count))
            let base = LinearAlgebraTests.random(f, f, seed: UInt64(f) + 800).storage
            let lambda: Float = 0.37
            func expected(on set: InstructionSet?) -> [UInt32] {
                var m = base
                for d in 0..<f { m[d * f + d] += lambda }
                m.withUnsafeMutableBufferPointer {
                    if let set {
                        _ = SparseRowKernels.addGram(on: set, factors: f, count: count, gathered: g.storage, into: $0.baseAddress!)
                    } else {
                        SparseRowKernels.addGram(factors: f, count: count, gathered: g.storage, into: $0.baseAddress!)
                    }
                }
                return upper(m)
            }
            var matrix = [Float](repeating: .nan, count: f * f)
            matrix.withUnsafeMutableBufferPointer {
                SparseRowKernels.setGram(
                    factors: f, count: count, gathered: g.storage, base: base, regularization: lambda,
                    into: $0.baseAddress!)
            }
            #expect(differing(upper(matrix), expected(on: nil)) == 0, "\(f) factors, \(count) rows")
            for set in [InstructionSet.avx2, .avx512] where set <= .current {
                var matrix = [Float](repeating: .nan, count: f * f)
                let done = matrix.withUnsafeMutableBufferPointer {
                    SparseRowKernels.setGram(
                        on: set, factors: f, count: count, gathered: g.storage, base: base, regularization: lambda,
                        into: $0.baseAddress!)
                }
                #expect(done == ([16, 32, 64].contains(f) || (f == 128 && set == .avx512)), "\(set) has a kernel for \(f) factors")
                if done { #expect(differing(upper(matrix), expected(on: set)) == 0, "\(set), \(f) factors, \(count) rows") }
            }
        }
    }

    /// The exact solver's gather keeps `b` in registers at 16, 32 and 64 factors: each element
    /// gets the same multiply and FMA on every vector path, whatever their width, and there the
    /// bits of `√max(c − 1, 0) · y` and of fused multiply-adds into `b` in order.
    @Test("the gather gives the same bits on every vector path", arguments: [16, 32, 64, 13])
    func gatherPaths(factors f: Int) {
        var random = SeededRandom(seed: UInt64(f) + 900)
        let rows = 50
        let y = (0..<rows * f).map { _ in Float(random.unit() - 0.5) }
        let columns: [Int32] = (0..<37).map { _ in Int32(random.below(rows)) }
        let confidences = columns.map { _ in Float(1 + random.below(20)) + 0.3 }
        let start = (0..<f).map { _ in Float(random.unit()) }
        func run(on set: InstructionSet) -> (gathered: [UInt32], b: [UInt32])? {
            var gathered = [Float](repeating: 0, count: columns.count * f)
            var b = start
            let done = gathered.withUnsafeMutableBufferPointer { g in
                b.withUnsafeMutableBufferPointer { b in
                    SparseRowKernels.gatherScaled(
                        on: set, factors: f, count: columns.count, columns: columns, confidences: confidences, fixed: y,
                        gathered: g.baseAddress!, b: b.baseAddress!)
                }
            }
            return done ? (gathered.map(\.bitPattern), b.map(\.bitPattern)) : nil
        }
        let paths = [InstructionSet.avx2, .avx512].filter { $0 <= .current }.compactMap { run(on: $0) }
        for path in paths.dropFirst() {
            #expect(path.gathered == paths[0].gathered)
            #expect(path.b == paths[0].b)
        }
        guard f % 8 == 0 else { return }  // the generic kernel's tail may round apart
        var b = start
        var gathered = [Float]()
        for (column, c) in zip(columns, confidences) {
            let w = (c > 1 ? c - 1 : 0).squareRoot()
            for i in 0..<f {
                let y = y[Int(column) * f + i]
                gathered.append(w * y)
                b[i].addProduct(c, y)
            }
        }
        for path in paths {
            #expect(path.gathered == gathered.map(\.bitPattern), "\(f) factors")
            #expect(path.b == b.map(\.bitPattern), "\(f) factors")
        }
    }

    /// Each element of the Gram correction is one FMA chain in the same order on either path.
    @Test(
        "the AVX-512 Gram update gives the AVX2 path's bits",
        .enabled(if: InstructionSet.current >= .avx512, "needs a CPU with AVX-512"), arguments: [16, 32, 64])
    func addGramAVX512MatchesAVX2(factors f: Int) {
        let g = LinearAlgebraTests.random(300, f, seed: UInt64(f) + 600)
        let start = LinearAlgebraTests.random(f, f, seed: UInt64(f) + 700).storage
        func run(on set: InstructionSet) -> [UInt32] {
            var matrix = start
            let done = matrix.withUnsafeMutableBufferPointer {
                SparseRowKernels.addGram(on: set, factors: f, count: 300, gathered: g.storage, into: $0.baseAddress!)
            }
            #expect(done)
            return (0..<f).flatMap { i in (i..<f).map { matrix[i * f + $0].bitPattern } }  // the upper triangle, row-major
        }
        #expect(run(on: .avx512) == run(on: .avx2))
    }

    @Test(
        "a path wider than the machine's is refused and leaves the output alone",
        .enabled(if: InstructionSet.current < .avx512, "no wider path than this machine's"))
    func widerPathRefused() throws {
        let wider = try #require(InstructionSet(rawValue: InstructionSet.current.rawValue + 1))
        var out: [Float] = [1, 2, 3, 4]
        let done = out.withUnsafeMutableBufferPointer { out in
            SparseRowKernels.rank1Update(
                on: wider, factors: 4, count: 1, columns: [0], confidences: [2], fixed: [1, 1, 1, 1], vector: [1, 1, 1, 1],
                into: out.baseAddress!, s0: 1, s1: 1, s2: 1)
        }
        #expect(!done)
        #expect(out == [1, 2, 3, 4])
    }
}

/// Counts how often each part ran, from any thread.
private final class PartCounter: @unchecked Sendable {
    // Rule: every access holds `lock`.
    private let lock = NSLock()
    private var storage: [Int]

    init(parts: Int) { storage = [Int](repeating: 0, count: parts) }

    func add(_ part: Int) {
        lock.lock()
        storage[part] += 1
        lock.unlock()
    }

    var counts: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// The C kernels as another CPU's build sees them: without their x86 paths, only the portable
/// code is compiled, and nothing on this machine's build would notice if it stopped compiling.
@Suite("C kernels")
struct KernelSourceTests {
    @Test("every kernel file compiles without warnings, with its x86 paths and without (VENUE_NO_SIMD)", arguments: [false, true])
    func compiles(portableOnly: Bool) throws {
        // The `clang` beside the Swift toolchain's tools (SwiftPM compiles C targets with it).
        let clang = try #require(TestSupport.executableOnPath("clang"), "no clang on PATH")
        let folder = TestSupport.packageRoot.appendingPathComponent("Sources/CVenueKernels")
        let sources = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".c") }.sorted()
        #expect(sources.count >= 4)
        for source in sources {
            let result = try TestSupport.run(
                clang,
                ["-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-I", "include", source] + (portableOnly ? ["-DVENUE_NO_SIMD"] : []),
                in: folder.path)
            #expect(result.status == 0, "\(source): \(result.err)")
        }
    }
}
