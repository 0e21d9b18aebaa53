/// How evenly venues expose brands: catalogue coverage and the Gini coefficient of exposure.
public struct ExposureStatistics: Sendable, Equatable {
    /// Times each brand was shown.
    public private(set) var counts: [Int]

    /// No exposure yet, over `brandCount` brands.
    public init(brandCount: Int) { counts = [Int](repeating: 0, count: brandCount) }

    /// Counts one venue's brands.
    public mutating func add(_ brands: some Sequence<Int>) { for b in brands { counts[b] += 1 } }

    /// Share of brands shown at least once.
    public var coverage: Double { counts.isEmpty ? 0 : Double(counts.filter { $0 > 0 }.count) / Double(counts.count) }

    /// Gini coefficient of the exposure counts over all brands (0: perfectly even, → 1: all on
    /// one brand). O(brands log brands).
    public var gini: Double {
        let sorted = counts.sorted()
        let n = Double(sorted.count)
        let total = Double(sorted.reduce(0, +))
        guard total > 0, n > 1 else { return 0 }
        var weighted = 0.0
        for (i, x) in sorted.enumerated() { weighted += (2 * Double(i + 1) - n - 1) * Double(x) }
        return weighted / (n * total)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
