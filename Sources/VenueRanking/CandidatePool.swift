import VenueLinearAlgebra

/// Top-K selection from a score row by threshold and compaction: the kernel passes on only scores
/// above the current K-th best, as sortable keys (``RankingKernels/key(score:index:)``); when
/// `2K` have gathered, a quickselect keeps the best K and raises the threshold.
///
/// Expected O(brands) for the vectorised scan plus O(K log(brands/K)) for compactions, and one
/// O(K log K) sort at the end; no allocation once the pool has grown to its size.
struct CandidatePool: Sendable {
    private var keys: [UInt64] = []

    /// Longest chunk scanned against one threshold.
    static let longestChunk = 2048

    /// Selects the best `k` of `scores[j] + base[j]` (`j < n`) into `output`, best first,
    /// skipping NaN and `-infinity`; ties go to the lower index.
    mutating func select(
        _ k: Int, scores: UnsafePointer<Float>, base: UnsafePointer<Float>?, count n: Int, into output: inout RankedBrands
    ) {
        let k = max(0, k)
        let needed = 4 * k + Self.longestChunk
        if keys.count < needed { keys = [UInt64](repeating: 0, count: needed) }
        guard k > 0 else {
            output.resize(0)
            return
        }
        keys.withUnsafeMutableBufferPointer { keys in
            var count = 0
            var threshold = -Float.infinity
            // Chunks grow from 2K, so each tends to pass about K candidates once a threshold exists.
            var start = 0
            var length = max(4 * k, 64)
            while start < n {
                let m = min(length, n - start, Self.longestChunk)
                count += RankingKernels.selectKeysAbove(
                    scores: scores + start, base: base.map { $0 + start }, count: m, threshold: threshold,
                    first: Int32(start), keys: keys.baseAddress! + count)
                if count >= 4 * k { threshold = Self.compact(keys, count: &count, k: k) }
                start += m
                length *= 2
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
    private static func compact(_ keys: UnsafeMutableBufferPointer<UInt64>, count: inout Int, k: Int) -> Float {
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
