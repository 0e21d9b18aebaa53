extension MutableCollection where Self: RandomAccessCollection {
    /// Sorts the collection in place so that `areInIncreasingOrder(a, b)` holds for no later `a`
    /// and earlier `b`, without allocating: the standard library's `sort(by:)` is a merge sort that
    /// allocates a buffer of half the elements once there are more than 20 of them, which a loop
    /// over millions of shoppers would do once per shopper.
    ///
    /// Not stable: use it with a strict total order (ties broken by a unique key, such as the
    /// brand), under which every sort gives the same result. O(n log n) comparisons and swaps.
    @inlinable
    public mutating func heapSort(by areInIncreasingOrder: (Element, Element) throws -> Bool) rethrows {
        let n = count
        guard n > 1 else { return }
        func at(_ i: Int) -> Index { index(startIndex, offsetBy: i) }
        /// Restores the max-heap below `root`, within the first `end` elements.
        func siftDown(_ root: Int, _ end: Int) throws {
            var parent = root
            while true {
                let left = 2 * parent + 1
                guard left < end else { return }
                var larger = left
                if left + 1 < end, try areInIncreasingOrder(self[at(left)], self[at(left + 1)]) { larger = left + 1 }
                guard try areInIncreasingOrder(self[at(parent)], self[at(larger)]) else { return }
                swapAt(at(parent), at(larger))
                parent = larger
            }
        }
        for root in stride(from: n / 2 - 1, through: 0, by: -1) { try siftDown(root, n) }
        for end in stride(from: n - 1, to: 0, by: -1) {
            swapAt(startIndex, at(end))
            try siftDown(0, end)
        }
    }
}

extension MutableCollection where Self: RandomAccessCollection, Element: Comparable {
    /// Sorts the collection ascending in place without allocating (``heapSort(by:)``). Equal
    /// elements are indistinguishable, so the result is the same as `sort()`'s.
    @inlinable
    public mutating func heapSort() { heapSort(by: <) }
}
