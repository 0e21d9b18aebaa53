import Foundation
import VenueLinearAlgebra

/// How one shopper's adjusted scores spread over the eligible brands, for a starting threshold in
/// block selection.
///
/// With the brands' augmented rows `ỹ_b = (α·y_b, base_b)` (eligible brands only) and a shopper's
/// `x̃ = (x, 1)`, the shopper's scores `x̃ · ỹ_b` have mean `x̃ · m` and variance `x̃ᵀ C x̃`, where
/// `m` and `C` are the mean and covariance of the `ỹ_b` — one small quadratic form per shopper.
/// The starting threshold is where a normal distribution with those moments leaves about
/// ``spare`` × K brands above it. It is only a guess: block selection checks that at least K
/// brands passed and ranks the shopper again from scratch when not, so results never depend on it.
struct ScoreDistribution: Sendable {
    /// Brands expected above the starting threshold, per brand kept.
    static let spare = 1.5
    /// Augmented width: factors plus the base.
    let width: Int
    /// Mean of the augmented rows.
    let mean: [Float]
    /// Covariance of the augmented rows, `width × width`.
    let covariance: Matrix
    /// Eligible brands (a finite base).
    let eligible: Int

    /// The moments of `table`'s rows scaled by `alpha`, with `base` (`nil`: zeros; `-infinity`
    /// marks a brand that is never ranked). O(brands · factors²) in one `sgemm`.
    init(table: BrandTable, alpha: Float, base: [Float]?) {
        let f = table.factors
        width = f + 1
        let rows = (0..<table.count).filter { base?[$0].isFinite ?? true }
        eligible = rows.count
        var augmented = Matrix(rows: max(1, rows.count), columns: width)
        var row = [Float](repeating: 0, count: f)
        for (i, b) in rows.enumerated() {
            table.widen(brand: b, into: &row)
            for j in 0..<f { augmented[i, j] = alpha * row[j] }
            augmented[i, f] = base?[b] ?? 0
        }
        var mean = [Float](repeating: 0, count: width)
        if !rows.isEmpty {
            for i in 0..<rows.count {
                for j in 0..<width { mean[j] += augmented[i, j] }
            }
            for j in 0..<width { mean[j] /= Float(rows.count) }
        }
        var second = Matrix(rows: width, columns: width)
        BLAS.gemm(.transpose, augmented, .none, augmented, alpha: 1 / Float(max(1, rows.count)), into: &second)
        for i in 0..<width {
            for j in 0..<width { second[i, j] -= mean[i] * mean[j] }
        }
        self.mean = mean
        covariance = second
    }

    /// Starting thresholds for the `m` shoppers of `x` (rows of `width − 1` factors), keeping
    /// `keep[i]` each: `-infinity` when that is more than a quarter of the eligible brands.
    /// `scratch` is resized as needed. O(m · factors²).
    func thresholds(
        _ x: UnsafePointer<Float>, shoppers m: Int, keep: UnsafePointer<Int64>, into thresholds: UnsafeMutablePointer<Float>,
        scratch: inout [Float]
    ) {
        let f = width - 1
        if scratch.count < 2 * m * width { scratch = [Float](repeating: 0, count: 2 * m * width) }
        scratch.withUnsafeMutableBufferPointer { buffer in
            let augmented = buffer.baseAddress!
            let product = augmented + m * width
            for i in 0..<m {
                for j in 0..<f { augmented[i * width + j] = x[i * f + j] }
                augmented[i * width + f] = 1
            }
            covariance.withUnsafeBufferPointer { c in
                BLAS.gemm(
                    .none, .none, m: m, n: width, k: width, alpha: 1, a: augmented, lda: width, b: c.baseAddress!, ldb: width, beta: 0,
                    c: product, ldc: width)
            }
            for i in 0..<m {
                let share = Self.spare * Double(keep[i]) / Double(max(1, eligible))
                guard share <= 0.25 else {
                    thresholds[i] = -.infinity
                    continue
                }
                var mu: Float = 0
                var variance: Float = 0
                for j in 0..<width {
                    mu += augmented[i * width + j] * mean[j]
                    variance += augmented[i * width + j] * product[i * width + j]
                }
                thresholds[i] = mu + Float(Self.normalQuantile(1 - share)) * max(0, variance).squareRoot()
            }
        }
    }

    /// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (Acklam's rational approximation,
    /// relative error below 1.2 × 10⁻⁹).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
            2.506628277459239e+00,
        ]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
            2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low {
            let q = (-2 * log(1 - p)).squareRoot()
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
