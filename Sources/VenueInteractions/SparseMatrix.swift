/// A compressed sparse row (CSR) matrix of `Float`: row `r`'s entries are
/// `columnIndices[rowStarts[r] ..< rowStarts[r + 1]]` with `values` alongside, columns ascending.
public struct SparseMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` and `values`.
    public let rowStarts: [Int]
    /// Column of each stored entry, ascending within a row.
    public let columnIndices: [Int32]
    /// Value of each stored entry.
    public var values: [Float]

    /// Number of stored entries.
    public var nonzeroCount: Int { columnIndices.count }

    /// A CSR matrix from its arrays; they must be consistent (checked).
    public init(rows: Int, columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Float]) {
        precondition(
            rowStarts.count == rows + 1 && rowStarts.last == columnIndices.count && values.count == columnIndices.count,
            "inconsistent CSR arrays")
        self.rows = rows
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Builds a CSR matrix from coordinate triples, summing duplicates (in input order, so the
    /// result is deterministic) and sorting columns within each row. O(rows + entries + Σ L log L)
    /// for row lengths L; close to one pass when the triples come grouped by row, as event logs
    /// grouped by shopper do.
    public init(rows: Int, columns: Int, rowIndices: [Int32], columnIndices: [Int32], values: [Float]) {
        precondition(rowIndices.count == columnIndices.count && values.count == rowIndices.count, "triples differ in length")
        let n = rowIndices.count
        precondition(n < 1 << 32, "more than 2³² triples")
        // A counting sort by row puts each row's (column, input position) keys together; sorting
        // each row's keys then orders it by column, duplicates in input order.
        var counts = [Int](repeating: 0, count: rows + 1)
        for r in rowIndices { counts[Int(r) + 1] += 1 }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var keys = [UInt64](repeating: 0, count: n)
        keys.withUnsafeMutableBufferPointer { keys in
            var next = counts
            for i in 0..<n {
                let r = Int(rowIndices[i])
                keys[next[r]] = Self.key(column: columnIndices[i], position: i)
                next[r] += 1
            }
            for r in 0..<rows {
                var row = UnsafeMutableBufferPointer(rebasing: keys[counts[r]..<counts[r + 1]])
                if row.count <= 32 {
                    Self.insertionSort(row)
                } else {
                    row.sort()
                }
            }
        }
        // Merge duplicates.
        var starts = [Int](repeating: 0, count: rows + 1)
        var outColumns = [Int32]()
        var outValues = [Float]()
        outColumns.reserveCapacity(n)
        outValues.reserveCapacity(n)
        keys.withUnsafeBufferPointer { keys in
            for r in 0..<rows {
                Self.appendMerged(UnsafeBufferPointer(rebasing: keys[counts[r]..<counts[r + 1]]), values, &outColumns, &outValues)
                starts[r + 1] = outColumns.count
            }
        }
        self.init(rows: rows, columns: columns, rowStarts: starts, columnIndices: outColumns, values: outValues)
    }

    /// Appends one row's entries to `columns` and `values`, given its keys `column << 32 | input
    /// position` sorted: each column once, its duplicates' `inputValues` summed in input order.
    static func appendMerged(
        _ keys: UnsafeBufferPointer<UInt64>, _ inputValues: [Float], _ columns: inout [Int32], _ values: inout [Float]
    ) {
        var previous: Int32 = -1
        for key in keys {
            let c = Int32(truncatingIfNeeded: key >> 32)
            let value = inputValues[Int(key & 0xFFFF_FFFF)]
            if c == previous {
                values[values.count - 1] += value
            } else {
                columns.append(c)
                values.append(value)
                previous = c
            }
        }
    }

    /// The key that orders an entry by column, then by its position in the input.
    static func key(column: Int32, position: Int) -> UInt64 { UInt64(UInt32(bitPattern: column)) << 32 | UInt64(position) }

    /// Sorts a short run of keys in place.
    static func insertionSort(_ keys: UnsafeMutableBufferPointer<UInt64>) {
        guard keys.count > 1 else { return }
        for i in 1..<keys.count {
            let key = keys[i]
            var j = i
            while j > 0 && keys[j - 1] > key {
                keys[j] = keys[j - 1]
                j -= 1
            }
            keys[j] = key
        }
    }

    /// The range of row `r`'s entries in `columnIndices` and `values`.
    @inlinable
    public func range(ofRow r: Int) -> Range<Int> { rowStarts[r]..<rowStarts[r + 1] }

    /// Number of entries in row `r`.
    @inlinable
    public func count(ofRow r: Int) -> Int { rowStarts[r + 1] - rowStarts[r] }

    /// The value at `row`, `column` (zero when not stored). O(log row length).
    public subscript(row: Int, column: Int) -> Float {
        let range = range(ofRow: row)
        var low = range.lowerBound
        var high = range.upperBound
        let target = Int32(column)
        while low < high {
            let mid = (low + high) / 2
            if columnIndices[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low < range.upperBound && columnIndices[low] == target ? values[low] : 0
    }

    /// The transpose, in CSR (i.e. this matrix in CSC). O(rows + columns + entries).
    public func transposed() -> SparseMatrix {
        var starts = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { starts[Int(c) + 1] += 1 }
        for c in 0..<columns { starts[c + 1] += starts[c] }
        var next = starts
        var outRows = [Int32](repeating: 0, count: nonzeroCount)
        var outValues = [Float](repeating: 0, count: nonzeroCount)
        for r in 0..<rows {
            for p in range(ofRow: r) {
                let c = Int(columnIndices[p])
                outRows[next[c]] = Int32(r)
                outValues[next[c]] = values[p]
                next[c] += 1
            }
        }
        return SparseMatrix(rows: columns, columns: rows, rowStarts: starts, columnIndices: outRows, values: outValues)
    }

    /// The same pattern with every value replaced by `transform(value)`.
    public func mapValues(_ transform: (Float) throws -> Float) rethrows -> SparseMatrix {
        var copy = self
        copy.values = try values.map(transform)
        return copy
    }
}
