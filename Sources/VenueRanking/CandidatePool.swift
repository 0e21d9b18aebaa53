import VenueLinearAlgebra

/// Top-K selection from a score row by threshold and compaction.
///
/// First a vectorised pass takes the maximum of each small block of scores; the K-th largest
/// block maximum is a lower bound on the K-th best score, so it is a safe first threshold. A
/// second vectorised pass hands on only scores at or above it, as sortable keys
/// (``RankingKernels/key(score:index:)``) — typically 1–2 K of them; whenever 4K have gathered,
/// a quickselect keeps the best K and raises the threshold. O(brands) vectorised work plus
/// O(K log K) for the final sort; no allocation once the pool has grown to its size.
struct CandidatePool: Sendable {
    private var keys: [UInt64] = []
    private var maxima: [Float] = []

    /// Longest chunk scanned against one threshold.
    static let longestChunk = 2048

    /// Selects the best `k` of `scores[j] + base[j]` (`j < n`) into `output`, best first,
    /// skipping NaN and `-infinity`; ties go to the lower index. Brand `j` is reported as
    /// `first + j`.
    mutating func select(
        _ k: Int, scores: UnsafePointer<Float>, base: UnsafePointer<Float>?, count n: Int, first: Int = 0,
        into output: inout RankedBrands
    ) {
        let k = min(max(0, k), n)  // a list never holds more than the n scores
        guard k > 0 else {
            output.resize(0)
            return
        }
        // Blocks of about n / 4K elements (8 to 64, a multiple of 8).
        let block = max(8, min(64, n / (4 * k) / 8 * 8))
        let blocks = (n + block - 1) / block
        let needed = max(4 * k + Self.longestChunk, blocks)
        if keys.count < needed { keys = [UInt64](repeating: 0, count: needed) }
        if maxima.count < blocks { maxima = [Float](repeating: 0, count: blocks) }
        keys.withUnsafeMutableBufferPointer { keys in
            var threshold = -Float.infinity
            if blocks > k {
                // The K-th largest block maximum T bounds the K-th best score from below (K blocks
                // each hold a score ≥ T), so only scores ≥ T need to pass.
                maxima.withUnsafeMutableBufferPointer { maxima in
                    RankingKernels.blockMaxima(scores: scores, base: base, count: n, block: block, maxima: maxima.baseAddress!)
                    for i in 0..<blocks { keys[i] = RankingKernels.key(score: maxima[i], index: Int32(i)) }
                }
                var count = blocks
                threshold = Self.compact(keys, count: &count, k: k).nextDown
            }
            var count = 0
            var start = 0
            while start < n {
                let m = min(Self.longestChunk, n - start)
                count += RankingKernels.selectKeysAbove(
                    scores: scores + start, base: base.map { $0 + start }, count: m, threshold: threshold,
                    first: Int32(first + start), keys: keys.baseAddress! + count)
                if count >= 4 * k { threshold = Self.compact(keys, count: &count, k: k) }
                start += m
            }
            Self.emit(UnsafeMutableBufferPointer(rebasing: keys[0..<count]), best: k, into: &output)
        }
    }

    /// Writes the best `k` of `keys` to `output`, best first (compacting first when there are
    /// more). O(count + k log k).
    static func emit(_ keys: UnsafeMutableBufferPointer<UInt64>, best k: Int, into output: inout RankedBrands) {
        var count = keys.count
        if count > k { _ = compact(keys, count: &count, k: k) }
        var best = UnsafeMutableBufferPointer(rebasing: keys[0..<count])
        // Ascending with the plain `<` of UInt64 (a comparison closure here was not inlined and
        // cost a call per comparison), then read from the end: best first.
        best.sort()
        output.resize(count)
        for i in 0..<count {
            output.brands[i] = RankingKernels.index(ofKey: best[count - 1 - i])
            output.scores[i] = RankingKernels.score(ofKey: best[count - 1 - i])
        }
    }

    /// Keeps the `k` largest of the `count` keys in `keys[0 ..< k]`, sets `count` to `k` and
    /// returns the smallest kept score: the new threshold (``RankingKernels/compactKeys(_:count:keep:)``).
    static func compact(_ keys: UnsafeMutableBufferPointer<UInt64>, count: inout Int, k: Int) -> Float {
        RankingKernels.compactKeys(keys.baseAddress!, count: &count, keep: k)
    }
}
