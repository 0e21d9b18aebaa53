/// The `k` best-scoring candidates seen so far, kept in a bounded min-heap, so selecting from
/// `n` candidates costs O(n log k) and never sorts all of them.
///
/// Order: higher score first; equal scores by lower index first, so results are deterministic.
/// Reusable: ``reset(k:)`` keeps the storage, so a loop over shoppers allocates nothing.
public struct TopK: Sendable {
    /// Capacity.
    public private(set) var k: Int
    private var scores: [Float] = []
    private var indices: [Int32] = []

    /// Storage reserved up front, at most: a larger `k` (even `Int.max`, "keep all") grows its
    /// storage as candidates arrive.
    static let reservedAtMost = 1 << 16

    /// An empty selection of capacity `k`.
    public init(k: Int) {
        self.k = max(0, k)
        scores.reserveCapacity(min(self.k, Self.reservedAtMost))
        indices.reserveCapacity(min(self.k, Self.reservedAtMost))
    }

    /// Empties the selection, setting capacity `k`.
    public mutating func reset(k: Int) {
        self.k = max(0, k)
        scores.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
    }

    /// Number of candidates kept.
    public var count: Int { scores.count }

    /// The smallest kept score once full (a candidate must beat it), or `-infinity`.
    @inlinable
    public var threshold: Float { count < k ? -.infinity : worstScore }

    @usableFromInline
    var worstScore: Float { scores[0] }

    /// `a` ranks below `b`.
    @inline(__always)
    static func worse(_ sa: Float, _ ia: Int32, _ sb: Float, _ ib: Int32) -> Bool {
        sa < sb || (sa == sb && ia > ib)
    }

    /// Offers a candidate. O(log k).
    @inline(__always)
    public mutating func insert(_ index: Int32, score: Float) {
        guard k > 0, !score.isNaN else { return }
        if scores.count < k {
            scores.append(score)
            indices.append(index)
            siftUp(scores.count - 1)
        } else if Self.worse(scores[0], indices[0], score, index) {
            scores[0] = score
            indices[0] = index
            siftDown(0)
        }
    }

    /// Calls `body` with each kept candidate, in no particular order (the heap's), without
    /// allocating: for callers that only need the set. O(k).
    public func forEachUnordered(_ body: (_ index: Int32, _ score: Float) throws -> Void) rethrows {
        for i in indices.indices { try body(indices[i], scores[i]) }
    }

    /// The kept candidates, best first. O(k log k).
    public func sorted() -> [(index: Int32, score: Float)] {
        zip(indices, scores).map { (index: $0.0, score: $0.1) }
            .sorted { Self.worse($1.score, $1.index, $0.score, $0.index) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.worse(scores[child], indices[child], scores[parent], indices[parent]) else { return }
            scores.swapAt(child, parent)
            indices.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let n = scores.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            var worst = left
            let right = left + 1
            if right < n && Self.worse(scores[right], indices[right], scores[left], indices[left]) { worst = right }
            guard Self.worse(scores[worst], indices[worst], scores[parent], indices[parent]) else { return }
            scores.swapAt(worst, parent)
            indices.swapAt(worst, parent)
            parent = worst
        }
    }
}
