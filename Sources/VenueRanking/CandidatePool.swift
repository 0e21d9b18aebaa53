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
        let k = max(0, k)
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
            if count > k { _ = Self.compact(keys, count: &count, k: k) }
            var best = UnsafeMutableBufferPointer(rebasing: keys[0..<count])
            best.sort(by: >)
            output.resize(count)
            for i in 0..<count {
                output.brands[i] = RankingKernels.index(ofKey: best[i])
                output.scores[i] = RankingKernels.score(ofKey: best[i])
            }
        }
    }

    /// Keeps the `k` largest of the `count` keys in `keys[0 ..< k]` (quickselect), sets `count`
    /// to `k` and returns the smallest kept score: the new threshold.
    static func compact(_ keys: UnsafeMutableBufferPointer<UInt64>, count: inout Int, k: Int) -> Float {
        let target = k - 1
        var low = 0
        var high = count - 1
        while low < high {
            let middle = low + (high - low) / 2
            let pivot = Self.median(keys[low], keys[middle], keys[high])
            var i = low
            var j = high
            while i <= j {
                while keys[i] > pivot { i += 1 }
                while keys[j] < pivot { j -= 1 }
                if i <= j {
                    keys.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if target <= j {
                high = j
            } else if target >= i {
                low = i
            } else {
                break
            }
        }
        count = k
        var smallest = UInt64.max
        for i in 0..<k where keys[i] < smallest { smallest = keys[i] }
        return RankingKernels.score(ofKey: smallest)
    }

    private static func median(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        max(min(a, b), min(max(a, b), c))
    }
}
