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

    /// What is out of range, one phrase per setting; empty when training can start. O(1).
    public var problems: [String] {
        var found: [String] = []
        if factors <= 0 { found.append("factors must be positive, not \(factors)") }
        if iterations < 0 { found.append("iterations must not be negative, not \(iterations)") }
        if !(regularization >= 0 && regularization.isFinite) {
            found.append("regularization (λ) must be finite and not negative, not \(regularization)")
        }
        if !regularizationExponent.isFinite { found.append("the regularization exponent (ν) must be finite") }
        let alpha: Float
        switch confidence {
        case .linear(let a):
            alpha = a
        case .logarithmic(let a, let epsilon):
            alpha = a
            if !(epsilon > 0 && epsilon.isFinite) { found.append("ε of the log confidence must be finite and positive, not \(epsilon)") }
        }
        // A negative α gives confidences below 1, even below 0, and the row problems stop being
        // positive definite.
        if !(alpha >= 0 && alpha.isFinite) { found.append("α must be finite and not negative, not \(alpha)") }
        if cgSteps <= 0 { found.append("CG steps must be positive, not \(cgSteps)") }
        if threads <= 0 { found.append("threads must be positive, not \(threads)") }
        return found
    }

    /// The memory training `shoppers` × `brands` takes at least, in bytes: both factor matrices,
    /// the two `f × f` Gram matrices and one `f × f` scratch per thread (float32). O(1).
    public func trainingBytes(shoppers: Int, brands: Int) -> Double {
        let f = Double(factors)
        return 4 * f * (Double(shoppers) + Double(brands)) + 4 * f * f * (2 + Double(threads))
    }

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
