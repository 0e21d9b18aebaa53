import Foundation
import Testing
import VenueKit

@Suite("Similar brands")
struct SimilarBrandsTests {
    /// Random brand factors with a few duplicated rows (cosine ties), one zero row and one row
    /// that is another scaled by 3 (cosine 1 with it).
    static func factors(brands: Int, width: Int, seed: UInt64) -> Matrix {
        var random = SeededRandom(seed: seed)
        var m = Matrix(rows: brands, columns: width, storage: (0..<brands * width).map { _ in Float(random.unit()) - 0.5 })
        for d in 0..<width {
            m[5, d] = m[4, d]
            m[9, d] = 3 * m[4, d]
            m[7, d] = 0
        }
        return m
    }

    /// Every brand's cosine with `brand` (or projection on its direction), in Double, best first,
    /// ties by index; `brand` left out.
    static func bruteForce(
        _ m: Matrix, norms: [Double], brand: Int, eligible: BrandSet?, measure: SimilarBrands.Measure = .cosine
    ) -> [(brand: Int, score: Double)] {
        var all: [(brand: Int, score: Double)] = []
        for b in 0..<m.rows where b != brand && eligible?.contains(b) ?? true {
            let dot = (0..<m.columns).reduce(0.0) { $0 + Double(m[brand, $1]) * Double(m[b, $1]) }
            let scale = measure == .cosine ? norms[brand] * norms[b] : norms[brand]
            all.append((b, scale > 0 ? dot / scale : 0))
        }
        return all.sorted { ($0.score, -$0.brand) > ($1.score, -$1.brand) }
    }

    @Test(
        "the k best cosines or projections, the brand itself never listed, catalog rules kept; all brands at once equal one at a time",
        arguments: SimilarBrands.Measure.allCases)
    func againstBruteForce(measure: SimilarBrands.Measure) {
        let m = Self.factors(brands: 300, width: 16, seed: 7)
        let norms = (0..<300).map { b in (0..<16).reduce(0.0) { $0 + Double(m[b, $1]) * Double(m[b, $1]) }.squareRoot() }
        var random = SeededRandom(seed: 8)
        let eligible = BrandSet(capacity: 300, members: (0..<300).filter { _ in random.unit() < 0.7 })
        for rule in [nil, eligible] {
            let similar = SimilarBrands(brandFactors: m, measure: measure, eligible: rule)
            var one: [RankedBrands] = []
            for brand in 0..<300 {
                let ranked = similar.similar(to: brand, k: 10)
                one.append(ranked)
                let expected = Self.bruteForce(m, norms: norms, brand: brand, eligible: rule, measure: measure)
                #expect(ranked.count == 10)
                #expect(!ranked.brands.contains(Int32(brand)), "brand \(brand) is listed as like itself")
                for (i, b) in ranked.brands.enumerated() {
                    #expect(rule?.contains(Int(b)) ?? true, "brand \(b) is not eligible")
                    // The listed score is the brand's own score, and the i-th best score.
                    let score = expected.first { $0.brand == Int(b) }!.score
                    #expect(abs(Double(ranked.scores[i]) - score) < 1e-5)
                    #expect(abs(Double(ranked.scores[i]) - expected[i].score) < 1e-5)
                }
            }
            // Brand 5 is brand 4's copy, brand 9 its multiple by 3, brand 7 a zero row.
            if rule == nil, measure == .projection {
                // Brand 9 reaches three times as far along brand 4's direction as brand 4 itself.
                #expect(one[4].brands.first == 9 && abs(Double(one[4].scores[0]) - 3 * norms[4]) < 1e-4)
                #expect(one[7].brands == [0, 1, 2, 3, 4, 5, 6, 8, 9, 10] && one[7].scores.allSatisfy { $0 == 0 })
            }
            if rule == nil, measure == .cosine {
                // Brands 5 and 9: cosine 1 with brand 4, ahead of everything else.
                #expect(Array(one[4].brands.prefix(2)).sorted() == [5, 9])
                #expect(abs(one[4].scores[0] - 1) < 1e-6)
                // The zero row: cosine 0 with every brand, so brands in index order.
                #expect(one[7].brands == [0, 1, 2, 3, 4, 5, 6, 8, 9, 10] && one[7].scores.allSatisfy { $0 == 0 })
            }
            for threads in [1, 3] {
                var seen = 0
                similar.rankAll(10, threads: threads, produce: { $0 }) { block in
                    for brand in block.shoppers {
                        #expect(brand == seen)
                        seen += 1
                        #expect(block[brand].map(\.brand) == one[brand].brands, "brand \(brand), \(threads) threads")
                        #expect(block[brand].map(\.score) == one[brand].scores, "brand \(brand), \(threads) threads")
                    }
                }
                #expect(seen == 300)
                // The table a venue's similar floors read holds the same lists.
                let nearest = NearestBrands(similar, perBrand: 10, threads: threads)
                #expect(nearest.count == 300 && nearest.perBrand == 10)
                let same = (0..<300).allSatisfy {
                    nearest[$0].brands.elementsEqual(one[$0].brands) && nearest[$0].scores.elementsEqual(one[$0].scores)
                }
                #expect(same, "\(threads) threads: NearestBrands differs from similar(to:k:)")
            }
        }
        // Fewer eligible brands than asked for: every list holds them all, minus the brand itself.
        let few = BrandSet(capacity: 300, members: [3, 50, 299])
        let short = NearestBrands(SimilarBrands(brandFactors: m, measure: measure, eligible: few), perBrand: 10, threads: 2)
        #expect(short[50].brands.sorted() == [3, 299] && short[0].brands.count == 3 && short[0].scores.count == 3)
    }

    @Test("venue similar: one brand printed, every brand as JSONL with the same lists, --catalog kept, brands of a category together")
    func command() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let fixtures = TestSupport.fixtures
        let model = folder + "/m.model"
        let train = try TestSupport.venue([
            "train", "--events", fixtures + "/events.csv", "--format", "generic", "--factors", "32", "--model", model,
        ])
        try #require(train.status == 0, "\(train.err.suffix(300))")
        func lines(_ text: String) -> [[Substring]] { text.split(separator: "\n").map { $0.split(separator: "\t") } }

        let one = try TestSupport.venue(["similar", "--model", model, "--brand", "B001", "-k", "5"])
        let printed = lines(one.out)
        #expect(one.status == 0 && printed.count == 5 && printed.allSatisfy { $0.count == 3 && $0[1] != "B001" })
        let scores = printed.compactMap { Double($0[2]) }
        #expect(scores.count == 5 && zip(scores, scores.dropFirst()).allSatisfy { $0 >= $1 })

        let projected = try TestSupport.venue(["similar", "--model", model, "--brand", "B001", "-k", "5", "--measure", "projection"])
        let projectedLines = lines(projected.out)
        #expect(projected.status == 0 && projectedLines.count == 5 && projectedLines.allSatisfy { $0[1] != "B001" })
        let badMeasure = try TestSupport.venue(["similar", "--model", model, "--brand", "B001", "--measure", "dot"])
        #expect(badMeasure.status == 64)

        let all = try TestSupport.venue(["similar", "--model", model, "--all", "--out", folder + "/all.jsonl", "-k", "5"])
        #expect(all.status == 0, "\(all.err)")
        struct Line: Decodable {
            let brand: String
            let brands: [String]
            let scores: [Double]
        }
        let decoded = try String(contentsOfFile: folder + "/all.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
        #expect(decoded.count == 200 && decoded.allSatisfy { $0.brands.count == 5 && !$0.brands.contains($0.brand) })
        let b001 = try #require(decoded.first { $0.brand == "B001" })
        #expect(b001.brands == printed.map { String($0[1]) })
        #expect(zip(b001.scores, scores).allSatisfy { abs($0 - $1) < 1e-5 })

        // The fixture marketplace's shoppers keep to a few categories, so a brand's look-alikes
        // share its category far more often than brands drawn at random.
        let catalog = try Catalog.read(path: fixtures + "/catalog.csv")
        var same = 0
        var listed = 0
        for line in decoded {
            let category = catalog[line.brand]!.category
            same += line.brands.filter { catalog[$0]!.category == category }.count
            listed += line.brands.count
        }
        var sizes: [String: Int] = [:]
        for line in decoded { sizes[catalog[line.brand]!.category, default: 0] += 1 }
        let chance = Double(sizes.values.reduce(0) { $0 + $1 * ($1 - 1) }) / Double(200 * 199)
        #expect(Double(same) / Double(listed) > 3 * chance, "same category \(same) of \(listed), chance \(chance)")

        let filtered = try TestSupport.venue([
            "similar", "--model", model, "--brand", "B001", "-k", "1000", "--catalog", fixtures + "/catalog.csv",
        ])
        let shown = lines(filtered.out).map { String($0[1]) }
        let showable = decoded.map(\.brand).filter { catalog[$0]?.isShowable == true }
        #expect(filtered.status == 0 && Set(shown) == Set(showable).subtracting(["B001"]))

        let unknown = try TestSupport.venue(["similar", "--model", model, "--brand", "nope"])
        #expect(unknown.status == 1 && unknown.err.contains("brand nope is not in"))
        let neither = try TestSupport.venue(["similar", "--model", model])
        #expect(neither.status == 64 && neither.err.contains("--brand ID or --all"))
    }
}
