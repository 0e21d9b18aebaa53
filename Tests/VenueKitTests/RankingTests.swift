import Foundation
import Testing
import VenueKit

/// A ranking problem with small integer factors, offsets and boosts, so every score is exact in
/// `Float` whatever the summation order, and ties are common.
private struct IntegerProblem {
    let brands: Int
    let factors: Int
    let brandFactors: Matrix
    let shopperFactors: Matrix
    let owned: SparseMatrix
    let boosts: SparseMatrix
    let eligible: BrandSet
    let offsets: [Float]

    init(brands: Int, shoppers: Int, factors: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        func small(_ r: inout SeededRandom) -> Float { Float(r.below(7) - 3) }
        self.brands = brands
        self.factors = factors
        brandFactors = Matrix(rows: brands, columns: factors, storage: (0..<brands * factors).map { _ in small(&random) })
        shopperFactors = Matrix(rows: shoppers, columns: factors, storage: (0..<shoppers * factors).map { _ in small(&random) })
        var rows: [Int32] = []
        var columns: [Int32] = []
        var boostRows: [Int32] = []
        var boostColumns: [Int32] = []
        var boostValues: [Float] = []
        for s in 0..<shoppers {
            for _ in 0..<random.below(12) {
                rows.append(Int32(s))
                columns.append(Int32(random.below(brands)))
            }
            for _ in 0..<random.below(4) {
                boostRows.append(Int32(s))
                boostColumns.append(Int32(random.below(brands)))
                boostValues.append(Float(random.below(5)))
            }
        }
        owned = SparseMatrix(
            rows: shoppers, columns: brands, rowIndices: rows, columnIndices: columns, values: [Float](repeating: 1, count: rows.count))
        boosts = SparseMatrix(rows: shoppers, columns: brands, rowIndices: boostRows, columnIndices: boostColumns, values: boostValues)
        eligible = BrandSet(capacity: brands, members: (0..<brands).filter { _ in random.unit() < 0.8 })
        offsets = (0..<brands).map { _ in Float(random.below(3)) }
    }

    /// Score everything, sort everything: the reference.
    func bruteForce(_ k: Int, shopper: Int, factors x: [Float], rules: RankingRules, useSignals: Bool) -> [(Int32, Float)] {
        var all: [(Int32, Float)] = []
        let owned = Set(self.owned.columnIndices[self.owned.range(ofRow: shopper)])
        for b in 0..<brands {
            if let eligible = rules.eligible, !eligible.contains(b) { continue }
            if useSignals, rules.excludeOwned, owned.contains(Int32(b)) { continue }
            var score: Float = 0
            for f in 0..<factors { score += x[f] * brandFactors[b, f] }
            score *= rules.factorWeight
            if useSignals { score += boosts[shopper, b] }
            score += rules.offsets?[b] ?? 0
            all.append((Int32(b), score))
        }
        all.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        return Array(all.prefix(k))
    }
}

private func pairs(_ ranked: RankedBrands) -> [(Int32, Float)] { Array(zip(ranked.brands, ranked.scores)) }
private func same(_ a: [(Int32, Float)], _ b: [(Int32, Float)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

@Suite("Ranking")
struct RankingTests {
    private static let ruleSets: [(String, Bool, Bool, Bool, Float)] = [
        // name, eligible, offsets, exclude owned, factor weight
        ("plain", false, false, false, 1), ("catalog", true, false, false, 1), ("offsets", false, true, false, 2),
        ("owned", false, false, true, 1), ("everything", true, true, true, 3),
    ]

    @Test(
        "single shopper matches brute force with filters, offsets, boosts and ties, with a workspace or without",
        arguments: [1, 7, 50, 400])
    func singleMatchesBruteForce(k: Int) {
        let problem = IntegerProblem(brands: 300, shoppers: 40, factors: 8, seed: 5)
        for (name, eligible, offsets, excludeOwned, weight) in Self.ruleSets {
            let rules = RankingRules(
                eligible: eligible ? problem.eligible : nil, offsets: offsets ? problem.offsets : nil, excludeOwned: excludeOwned,
                factorWeight: weight)
            let ranker = BrandRanker(
                brands: BrandTable(problem.brandFactors), rules: rules,
                signals: ShopperSignals(owned: problem.owned, boosts: problem.boosts))
            var workspace = ranker.makeWorkspace(blockSize: 1)
            var ranked = RankedBrands()
            for s in 0..<40 {
                let x = problem.shopperFactors.row(s)
                ranker.rank(k, factors: x, shopper: s, workspace: &workspace, into: &ranked)
                let expected = problem.bruteForce(k, shopper: s, factors: x, rules: rules, useSignals: true)
                #expect(same(pairs(ranked), expected), "rules \(name), shopper \(s), k \(k)")
                // The one-off form, with buffers of its own, gives the same list.
                #expect(ranker.rank(k, factors: x, shopper: s) == ranked, "rules \(name), shopper \(s), k \(k)")
            }
        }
    }

    @Test("blocks, all shoppers in parallel, and single shoppers agree", arguments: [1, 3])
    func blockPathMatchesSingle(threads: Int) {
        let problem = IntegerProblem(brands: 257, shoppers: 150, factors: 16, seed: 9)
        let rules = RankingRules(eligible: problem.eligible, offsets: problem.offsets, excludeOwned: true)
        let signals = ShopperSignals(owned: problem.owned, boosts: problem.boosts)
        for precision in BrandTable.Precision.allCases {
            let ranker = BrandRanker(brands: BrandTable(problem.brandFactors, precision: precision), rules: rules, signals: signals)
            var single = ranker.makeWorkspace(blockSize: 1)
            var blocks = ranker.makeWorkspace(blockSize: 32)
            var ranked = RankedBrands()
            var expected: [[(Int32, Float)]] = []
            for s in 0..<150 {
                ranker.rank(20, factors: problem.shopperFactors.row(s), shopper: s, workspace: &single, into: &ranked)
                expected.append(pairs(ranked))
                // Small integers are exact in half precision too.
                #expect(
                    same(
                        pairs(ranked),
                        problem.bruteForce(20, shopper: s, factors: problem.shopperFactors.row(s), rules: rules, useSignals: true)))
            }
            ranker.rankBlocks(20, shopperFactors: problem.shopperFactors, rows: 0..<150, workspace: &blocks) { s, ranked in
                #expect(same(pairs(ranked), expected[s]), "block path, shopper \(s)")
            }
            var seen = 0
            ranker.rankAll(20, shopperFactors: problem.shopperFactors, threads: threads, blockSize: 16, produce: { $0 }) { block in
                for s in block.shoppers {
                    #expect(s == seen, "blocks arrive in shopper order")
                    seen += 1
                    #expect(same(block[s].map { ($0.brand, $0.score) }, expected[s]))
                }
            }
            #expect(seen == 150)
        }
    }

    @Test("block scores (one sgemm per block) equal one-shopper scores on exact problems, both precisions")
    func blockScores() {
        let problem = IntegerProblem(brands: 3_000, shoppers: 20, factors: 8, seed: 17)
        for precision in BrandTable.Precision.allCases {
            let table = BrandTable(problem.brandFactors, precision: precision)
            var block = [Float](repeating: 0, count: 20 * 3_000)
            var widened: [Float] = []
            var row = [Float](repeating: 0, count: 3_000)
            problem.shopperFactors.withUnsafeBufferPointer { x in
                block.withUnsafeMutableBufferPointer {
                    table.scoreBlock(x.baseAddress!, shoppers: 20, alpha: 2, into: $0.baseAddress!, widened: &widened)
                }
                for s in 0..<20 {
                    row.withUnsafeMutableBufferPointer { table.score(x.baseAddress! + s * 8, alpha: 2, into: $0.baseAddress!) }
                    #expect(Array(block[s * 3_000..<(s + 1) * 3_000]) == row, "\(precision), shopper \(s)")
                }
            }
        }
    }

    @Test("block path with a starting threshold from the score spread: exact on many brands, and exact when the guess overshoots")
    func blockStartingThreshold() {
        // Enough brands that K is a small share of them, so selection starts from a finite guess;
        // factor counts that are and are not a multiple of the vector width.
        for factors in [8, 13] {
            let problem = IntegerProblem(brands: 2_000, shoppers: 40, factors: factors, seed: 21)
            let rules = RankingRules(eligible: problem.eligible, offsets: problem.offsets, excludeOwned: true)
            let ranker = BrandRanker(
                brands: BrandTable(problem.brandFactors), rules: rules,
                signals: ShopperSignals(owned: problem.owned, boosts: problem.boosts))
            var workspace = ranker.makeWorkspace(blockSize: 16)
            ranker.rankBlocks(20, shopperFactors: problem.shopperFactors, rows: 0..<40, workspace: &workspace) { s, ranked in
                let x = problem.shopperFactors.row(s)
                #expect(
                    same(pairs(ranked), problem.bruteForce(20, shopper: s, factors: x, rules: rules, useSignals: true)),
                    "\(factors) factors, shopper \(s)")
            }
        }
        // 40 brands score 40, the other 1,960 score 0: a normal guess for the 50th best lands
        // between the two, fewer than 50 brands pass, and the shopper is ranked again from scratch.
        var storage = [Float](repeating: 0, count: 2_000 * 8)
        for b in stride(from: 7, to: 2_000, by: 50) {
            for f in 0..<8 { storage[b * 8 + f] = 5 }
        }
        let lumpy = BrandRanker(brands: BrandTable(Matrix(rows: 2_000, columns: 8, storage: storage)))
        var lumpyWorkspace = lumpy.makeWorkspace(blockSize: 8)
        let shoppers = Matrix(rows: 3, columns: 8, repeating: 1)
        var seen = 0
        lumpy.rankBlocks(50, shopperFactors: shoppers, rows: 0..<3, workspace: &lumpyWorkspace) { _, ranked in
            let high = Array(stride(from: Int32(7), to: 2_000, by: 50))
            let zeros = (0..<Int32(2_000)).filter { !high.contains($0) }.prefix(10)
            #expect(ranked.brands == high + zeros)
            #expect(ranked.scores == [Float](repeating: 40, count: 40) + [Float](repeating: 0, count: 10))
            seen += 1
        }
        #expect(seen == 3)
    }

    @Test("one shopper split over several cores matches brute force and the one-core path", arguments: [1, 2, 3, 5])
    func splitMatchesSingle(threads: Int) {
        let problem = IntegerProblem(brands: 300, shoppers: 40, factors: 8, seed: 13)
        let rules = RankingRules(eligible: problem.eligible, offsets: problem.offsets, excludeOwned: true, factorWeight: 2)
        let signals = ShopperSignals(owned: problem.owned, boosts: problem.boosts)
        let split = SplitRanker(BrandRanker(brands: BrandTable(problem.brandFactors), rules: rules, signals: signals), threads: threads)
        #expect(split.parts.first?.lowerBound == 0 && split.parts.last?.upperBound == 300)
        #expect(split.parts.allSatisfy { $0.lowerBound % 64 == 0 })
        var ranked = RankedBrands()
        for k in [1, 50, 400] {
            for s in 0..<40 {
                let x = problem.shopperFactors.row(s)
                split.rank(k, factors: x, shopper: s, into: &ranked)
                #expect(
                    same(pairs(ranked), problem.bruteForce(k, shopper: s, factors: x, rules: rules, useSignals: true)),
                    "k \(k), shopper \(s)")
            }
        }
        // Real-valued factors: bit-identical to the unsplit ranking, in both precisions.
        let random = SyntheticRankingProblem(brands: 1_000, shoppers: 30, factors: 64, seed: 3)
        for precision in BrandTable.Precision.allCases {
            let ranker = BrandRanker(brands: BrandTable(random.brandFactors, precision: precision))
            let split = SplitRanker(ranker, threads: threads)
            var workspace = ranker.makeWorkspace(blockSize: 1)
            var expected = RankedBrands()
            for s in 0..<30 {
                ranker.rank(50, factors: random.shopperFactors.row(s), shopper: nil, workspace: &workspace, into: &expected)
                split.rank(50, factors: random.shopperFactors.row(s), shopper: nil, into: &ranked)
                #expect(ranked == expected, "\(precision), shopper \(s)")
            }
        }
    }

    @Test("K beyond the eligible brands returns exactly the eligible ones")
    func kBeyondEligible() {
        let problem = IntegerProblem(brands: 50, shoppers: 3, factors: 4, seed: 2)
        let eligible = BrandSet(capacity: 50, members: [3, 9, 27, 44])
        let ranker = BrandRanker(brands: BrandTable(problem.brandFactors), rules: RankingRules(eligible: eligible))
        var workspace = ranker.makeWorkspace(blockSize: 1)
        var ranked = RankedBrands()
        ranker.rank(100, factors: problem.shopperFactors.row(0), shopper: 0, workspace: &workspace, into: &ranked)
        #expect(Set(ranked.brands) == [3, 9, 27, 44])
        ranker.rank(0, factors: problem.shopperFactors.row(0), shopper: 0, workspace: &workspace, into: &ranked)
        #expect(ranked.isEmpty)
    }

    @Test("a cold-start shopper (zero factors, no signals) gets the offsets' order, ties by lower index")
    func coldStart() {
        let problem = IntegerProblem(brands: 120, shoppers: 1, factors: 8, seed: 4)
        let popularity = (0..<120).map { Float($0 % 5) }
        let ranker = BrandRanker(brands: BrandTable(problem.brandFactors), rules: RankingRules(offsets: popularity))
        var workspace = ranker.makeWorkspace(blockSize: 1)
        var ranked = RankedBrands()
        ranker.rank(30, factors: [Float](repeating: 0, count: 8), shopper: nil, workspace: &workspace, into: &ranked)
        let expected = (0..<120).sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }.prefix(30).map(Int32.init)
        #expect(ranked.brands == Array(expected))
    }

    @Test("NaN, -infinity and negative zero in the score row")
    func specialScores() {
        let brands = Matrix(rows: 6, columns: 1, storage: [1, .nan, -0.0, 0, -.infinity, 2])
        let ranker = BrandRanker(brands: BrandTable(brands))
        var workspace = ranker.makeWorkspace(blockSize: 1)
        var ranked = RankedBrands()
        ranker.rank(10, factors: [1], shopper: nil, workspace: &workspace, into: &ranked)
        #expect(ranked.brands == [5, 0, 2, 3], "NaN and -infinity never ranked; -0 ties +0, lower index first")
    }

    @Test("row-wise gemv kernels (Float and half) match a naive product, any width and row count", arguments: [8, 13, 24, 64])
    func gemvKernels(factors: Int) {
        var random = SeededRandom(seed: UInt64(factors))
        let rows = 11
        let table = (0..<rows * factors).map { _ in Float(random.below(9) - 4) / 4 }
        let x = (0..<factors).map { _ in Float(random.below(9) - 4) / 2 }
        let expected = (0..<rows).map { r in (0..<factors).reduce(Float(0)) { $0 + table[r * factors + $1] * x[$1] } }
        var y = [Float](repeating: 1, count: rows)
        let half = table.map { Float16($0).bitPattern }
        table.withUnsafeBufferPointer { t in
            RankingKernels.gemvRows(factors: factors, rows: rows, table: t.baseAddress!, x: x, alpha: 2, beta: 0.5, y: &y)
        }
        #expect(y == expected.map { 2 * $0 + 0.5 }, "exact: quarter-integer values")
        half.withUnsafeBufferPointer { h in RankingKernels.halfGemv(factors: factors, rows: rows, table: h.baseAddress!, x: x, y: &y) }
        #expect(y == expected)

        // Several vectors at once: the bits of scoring each alone, with values whose products
        // round, so a different order of additions would show. 3, 5 and 16 vectors take the
        // AVX-512 kernel's steps of four vectors not at all, once with one left over, and four times.
        let wide = (0..<rows * factors).map { _ in Float(random.below(1_000_001)) / 333_333 - 1.5 }
        for vectors in [3, 5, 16] {
            let xs = (0..<vectors * factors).map { _ in Float(random.below(1_000_001)) / 777_777 - 0.6 }
            let ldy = rows + 3
            var many = [Float](repeating: .nan, count: vectors * ldy)
            var alone = [[Float]](repeating: [Float](repeating: 0, count: rows), count: vectors)
            wide.withUnsafeBufferPointer { t in
                xs.withUnsafeBufferPointer { x in
                    RankingKernels.gemvRows(
                        factors: factors, rows: rows, table: t.baseAddress!, vectors: vectors, x: x.baseAddress!, y: &many, ldy: ldy)
                    for v in 0..<vectors {
                        RankingKernels.gemvRows(
                            factors: factors, rows: rows, table: t.baseAddress!, x: x.baseAddress! + v * factors, y: &alone[v])
                    }
                }
            }
            for v in 0..<vectors {
                #expect(many[(v * ldy)..<(v * ldy + rows)].map(\.bitPattern) == alone[v].map(\.bitPattern), "vector \(v) of \(vectors)")
                #expect(many[(v * ldy + rows)..<(v * ldy + ldy)].allSatisfy { $0.isNaN }, "nothing written past the rows")
            }
        }
    }

    /// Block ranking must not depend on which of this machine's paths ran: AVX-512 tiles of 12
    /// shoppers give the scores, keys and thresholds of AVX2 tiles of 6, with values whose
    /// products round, over several chunks of brands, a partial panel and partial tiles.
    @Test(
        "AVX-512 block candidates give the AVX2 path's bits",
        .enabled(if: InstructionSet.current >= .avx512, "needs a CPU with AVX-512"), arguments: [64, 24])
    func blockCandidatesAVX512(factors: Int) {
        var random = SeededRandom(seed: UInt64(factors))
        let brands = 2 * RankingKernels.candidateChunk + 37
        let shoppers = 29
        let table = (0..<brands * factors).map { _ in Float(random.unit()) - 0.5 }
        let x = (0..<shoppers * factors).map { _ in Float(random.unit()) - 0.4 }
        let base = (0..<brands).map { _ in Float(random.unit()) * 0.1 }
        let keep = (0..<shoppers).map { Int64(10 + $0 % 40) }
        let panels = RankingKernels.packPanels(factors: factors, brands: brands, table: table)
        let wide = panels.withUnsafeBufferPointer { p in
            Self.blockCandidates(
                on: .avx512, factors: factors, shoppers: shoppers, x: x, brands: brands, panels: .single(p.baseAddress!), base: base,
                keep: keep)
        }
        let narrow = panels.withUnsafeBufferPointer { p in
            Self.blockCandidates(
                on: .avx2, factors: factors, shoppers: shoppers, x: x, brands: brands, panels: .single(p.baseAddress!), base: base,
                keep: keep)
        }
        #expect(wide.keys.allSatisfy { !$0.isEmpty })
        #expect(wide.keys == narrow.keys)
        #expect(wide.thresholds == narrow.thresholds)
    }

    /// Half-precision panels, widened a chunk at a time, must rank exactly as single-precision
    /// panels of the same (rounded) values, over several chunks and a partial panel.
    @Test("half-precision block candidates rank as their widened values")
    func blockCandidatesHalf() {
        var random = SeededRandom(seed: 11)
        let (factors, brands, shoppers) = (24, 2 * RankingKernels.candidateChunk + 37, 13)
        let rounded = (0..<brands * factors).map { _ in Float(Float16(Float(random.unit()) - 0.5)) }
        let x = (0..<shoppers * factors).map { _ in Float(random.unit()) - 0.4 }
        let base = (0..<brands).map { _ in Float(random.unit()) * 0.1 }
        let keep = (0..<shoppers).map { Int64(10 + $0 % 40) }
        let panels = RankingKernels.packPanels(factors: factors, brands: brands, table: rounded)
        let halfPanels = panels.map { Float16($0).bitPattern }
        var widened = [Float](repeating: .nan, count: RankingKernels.candidateScratch(factors: factors))
        let single = panels.withUnsafeBufferPointer { p in
            Self.blockCandidates(
                on: .current, factors: factors, shoppers: shoppers, x: x, brands: brands, panels: .single(p.baseAddress!), base: base,
                keep: keep)
        }
        let half = halfPanels.withUnsafeBufferPointer { h in
            widened.withUnsafeMutableBufferPointer { w in
                Self.blockCandidates(
                    on: .current, factors: factors, shoppers: shoppers, x: x, brands: brands,
                    panels: .half(h.baseAddress!, widened: w.baseAddress!), base: base, keep: keep)
            }
        }
        #expect(single.keys.allSatisfy { !$0.isEmpty })
        #expect(half.keys == single.keys)
        #expect(half.thresholds == single.thresholds)
    }

    /// Runs block candidates on `set`'s path with α = 1.5 and room for 50 + 16 keys a shopper;
    /// returns each shopper's sorted keys and final threshold bits.
    static func blockCandidates(
        on set: InstructionSet, factors: Int, shoppers: Int, x: [Float], brands: Int, panels: RankingKernels.Panels, base: [Float],
        keep: [Int64]
    ) -> (keys: [[UInt64]], thresholds: [UInt32]) {
        let capacity = 50 + 16
        var keys = [UInt64](repeating: 0, count: shoppers * capacity)
        var counts = [Int64](repeating: 0, count: shoppers)
        var thresholds = [Float](repeating: -.infinity, count: shoppers)
        let done = RankingKernels.blockCandidates(
            on: set, factors: factors, shoppers: shoppers, x: x, brands: brands, panels: panels, alpha: 1.5, base: base,
            keys: &keys, capacity: capacity, counts: &counts, thresholds: &thresholds, keep: keep)
        #expect(done)
        let lists = (0..<shoppers).map { i in keys[(i * capacity)..<(i * capacity + Int(counts[i]))].sorted() }
        return (lists, thresholds.map(\.bitPattern))
    }

    @Test("score keys order by score, then lower index, and round-trip")
    func keys() {
        let values: [Float] = [-.greatestFiniteMagnitude, -1, -.leastNonzeroMagnitude, 0, .leastNonzeroMagnitude, 0.5, 3, .infinity]
        let keys = values.map { RankingKernels.key(score: $0, index: 7) }
        #expect(keys == keys.sorted())
        #expect(RankingKernels.key(score: 1, index: 2) > RankingKernels.key(score: 1, index: 3))
        for v in values {
            let key = RankingKernels.key(score: v, index: 123_456)
            #expect(RankingKernels.score(ofKey: key) == v && RankingKernels.index(ofKey: key) == 123_456)
        }
        #expect(RankingKernels.key(score: -0.0, index: 1) == RankingKernels.key(score: 0, index: 1))
    }

    @Test("half-precision tables: exact widening, and top-50 agreement with Float32 at least 0.99")
    func halfPrecision() {
        let values: [Float] = [0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, -0.33325195, 1000]
        var widened = [Float](repeating: .nan, count: values.count)
        values.map { Float16($0).bitPattern }.withUnsafeBufferPointer { half in
            RankingKernels.halfToFloat(count: half.count, from: half.baseAddress!, to: &widened)
        }
        #expect(widened == values.map { Float(Float16($0)) })
        #expect(BrandTable(Matrix(rows: 1, columns: 8, storage: values), precision: .float16).byteCount == 16)

        let problem = SyntheticRankingProblem(brands: 2000, shoppers: 200, factors: 64, seed: 3)
        let rules = RankingRules(eligible: problem.eligible, excludeOwned: true)
        let signals = ShopperSignals(owned: problem.owned)
        let single = BrandRanker(brands: BrandTable(problem.brandFactors), rules: rules, signals: signals)
        let half = BrandRanker(brands: BrandTable(problem.brandFactors, precision: .float16), rules: rules, signals: signals)
        var a = single.makeWorkspace()
        var b = half.makeWorkspace()
        var reference: [Set<Int32>] = []
        single.rankBlocks(50, shopperFactors: problem.shopperFactors, rows: 0..<200, workspace: &a) { _, r in
            reference.append(Set(r.brands))
        }
        var agreement = 0.0
        half.rankBlocks(50, shopperFactors: problem.shopperFactors, rows: 0..<200, workspace: &b) { s, r in
            agreement += Double(r.brands.filter(reference[s].contains).count) / 50
        }
        #expect(agreement / 200 >= 0.99)
    }

    @Test("streamed chunks arrive in order whatever the thread count", arguments: [1, 2, 5])
    func streamOrder(threads: Int) {
        let chunks = ParallelChunks(rowCount: 1000, chunkSize: 7)
        var collected: [Int] = []
        chunks.stream(
            threads: threads, window: 3, makeWorker: { () },
            produce: { _, _, chunk in Array(chunk) }
        ) { collected += $0 }
        #expect(collected == Array(0..<1000))

        // Never more than `window` results waiting (plus the one being consumed), and a failing
        // consumer stops the run.
        struct Full: Error {}
        let outstanding = PeakCounter()
        var consumed = 0
        #expect(throws: Full.self) {
            try chunks.stream(
                threads: threads, window: 8, makeWorker: { () },
                produce: { _, index, _ in
                    outstanding.add(1)
                    return index
                }
            ) { (index: Int) throws(Full) in
                outstanding.add(-1)
                consumed += 1
                if index == 60 { throw Full() }
            }
        }
        #expect(consumed == 61)
        #expect(outstanding.peak <= 9)
    }

    @Test("catalog: sold-out, non-participating and unknown brands are not showable; bad rows are located")
    func catalog() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let good = folder + "/catalog.csv"
        try """
        brand,name,category,merchant,price,participating,stock,max_discount,exposure_guarantee,exposure_cap
        B1,"Alpha",home,M1,100,yes,in_stock,30,,
        B2,Beta,home,M1,100,no,in_stock,30,,
        B3,Gamma,toys,M2,50,yes,sold_out,10,,
        B4,Delta 山海,toys,M2,50,yes,low,0,100,200
        """.write(toFile: good, atomically: true, encoding: .utf8)
        let catalog = try Catalog.read(path: good)
        #expect(catalog["B4"]?.exposureCap == 200 && catalog["B4"]?.name == "Delta 山海" && catalog["B1"]?.name == "Alpha")
        var ids = IdentifierMap()
        for id in ["B3", "B1", "B9", "B4", "B2"] { _ = ids.intern(id) }
        let showable = catalog.showable(among: ids)
        #expect((0..<5).filter(showable.contains) == [1, 3])

        let bad = folder + "/bad.csv"
        try """
        brand,name,category,merchant,price,participating,stock,max_discount
        B1,Alpha,home,M1,cheap,yes,in_stock,30
        B2,Beta,home,M1,100,maybe,in_stock,30
        B3,Gamma,toys,M2,50,yes,gone,95
        B4,Delta,toys,M2,1e13,yes,low,10
        """.write(toFile: bad, atomically: true, encoding: .utf8)
        #expect {
            try Catalog.read(path: bad)
        } throws: { error in
            guard case .malformedRows(let problems, let total) = error as? InputError else { return false }
            // A price beyond ¥1 billion is refused: a page's JSON could not write it (it wrote null).
            return total == 4 && problems[0].location == InputLocation(file: bad, line: 2, column: 18)
                && problems[1].expected == "yes or no" && problems[2].location.line == 4
                && problems[3].location == InputLocation(file: bad, line: 5, column: 18)
                && problems[3].expected == "a price from 0 to 1000000000"
        }
    }
}

@Suite("Venue blend")
struct VenueBlendTests {
    @Test("own history is the recency-weighted 10/5/5/1 rule, normalised per shopper; future events are ignored")
    func ownHistory() throws {
        let day: Int64 = 86_400
        let cut = 100 * day
        var log = EventLog()
        log.append(shopper: "s", brand: "a", kind: .purchase, time: cut)  // 10
        log.append(shopper: "s", brand: "b", kind: .favorite, time: cut - 30 * day)  // 5 · ½
        log.append(shopper: "s", brand: "b", kind: .click, time: cut)  // 1
        log.append(shopper: "s", brand: "c", kind: .purchase, time: cut + day)  // after the cut
        log.append(shopper: "t", brand: "c", kind: .cart, time: cut - 60 * day)  // 5 · ¼
        let blend = VenueBlend(factor: 0, history: 1, popularity: 0)
        let history = blend.ownHistory(log, at: cut, shoppers: log.shopperIDs, brands: log.brandIDs)
        #expect(history[0, 0] == 1 && history[0, 1] == 0.35 && history[0, 2] == 0 && history[1, 2] == 1)
        let popularity = blend.popularity(log, at: cut, brands: log.brandIDs)
        #expect(popularity == [1, 0, 0], "purchases up to the cut only")

        let model = FactorModel(
            shopperIDs: log.shopperIDs, brandIDs: log.brandIDs, shopperFactors: Matrix(rows: 2, columns: 2, repeating: 0.5),
            brandFactors: Matrix(rows: 3, columns: 2, storage: [0, 0, 0, 0, 9, 9]),
            configuration: {
                var c = ALSConfiguration()
                c.factors = 2
                return c
            }())
        let ranker = blend.ranker(model: model, events: log, at: cut)
        var workspace = ranker.makeWorkspace(blockSize: 1)
        var ranked = RankedBrands()
        ranker.rank(3, factors: model.shopperFactors.row(0), shopper: 0, workspace: &workspace, into: &ranked)
        #expect(ranked.brands == [0, 1, 2], "factor weight 0: own history order, the rest by index")
        let mixed = VenueBlend(factor: 1, history: 1, popularity: 0).ranker(model: model, events: log, at: cut)
        mixed.rank(3, factors: model.shopperFactors.row(0), shopper: 0, workspace: &workspace, into: &ranked)
        #expect(ranked.brands == [2, 0, 1], "the factor score of c (9) outweighs history")
    }
}

@Suite("venue recommend and bench")
struct RecommendCommandTests {
    @Test("recommend --all: every shopper, filtered by catalog and owned brands, identical on 1 and 3 threads")
    func recommendAll() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        let events = fixtures + "/events.csv"
        #expect(
            try TestSupport.venue([
                "train", "--events", events, "--format", "generic", "--factors", "16", "--iterations", "3", "--model", folder + "/m.model",
            ]).status == 0)
        func recommend(_ out: String, threads: Int) throws -> Int32 {
            try TestSupport.venue([
                "recommend", "--model", folder + "/m.model", "--all", "--out", out, "-k", "10", "--exclude-owned", "--events", events,
                "--catalog", fixtures + "/catalog.csv", "--threads", "\(threads)",
            ]).status
        }
        #expect(try recommend(folder + "/one.jsonl", threads: 1) == 0)
        #expect(try recommend(folder + "/three.jsonl", threads: 3) == 0)
        let one = try Data(contentsOf: URL(fileURLWithPath: folder + "/one.jsonl"))
        #expect(one == (try Data(contentsOf: URL(fileURLWithPath: folder + "/three.jsonl"))))

        let catalog = try Catalog.read(path: fixtures + "/catalog.csv")
        let log = try EventReader(format: .generic).read(path: events)
        var owned: [String: Set<String>] = [:]
        for i in 0..<log.count { owned[log.shopperIDs[Int(log.shoppers[i])], default: []].insert(log.brandIDs[Int(log.brands[i])]) }
        let lines = one.split(separator: 0x0A)
        #expect(lines.count == 2000)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let shopper = try #require(object["shopper"] as? String)
            let brands = try #require(object["brands"] as? [String])
            let scores = try #require(object["scores"] as? [Double])
            #expect(brands.count == 10 && scores.count == 10 && scores == scores.sorted(by: >))
            for brand in brands {
                #expect(catalog[brand]?.isShowable == true, "\(brand) is not in the sale or sold out")
                #expect(owned[shopper]?.contains(brand) != true, "\(shopper) already has \(brand)")
            }
        }
        let single = try TestSupport.venue(["recommend", "--model", folder + "/m.model", "--shopper", "S0001", "-k", "3"])
        #expect(single.status == 0 && single.out.split(separator: "\n").count == 3)
        #expect(try TestSupport.venue(["recommend", "--model", folder + "/m.model", "--all"]).status != 0, "--all needs --out")
        // Options that would be ignored are refused: --out with one shopper, --at without events to cut.
        for ignored in [["--out", folder + "/single.jsonl"], ["--at", "2026-11-11"]] {
            let result = try TestSupport.venue(["recommend", "--model", folder + "/m.model", "--shopper", "S0001"] + ignored)
            #expect(result.status == 64, "\(ignored): \(result.err)")
        }
    }

    @Test("bench rank prints one JSON line with latencies, throughput and sgemm GFLOP/s")
    func benchRank() throws {
        let result = try TestSupport.venue([
            "bench", "rank", "--brands", "500", "--factors", "16", "-k", "10", "--queries", "50", "--shoppers", "300", "--precision",
            "float16",
        ])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        for key in [
            "single_filtered", "single_unfiltered", "batch_filtered_shoppers_per_sec", "sgemm_gflops", "recall_agreement_vs_float32",
        ] {
            #expect(object[key] != nil, "\(key)")
        }
        #expect((object["single_filtered"] as? [String: Double])?["p999_us"] != nil)
        // A problem larger than memory is refused with its size, not a failed allocation (400 GB here).
        let huge = try TestSupport.venue([
            "bench", "rank", "--factors", "1000000", "--brands", "100000", "--queries", "1", "--shoppers", "1",
        ])
        #expect(huge.status == 64 && huge.err.contains("this problem needs at least 400.0 GB"), "\(huge.err)")
    }
}

/// A counter that remembers its highest value, from any thread.
private final class PeakCounter: @unchecked Sendable {
    // Rule: every access holds `lock`.
    private let lock = NSLock()
    private var value = 0
    private var highest = 0

    func add(_ delta: Int) {
        lock.lock()
        value += delta
        highest = max(highest, value)
        lock.unlock()
    }

    var peak: Int {
        lock.lock()
        defer { lock.unlock() }
        return highest
    }
}
