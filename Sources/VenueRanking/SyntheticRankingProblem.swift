import Foundation
import VenueInteractions
import VenueLinearAlgebra

/// A reproducible random ranking problem for benchmarks and tests: brand and shopper factors,
/// brands each shopper already has, and a catalog mask.
public struct SyntheticRankingProblem: Sendable {
    /// Brand factors, brands × factors.
    public let brandFactors: Matrix
    /// Shopper factors, shoppers × factors.
    public let shopperFactors: Matrix
    /// Brands each shopper has (sorted rows, values 1).
    public let owned: SparseMatrix
    /// Brands in the sale and in stock.
    public let eligible: BrandSet

    /// `shoppers` × `brands` with `factors` factors; each shopper owns about `ownedPerShopper`
    /// brands, drawn with a power-law popularity like real marketplaces; `eligibleShare` of the
    /// brands are eligible. Factor entries are roughly normal with standard deviation 0.1.
    /// The same arguments always give the same problem. O(shoppers · (factors + owned)).
    public init(
        brands: Int, shoppers: Int, factors: Int, ownedPerShopper: Int = 25, eligibleShare: Double = 0.95, seed: UInt64 = 42
    ) {
        func normalish(_ random: inout SeededRandom) -> Float {
            // Irwin–Hall with 4 uniforms, scaled to standard deviation 0.1.
            var sum = 0.0
            for _ in 0..<4 { sum += random.unit() }
            return Float((sum - 2) * 0.1 * 1.7320508)
        }
        var random = SeededRandom.stream(seed: seed, index: 0)
        brandFactors = Matrix(rows: brands, columns: factors, storage: (0..<brands * factors).map { _ in normalish(&random) })
        random = SeededRandom.stream(seed: seed, index: 1)
        shopperFactors = Matrix(rows: shoppers, columns: factors, storage: (0..<shoppers * factors).map { _ in normalish(&random) })
        random = SeededRandom.stream(seed: seed, index: 2)
        var rows: [Int32] = []
        var columns: [Int32] = []
        for s in 0..<shoppers {
            let n = random.below(2 * ownedPerShopper + 1)
            for _ in 0..<n {
                // Popularity ∝ 1/rank: brand = ⌊brands^u⌋ − 1 for uniform u.
                let b = min(brands - 1, Int(pow(Double(brands), random.unit())) - 1)
                rows.append(Int32(s))
                columns.append(Int32(max(0, b)))
            }
        }
        owned = SparseMatrix(
            rows: shoppers, columns: brands, rowIndices: rows, columnIndices: columns, values: [Float](repeating: 1, count: rows.count)
        )
        .mapValues { _ in 1 }  // a brand drawn twice was summed to 2; owned is a 0/1 pattern
        random = SeededRandom.stream(seed: seed, index: 3)
        var eligible = BrandSet(capacity: brands, full: true)
        for b in 0..<brands where random.unit() >= eligibleShare { eligible.remove(b) }
        self.eligible = eligible
    }
}
