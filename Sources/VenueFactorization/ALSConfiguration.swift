import VenueInteractions

/// Hyperparameters of implicit ALS.
public struct ALSConfiguration: Sendable, Equatable {
    /// How each row's least-squares problem is solved.
    public enum Solver: String, Sendable, CaseIterable {
        /// Cholesky on the full normal equations (Gram built with syrk over gathered rows).
        case exact
        /// A few warm-started conjugate-gradient steps (Takács, Pilászy & Tikk 2011).
        case cg
    }

    /// Latent factors per shopper and brand.
    public var factors = 64
    /// Full iterations (a shopper half-step and a brand half-step each).
    public var iterations = 15
    /// λ.
    public var regularization: Float = 0.01
    /// ν of frequency-scaled regularisation `λ·n^ν` (Rendle et al. 2021); 0 is plain λ.
    public var regularizationExponent: Float = 0
    /// How strengths become confidences.
    public var confidence = Confidence.linear(alpha: 10)
    /// The row solver.
    public var solver = Solver.cg
    /// Conjugate-gradient steps per row and half-step.
    public var cgSteps = 3
    /// Worker threads.
    public var threads = 2
    /// Seed of the initial factors.
    public var seed: UInt64 = 42

    /// The defaults: 64 factors, 15 iterations, λ 0.01, α 10, CG with 3 steps, seed 42.
    public init() {}

    /// λ for a row with `count` interactions.
    @inlinable
    public func regularization(forCount count: Int) -> Float {
        regularizationExponent == 0 ? regularization : regularization * Float(pow(Double(max(count, 1)), Double(regularizationExponent)))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
