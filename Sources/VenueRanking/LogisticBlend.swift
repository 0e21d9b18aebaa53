import Foundation
import VenueLinearAlgebra

/// A logistic model over ``BlendFeatures``: P(purchase) = σ(w · standardised features). Fitted by
/// Newton's method (IRLS) with a small ridge, each step one Cholesky solve (LAPACK).
public struct LogisticBlend: Sendable, Equatable {
    /// Weights over standardised features (the first is the intercept).
    public var weights: [Double]
    /// Feature means (bias: 0).
    public var means: [Double]
    /// Feature standard deviations (bias: 1).
    public var scales: [Double]

    /// A model with given parameters.
    public init(weights: [Double], means: [Double], scales: [Double]) {
        self.weights = weights
        self.means = means
        self.scales = scales
    }

    /// Why ``fit(_:labels:ridge:iterations:)`` has nothing to fit.
    public enum FitError: Error, Sendable, Equatable, CustomStringConvertible {
        /// No rows, or rows with no features.
        case noRows
        /// Every row has the same label, so there is nothing to separate.
        case oneLabel(bought: Bool, rows: Int)

        /// A message for people.
        public var description: String {
            switch self {
            case .noRows: "the venue blend has no candidate rows to fit on"
            case .oneLabel(let bought, let rows):
                "all \(rows) candidate rows of the venue blend are \(bought ? "bought" : "not bought"); it needs both to fit"
            }
        }
    }

    /// Fits on `rows` (feature vectors, bias first, all of one width) with labels `labels` (1
    /// bought, one per row). Throws ``FitError`` when there are no rows or only one label, and
    /// ``FactorizationFailure`` when a Newton step cannot be solved. O(iterations · rows · d²).
    public static func fit(_ rows: [[Double]], labels: [Bool], ridge: Double = 1e-5, iterations: Int = 25) throws -> LogisticBlend {
        precondition(rows.count == labels.count, "one label per row")
        let d = rows.first?.count ?? 0
        guard d > 0 else { throw FitError.noRows }
        guard labels.contains(true) && labels.contains(false) else { throw FitError.oneLabel(bought: labels[0], rows: rows.count) }
        var means = [Double](repeating: 0, count: d)
        var scales = [Double](repeating: 1, count: d)
        for j in 1..<d {
            let column = rows.map { $0[j] }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
            means[j] = mean
            scales[j] = variance > 1e-12 ? variance.squareRoot() : 1
        }
        let x = rows.map { row in (0..<d).map { j in j == 0 ? 1 : (row[j] - means[j]) / scales[j] } }
        var w = [Double](repeating: 0, count: d)
        for _ in 0..<iterations {
            var hessian = [Double](repeating: 0, count: d * d)
            var gradient = [Double](repeating: 0, count: d)
            for (row, label) in zip(x, labels) {
                var z = 0.0
                for j in 0..<d { z += w[j] * row[j] }
                let p = 1 / (1 + exp(-z))
                let weight = max(p * (1 - p), 1e-9)
                let residual = (label ? 1 : 0) - p
                for j in 0..<d {
                    gradient[j] += residual * row[j]
                    for k in 0...j { hessian[j * d + k] += weight * row[j] * row[k] }
                }
            }
            for j in 0..<d {
                for k in 0..<j { hessian[k * d + j] = hessian[j * d + k] }
                hessian[j * d + j] += ridge * Double(x.count)
                gradient[j] -= ridge * Double(x.count) * w[j]
            }
            let step = try Cholesky.solve(Matrix(rows: d, columns: d, storage: hessian.map(Float.init)), gradient.map(Float.init))
            var change = 0.0
            for j in 0..<d {
                w[j] += Double(step[j])
                change = max(change, abs(Double(step[j])))
            }
            if change < 1e-6 { break }
        }
        return LogisticBlend(weights: w, means: means, scales: scales)
    }

    /// The linear score (log-odds) of a feature vector.
    public func score(_ features: [Double]) -> Double {
        features.withUnsafeBufferPointer(score)
    }

    /// The linear score (log-odds) of a feature vector in a buffer (``BlendFeatures/forEachCandidate(of:workspace:_:)``).
    public func score(_ features: UnsafeBufferPointer<Double>) -> Double {
        var z = 0.0
        for j in 0..<weights.count { z += weights[j] * (j == 0 ? 1 : (features[j] - means[j]) / scales[j]) }
        return z
    }

    /// Serialised as little-endian `Float64` triples (weight, mean, scale), for a model file
    /// extension.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for j in 0..<weights.count {
            for value in [weights[j], means[j], scales[j]] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Reads ``bytes``; `nil` when malformed.
    public init?(bytes: [UInt8]) {
        guard !bytes.isEmpty, bytes.count % 24 == 0 else { return nil }
        var values: [Double] = []
        for i in stride(from: 0, to: bytes.count, by: 8) {
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            values.append(Double(bitPattern: bits))
        }
        // Finite weights and means, positive finite scales: anything else would rank by NaN.
        for j in stride(from: 0, to: values.count, by: 3) {
            guard values[j].isFinite, values[j + 1].isFinite, values[j + 2].isFinite, values[j + 2] > 0 else { return nil }
        }
        weights = stride(from: 0, to: values.count, by: 3).map { values[$0] }
        means = stride(from: 1, to: values.count, by: 3).map { values[$0] }
        scales = stride(from: 2, to: values.count, by: 3).map { values[$0] }
    }
}
