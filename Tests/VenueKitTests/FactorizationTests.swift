import Foundation
import Numerics
import Testing
import VenueKit

@testable import VenueFactorization

/// A tiny random implicit-feedback problem.
struct TinyProblem {
    let matrix: InteractionMatrix

    /// With `emptyShopper`, one more shopper, the first, whose only event has strength 0, so its
    /// row of the matrix has no nonzeros; with `emptyBrand`, likewise one more brand, "lonely".
    init(
        shoppers: Int = 30, brands: Int = 20, density: Double = 0.25, seed: UInt64 = 5, emptyShopper: Bool = false,
        emptyBrand: Bool = false
    ) {
        var random = SeededRandom(seed: seed)
        var log = EventLog()
        if emptyShopper { log.append(shopper: "empty", brand: "b0", kind: .weight, value: 0) }
        if emptyBrand { log.append(shopper: "u0", brand: "lonely", kind: .weight, value: 0) }
        for u in 0..<shoppers {
            for b in 0..<brands where random.unit() < density {
                log.append(shopper: "u\(u)", brand: "b\(b)", kind: .weight, value: Float(1 + random.below(5)))
            }
        }
        // Every brand and shopper appears at least once.
        for b in 0..<brands { log.append(shopper: "u\(b % shoppers)", brand: "b\(b)", kind: .weight, value: 1) }
        for u in 0..<shoppers { log.append(shopper: "u\(u)", brand: "b\(u % brands)", kind: .weight, value: 1) }
        matrix = InteractionMatrix(log: log)
    }
}

@Suite("Implicit ALS")
struct FactorizationTests {
    static func configuration(_ solver: ALSConfiguration.Solver, factors: Int = 8, iterations: Int = 10, threads: Int = 1)
        -> ALSConfiguration
    {
        var c = ALSConfiguration()
        c.factors = factors
        c.iterations = iterations
        c.regularization = 0.1
        c.confidence = .linear(alpha: 2)
        c.solver = solver
        c.threads = threads
        c.seed = 3
        return c
    }

    /// 8 factors go to LAPACK's `spotrf`, 16 and 32 to the AVX2 Cholesky kernel. The first
    /// shopper has no nonzeros: its system is `YᵀY + λI` alone (the solver's matrix holds nothing
    /// else yet), and its factors must come out zero.
    @Test(
        "one exact half-step equals the dense normal-equation solution, λ scaled by each row's count to the ν",
        arguments: [(8, 0), (16, 0), (32, 0), (8, 0.5), (16, 1)] as [(Int, Double)])
    func exactHalfStepKnownAnswer(factors: Int, exponent: Double) throws {
        // With ν, a sparser problem: rows of one interaction (λ·1^ν) beside longer ones.
        let problem = TinyProblem(density: exponent == 0 ? 0.25 : 0.05, emptyShopper: true)
        #expect(problem.matrix.byShopper.range(ofRow: 0).isEmpty, "the first row is empty")
        let counts = (0..<problem.matrix.shopperCount).map { problem.matrix.byShopper.range(ofRow: $0).count }
        if exponent != 0 { #expect(counts.contains(1) && counts.contains { $0 > 2 }) }
        var c = Self.configuration(.exact, factors: factors)
        c.regularizationExponent = Float(exponent)
        let als = ImplicitALS(c)
        let f = c.factors
        let shoppers = ImplicitALS.initialFactors(rows: problem.matrix.shopperCount, factors: f, seed: 1)
        let brands = ImplicitALS.initialFactors(rows: problem.matrix.brandCount, factors: f, seed: 2)
        let y = brands.matrix()
        try als.halfStep(
            solve: shoppers, fixed: brands, gram: ImplicitALS.gram(brands), rows: ConfidenceRows(problem.matrix.byShopper, c.confidence))
        let solved = shoppers.matrix()
        // Dense: for every shopper, (Yᵀ C_u Y + λI) x = Yᵀ C_u p_u over all brands, in Double.
        let m = problem.matrix.byShopper
        for u in 0..<m.rows {
            var a = [Double](repeating: 0, count: f * f)
            var b = [Double](repeating: 0, count: f)
            for brand in 0..<m.columns {
                let r = m[u, brand]
                let conf = r > 0 ? Double(c.confidence(r)) : 1
                let p: Double = r > 0 ? 1 : 0
                for i in 0..<f {
                    b[i] += conf * p * Double(y[brand, i])
                    for j in 0..<f { a[i * f + j] += conf * Double(y[brand, i]) * Double(y[brand, j]) }
                }
            }
            let lambda = Double(c.regularization) * pow(Double(max(counts[u], 1)), exponent)
            for i in 0..<f { a[i * f + i] += lambda }
            let x = Self.gaussianSolve(a, b, n: f)
            for i in 0..<f {
                #expect(Double(solved[u, i]).isApproximatelyEqual(to: x[i], absoluteTolerance: 1e-4), "shopper \(u), factor \(i)")
            }
        }
    }

    static func gaussianSolve(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        var a = a, b = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0 * n + col]) < abs(a[$1 * n + col]) }!
            if pivot != col {
                for j in 0..<n { a.swapAt(col * n + j, pivot * n + j) }
                b.swapAt(col, pivot)
            }
            for row in col + 1..<n {
                let factor = a[row * n + col] / a[col * n + col]
                for j in col..<n { a[row * n + j] -= factor * a[col * n + j] }
                b[row] -= factor * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for j in row + 1..<n { sum -= a[row * n + j] * x[j] }
            x[row] = sum / a[row * n + row]
        }
        return x
    }

    @Test("the exact solver's loss never increases", arguments: [8, 16])
    func exactLossMonotone(factors: Int) throws {
        var losses: [Double] = []
        _ = try ImplicitALS(Self.configuration(.exact, factors: factors, iterations: 12)).train(TinyProblem().matrix) {
            losses.append($0.loss)
        }
        #expect(losses.count == 12)
        for (before, after) in zip(losses, losses.dropFirst()) {
            #expect(after <= before * (1 + 1e-6), "loss rose from \(before) to \(after)")
        }
    }

    @Test("the loss matches a dense evaluation of the objective")
    func lossKnownAnswer() throws {
        let problem = TinyProblem()
        let c = Self.configuration(.exact, iterations: 3)
        var reported = 0.0
        let model = try ImplicitALS(c).train(problem.matrix) { reported = $0.loss }
        let m = problem.matrix.byShopper
        var dense = 0.0
        for u in 0..<m.rows {
            for b in 0..<m.columns {
                let r = m[u, b]
                var s = 0.0
                for i in 0..<c.factors { s += Double(model.shopperFactors[u, i]) * Double(model.brandFactors[b, i]) }
                let conf = r > 0 ? Double(c.confidence(r)) : 1
                dense += conf * ((r > 0 ? 1 : 0) - s) * ((r > 0 ? 1 : 0) - s)
            }
        }
        dense +=
            Double(c.regularization)
            * (model.shopperFactors.storage + model.brandFactors.storage).reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(reported.isApproximatelyEqual(to: dense, relativeTolerance: 1e-4))
    }

    @Test("CG with enough steps converges to the exact solver's factors")
    func cgConvergesToExact() throws {
        let problem = TinyProblem()
        let exact = try ImplicitALS(Self.configuration(.exact, iterations: 1)).train(problem.matrix)
        var cgConfiguration = Self.configuration(.cg, iterations: 1)
        cgConfiguration.cgSteps = 40
        let cg = try ImplicitALS(cgConfiguration).train(problem.matrix)
        for (a, b) in zip(exact.shopperFactors.storage + exact.brandFactors.storage, cg.shopperFactors.storage + cg.brandFactors.storage) {
            #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-3))
        }
    }

    @Test(
        "a shopper or brand without interactions gets exactly zero factors; a saved model can leave such shoppers out",
        arguments: [ALSConfiguration.Solver.cg, .exact])
    func rowsWithoutInteractionsAreZero(_ solver: ALSConfiguration.Solver) throws {
        let matrix = TinyProblem(emptyShopper: true, emptyBrand: true).matrix
        let (emptyShopper, lonelyBrand) = (matrix.shopperIDs.index(of: "empty")!, matrix.brandIDs.index(of: "lonely")!)
        #expect(matrix.byShopper.count(ofRow: emptyShopper) == 0 && matrix.byBrand.count(ofRow: lonelyBrand) == 0)
        let model = try ImplicitALS(Self.configuration(solver, iterations: 3)).train(matrix)
        #expect(model.shopperFactors.row(emptyShopper).allSatisfy { $0 == 0 })
        #expect(model.brandFactors.row(lonelyBrand).allSatisfy { $0 == 0 })
        #expect((0..<matrix.shopperCount).filter { $0 != emptyShopper }.allSatisfy { model.shopperFactors.row($0).contains { $0 != 0 } })

        let kept = model.droppingShoppersWithoutInteractions(in: matrix)
        let others = (0..<matrix.shopperCount).filter { $0 != emptyShopper }
        #expect(kept.shopperIDs.ids == others.map { model.shopperIDs[$0] })
        #expect(kept.shopperFactors.storage == others.flatMap { model.shopperFactors.row($0) })
        #expect(kept.brandIDs == model.brandIDs && kept.brandFactors.storage == model.brandFactors.storage)
        let full = TinyProblem()
        let trained = try ImplicitALS(Self.configuration(solver, iterations: 1)).train(full.matrix)
        #expect(trained.droppingShoppersWithoutInteractions(in: full.matrix).shopperIDs == trained.shopperIDs, "nothing to drop")
    }

    @Test("the same seed gives bit-identical factors on 1, 2 and 3 threads", arguments: [ALSConfiguration.Solver.cg, .exact])
    func deterministicAcrossThreads(_ solver: ALSConfiguration.Solver) throws {
        let problem = TinyProblem(shoppers: 400, brands: 60, density: 0.1)
        let models = try [1, 2, 3].map { threads in
            try ImplicitALS(Self.configuration(solver, iterations: 3, threads: threads)).train(problem.matrix)
        }
        let factors = models.map { $0.shopperFactors.storage + $0.brandFactors.storage }
        #expect(factors[0] == factors[1], "1 vs 2 threads")
        #expect(factors[0] == factors[2], "1 vs 3 threads")
        var other = Self.configuration(solver, iterations: 3)
        other.seed = 4
        let reseeded = try ImplicitALS(other).train(problem.matrix)
        #expect(reseeded.shopperFactors.storage != models[0].shopperFactors.storage)
    }

    @Test("settings out of range are refused before training, each named, and so is a model too large for memory")
    func invalidConfigurations() throws {
        let matrix = TinyProblem().matrix
        func problem(_ change: (inout ALSConfiguration) -> Void) -> String? {
            var c = Self.configuration(.cg, iterations: 1)
            change(&c)
            do {
                _ = try ImplicitALS(c).train(matrix)
                return nil
            } catch {
                guard case .invalidConfiguration(let message) = error else { return "unexpected \(error)" }
                return message
            }
        }
        #expect(problem { _ in } == nil)
        #expect(problem { $0.factors = 0 } == "factors must be positive, not 0")
        #expect(problem { $0.iterations = -1 } == "iterations must not be negative, not -1")
        #expect(problem { $0.regularization = .nan }?.hasPrefix("regularization (λ) must be finite") == true)
        #expect(problem { $0.confidence = .linear(alpha: -1) } == "α must be finite and not negative, not -1.0")
        #expect(problem { $0.confidence = .linear(alpha: .infinity) } == "α must be finite and not negative, not inf")
        #expect(
            problem { $0.confidence = .logarithmic(alpha: 1, epsilon: 0) } == "ε of the log confidence must be finite and positive, not 0.0"
        )
        #expect(
            problem {
                $0.threads = 0; $0.cgSteps = 0
            } == "CG steps must be positive, not 0; threads must be positive, not 0")
        // A million factors need 4 TB per Gram matrix: refused with the sizes, not a failed allocation.
        let huge = try #require(problem { $0.factors = 1_000_000 })
        #expect(
            huge.hasPrefix("1000000 factors need at least ")
                && huge.contains("for 30 shoppers × 20 brands on 1 threads, more than this machine's"))
    }

    /// Exact at 8 factors goes through LAPACK, at 16 through the AVX2 Cholesky kernel.
    @Test(
        "NaN stops training with the iteration, side and row",
        arguments: [(ALSConfiguration.Solver.cg, 8), (.exact, 8), (.exact, 16)])
    func nonFiniteIsReported(_ solver: ALSConfiguration.Solver, factors: Int) {
        var c = Self.configuration(solver, factors: factors, iterations: 2)
        // A finite α that overflows the confidences of strengths above 1 to infinity.
        c.confidence = .linear(alpha: .greatestFiniteMagnitude)
        do {
            _ = try ImplicitALS(c).train(TinyProblem().matrix)
            Issue.record("training with infinite confidence did not fail")
        } catch {
            guard case .nonFinite(let iteration, let side, let row, let id) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(iteration == 1 && side == .shopper && row == 0 && id == "u0")
            #expect(error.description.contains("iteration 1") && error.description.contains("u0"))
        }
    }

    @Test("fold-in of a trained shopper's own row reproduces the exact half-step")
    func foldIn() throws {
        let problem = TinyProblem()
        let model = try ImplicitALS(Self.configuration(.exact, iterations: 4)).train(problem.matrix)
        // After the last iteration the brand side moved, so re-solve shopper 3 against the final brands.
        let m = problem.matrix.byShopper
        let range = m.range(ofRow: 3)
        var foldIn = FoldIn(model: model)
        let x = try foldIn.factors(brands: Array(m.columnIndices[range]), strengths: Array(m.values[range]))
        let shoppers = SharedRows(model.shopperFactors)
        let c = model.configuration
        let brands = SharedRows(model.brandFactors)
        try ImplicitALS(c).halfStep(solve: shoppers, fixed: brands, gram: ImplicitALS.gram(brands), rows: ConfidenceRows(m, c.confidence))
        for i in 0..<c.factors { #expect(x[i].isApproximatelyEqual(to: shoppers.row(3)[i], absoluteTolerance: 1e-5)) }
        // A new shopper who favourited two brands scores them highly.
        let fresh = try foldIn.factors(events: [("b1", .favorite, 1), ("b2", .favorite, 1), ("unknown", .click, 1)])
        let ranker = BrandRanker(brands: BrandTable(model.brandFactors))
        var workspace = ranker.makeWorkspace(blockSize: 1)
        var ranked = RankedBrands()
        ranker.rank(5, factors: fresh, shopper: nil, workspace: &workspace, into: &ranked)
        let top = ranked.brands.map { model.brandIDs[Int($0)] }
        #expect(top.contains("b1") && top.contains("b2"))
    }

    @Test("fold-in into a reused buffer gives the same bits; repeated brands are summed in order")
    func foldInReused() throws {
        let model = try ImplicitALS(Self.configuration(.exact, iterations: 2)).train(TinyProblem().matrix)
        var foldIn = FoldIn(model: model)
        let brands: [Int32] = [4, 1, 4, 0, 4]
        let strengths: [Float] = [1e8, 2, -1e8, 3, 1]
        let expected = try foldIn.factors(brands: brands, strengths: strengths)
        #expect(expected.count == model.factors && expected.contains { $0 != 0 })
        // The same row given summed and sorted, from a separate fold-in. In input order brand 4
        // sums to 1e8 − 1e8 + 1 = 1; from the end, 1 − 1e8 rounds to −1e8 and the sum is 0.
        var other = FoldIn(model: model)
        let summed = try other.factors(brands: [0, 1, 4], strengths: [3, 2, 1])
        #expect(summed.map(\.bitPattern) == expected.map(\.bitPattern))
        // A buffer holding more values than the factors, and a fold-in that has seen a longer row.
        var x = [Float](repeating: .nan, count: 3 * model.factors)
        _ = try foldIn.factors(brands: Array(0..<Int32(model.brandIDs.count)), strengths: .init(repeating: 1, count: model.brandIDs.count))
        try foldIn.factors(brands: brands, strengths: strengths, into: &x)
        #expect(x.map(\.bitPattern) == expected.map(\.bitPattern))
        let events: [(brand: String, kind: EventKind, count: Float)] = [("b1", .favorite, 1), ("nope", .click, 2), ("b0", .click, 3)]
        let fromEvents = try foldIn.factors(events: events)
        try foldIn.factors(events: events, into: &x)
        #expect(x.map(\.bitPattern) == fromEvents.map(\.bitPattern))
    }
}

@Suite("Model files")
struct ModelFileTests {
    static func model() throws -> FactorModel {
        var c = FactorizationTests.configuration(.cg, iterations: 2)
        c.confidence = .logarithmic(alpha: 3, epsilon: 0.5)
        var weighting = EventWeighting()
        weighting.halfLifeDays = 30
        var model = try ImplicitALS(c).train(TinyProblem().matrix, weighting: weighting)
        model.extensions["ranker"] = [1, 2, 3]
        return model
    }

    @Test("round trip: write, read, equal")
    func roundTrip() throws {
        let model = try Self.model()
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let path = folder + "/m.venue"
        try ModelFile.write(model, to: path)
        let loaded = try ModelFile.read(path: path)
        var expected = model
        expected.configuration.threads = ALSConfiguration().threads  // not stored
        #expect(loaded == expected, "the loaded model differs")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["m.venue"], "no temporary file left behind")
    }

    /// The bytes `ModelFile.write` writes for `model`.
    static func written(_ model: FactorModel) throws -> [UInt8] {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        try ModelFile.write(model, to: folder + "/m.venue")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/m.venue")))
    }

    @Test("the same model trained on 1 and 3 threads is the same file, byte for byte")
    func threadCountLeavesNoTrace() throws {
        let files = try [1, 3].map { threads in
            try Self.written(
                ImplicitALS(FactorizationTests.configuration(.cg, iterations: 2, threads: threads)).train(TinyProblem().matrix))
        }
        #expect(files[0] == files[1])
    }

    @Test("the checksum, added in pieces of any size as the file is streamed, is the format's: words mixed, tail bytes folded")
    func checksumInPieces() throws {
        /// The format's definition, word by word over the whole buffer.
        func definition(_ bytes: [UInt8]) -> UInt64 {
            var h: UInt64 = 0x243f_6a88_85a3_08d3 ^ UInt64(bytes.count)
            let words = bytes.count / 8
            for i in 0..<words {
                let w = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i * 8 + $1]) << UInt64(8 * $1) }
                h = (h ^ w) &* 0x9e37_79b9_7f4a_7c15
                h = (h << 31) | (h >> 33)
            }
            for byte in bytes[(words * 8)...] { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
            h ^= h >> 29
            return h &* 0xbf58_476d_1ce4_e5b9
        }
        var random = SeededRandom(seed: 5)
        for count in 0...41 {
            let bytes = (0..<count).map { _ in UInt8(random.below(256)) }
            let expected = definition(bytes)
            #expect(bytes.withUnsafeBytes { WordChecksum.of($0) } == expected, "\(count) bytes at once")
            // Every split in two, and pieces of 1, 3 and 5 bytes.
            var splits = (0...count).map { [0, $0, count] }
            for step in [1, 3, 5] { splits.append(Array(stride(from: 0, to: count, by: step)) + [count]) }
            for bounds in splits {
                var checksum = WordChecksum(count: count)
                for (from, to) in zip(bounds, bounds.dropFirst()) {
                    bytes[from..<to].withUnsafeBytes { checksum.add($0) }
                }
                #expect(checksum.value == expected, "\(count) bytes in pieces at \(bounds)")
            }
        }
    }

    @Test("truncated, corrupt, wrong-version and foreign files give clear errors")
    func damage() throws {
        let bytes = try Self.written(Self.model())
        for cut in [0, 4, 12, 30, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ModelFileError.self) { try ModelFile.read(Array(bytes[0..<cut]), path: "m") }
        }
        #expect(throws: ModelFileError.truncated(file: "m", expectedBytes: bytes.count, foundBytes: bytes.count - 1)) {
            try ModelFile.read(Array(bytes.dropLast()), path: "m")
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: ModelFileError.corrupt(file: "m", reason: "checksum mismatch")) { try ModelFile.read(flipped, path: "m") }
        var version = bytes
        version[8] = 9
        #expect(throws: ModelFileError.unsupportedVersion(file: "m", found: 9, supported: 1)) { try ModelFile.read(version, path: "m") }
        #expect(throws: ModelFileError.notAModel(file: "m")) { try ModelFile.read(Array("user,item,weight\n".utf8), path: "m") }
        // Every single-byte corruption is caught, none crashes.
        for i in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
            var damaged = bytes
            damaged[i] ^= 0xFF
            #expect(throws: ModelFileError.self) { try ModelFile.read(damaged, path: "m") }
        }
    }

    /// `bytes` with its size field and checksum made to match again, as a hand-made file would be.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(8))
        withUnsafeBytes(of: UInt64(body.count + 8).littleEndian) { body.replaceSubrange(16..<24, with: $0) }
        withUnsafeBytes(of: body.withUnsafeBytes { WordChecksum.of($0) }.littleEndian) { body.append(contentsOf: $0) }
        return body
    }

    /// The offset of section `tag`'s contents in `bytes` (after its tag and length).
    static func section(_ tag: String, in bytes: [UInt8]) -> Int {
        var offset = 24
        while String(decoding: bytes[offset..<offset + 4], as: UTF8.self) != tag {
            offset += 12 + Int(bytes[offset + 4..<offset + 12].withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        }
        return offset + 12
    }

    @Test("a damaged file whose checksum matches is refused, never trusted: sizes, factors, settings")
    func resealedDamage() throws {
        let bytes = try Self.written(Self.model())
        #expect(try ModelFile.read(Self.resealed(bytes), path: "m") == ModelFile.read(bytes, path: "m"))

        // Sizes past Int.max used to trap converting to Int.
        var total = bytes
        total.replaceSubrange(16..<24, with: repeatElement(0xFF, count: 8))
        #expect(throws: ModelFileError.corrupt(file: "m", reason: "implausible size 18446744073709551615 of the file")) {
            try ModelFile.read(total, path: "m")
        }
        var length = bytes
        let factors = Self.section("XFAC", in: bytes)
        length.replaceSubrange(factors - 8..<factors, with: repeatElement(0xFF, count: 8))
        #expect(throws: ModelFileError.corrupt(file: "m", reason: "implausible size 18446744073709551615 of section XFAC")) {
            try ModelFile.read(Self.resealed(length), path: "m")
        }
        var rows = bytes
        rows.replaceSubrange(factors..<factors + 8, with: [0, 0, 0, 0, 0, 0, 0, 0x80])
        rows.replaceSubrange(factors + 8..<factors + 16, with: repeatElement(0, count: 8))
        #expect(throws: ModelFileError.self) { try ModelFile.read(Self.resealed(rows), path: "m") }

        // Factors that are not finite would rank by NaN. Shopper 1's factor 2 (the model has 8).
        var nan = bytes
        let value = factors + 16 + 4 * (1 * 8 + 2)
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { nan.replaceSubrange(value..<value + 4, with: $0) }
        #expect(throws: ModelFileError.corrupt(file: "m", reason: "shopper 1, factor 2, is nan")) {
            try ModelFile.read(Self.resealed(nan), path: "m")
        }

        // Settings that disagree with the factors, or that training would refuse.
        let configuration = Self.section("CONF", in: bytes)
        let text = String(decoding: bytes[configuration..<Self.section("SIDS", in: bytes) - 12], as: UTF8.self)
        for (setting, reason) in [
            ("factors=3", "CONF says 3 factors, the factor matrices have 8"),
            ("alpha=nan", "CONF: α must be finite and not negative, not nan"),
            ("weight.click=-1", "CONF: the click weight must be finite and not negative, not -1.0"),
        ] {
            let key = setting.split(separator: "=")[0] + "="
            let lines = text.split(separator: "\n").filter { !$0.hasPrefix(key) } + [Substring(setting)]
            let changed = Array((lines.joined(separator: "\n") + "\n").utf8)
            var damaged = Array(bytes[0..<configuration - 8])
            withUnsafeBytes(of: UInt64(changed.count).littleEndian) { damaged.append(contentsOf: $0) }
            damaged += changed
            damaged += bytes[(configuration + text.utf8.count)...]
            #expect(throws: ModelFileError.corrupt(file: "m", reason: reason)) { try ModelFile.read(Self.resealed(damaged), path: "m") }
        }

        // Eight bytes of 0xFF anywhere past the header, resealed: an error or a model, never a trap.
        for offset in stride(from: 24, to: bytes.count - 16, by: 7) {
            var damaged = bytes
            damaged.replaceSubrange(offset..<offset + 8, with: repeatElement(0xFF, count: 8))
            _ = try? ModelFile.read(Self.resealed(damaged), path: "m")
        }
    }
}

@Suite("Ranking basics")
struct RankingBasicsTests {
    @Test("top-K matches sorting everything, ties by lower index")
    func topK() {
        var random = SeededRandom(seed: 9)
        let scores = (0..<500).map { _ in Float(random.below(50)) }
        var top = TopK(k: 20)
        for (i, s) in scores.enumerated() { top.insert(Int32(i), score: s) }
        let expected = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(20)
        #expect(top.sorted().map { Int($0.index) } == Array(expected))
        var small = TopK(k: 10)
        for i in 0..<3 { small.insert(Int32(i), score: 1) }
        #expect(small.sorted().map(\.index) == [0, 1, 2])
    }

    @Test("metrics on a hand-computed example")
    func metrics() {
        var m = RankingMetrics(k: 3)
        // Relevant {1, 4}: hits at positions 0 and 2 → recall 2/2, DCG 1 + 1/2, IDCG 1 + 1/log2(3).
        m.add(ranked: [1, 2, 4, 5], relevantCount: 2, isRelevant: { $0 == 1 || $0 == 4 })
        // Relevant {9}: no hit.
        m.add(ranked: [1, 2, 3], relevantCount: 1, isRelevant: { $0 == 9 })
        m.add(ranked: [1], relevantCount: 0, isRelevant: { _ in false })  // not counted
        #expect(m.shoppers == 2)
        #expect(m.recall.isApproximatelyEqual(to: 0.5))
        #expect(m.ndcg.isApproximatelyEqual(to: (1.5 / (1 + 1 / log2(3.0))) / 2))
        #expect(m.microPrecision.isApproximatelyEqual(to: 2.0 / 6) && m.microRecall.isApproximatelyEqual(to: 2.0 / 3))
    }
}
