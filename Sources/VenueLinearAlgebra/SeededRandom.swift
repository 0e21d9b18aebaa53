/// A small, fast, seedable generator (SplitMix64): the same seed gives the same stream on every
/// platform, which is what fixtures and initial factors need. Not for cryptography.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniform `Double` in `[0, 1)` from the top 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0 ..< bound` (Lemire's multiply-shift; bias < 2⁻³² for small bounds).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int((UInt64(truncatingIfNeeded: next() >> 32) &* UInt64(bound)) >> 32)
    }

    /// A generator for stream `index` of `seed`, independent of the others: used so every row's
    /// initial factors depend only on (seed, row), never on thread scheduling.
    public static func stream(seed: UInt64, index: UInt64) -> SeededRandom {
        var mixer = SeededRandom(seed: seed ^ (index &* 0xd1b5_4a32_d192_ed03))
        return SeededRandom(seed: mixer.next())
    }
}
