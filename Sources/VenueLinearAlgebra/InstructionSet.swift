import CVenueKernels

/// The instruction sets VenueKit's kernels have paths for, narrowest first.
///
/// Each kernel picks its path once, at start-up, from what the CPU offers. The AVX-512 paths (the
/// rank-1 update of CG; the Gram update, Cholesky factor and substitutions of the exact solver;
/// the tiles of block ranking; scoring several vectors against a table) give the AVX2 paths' bits where both have a kernel (the exact
/// solver's kernels at 128 factors are AVX-512 only); the portable paths add in another order.
public enum InstructionSet: Int, Comparable, Sendable, CustomStringConvertible {
    /// Plain C, for any CPU.
    case portable
    /// AVX2 with FMA.
    case avx2
    /// AVX-512 (foundation and doubleword/quadword instructions) for the kernels that have such a
    /// path; AVX2 for the others.
    case avx512

    /// The widest set in use on this machine. `VENUE_KERNELS=avx2` or `VENUE_KERNELS=portable` in
    /// the environment caps it, to compare the paths on one machine.
    public static var current: InstructionSet { InstructionSet(rawValue: Int(venue_kernels_level())) ?? .portable }

    /// `portable`, `avx2` or `avx512`.
    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    /// Narrower first.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
