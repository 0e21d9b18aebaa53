import VenueLinearAlgebra

/// Builds one sparse row at a time from unsorted `(column, value)` pairs, exactly as
/// ``SparseMatrix/init(rows:columns:rowIndices:columnIndices:values:)`` builds each of its rows:
/// columns ascending, a repeated column's values summed in input order.
///
/// It keeps its buffers from row to row, so building a row allocates nothing once they have
/// grown: for per-shopper paths such as folding in a new shopper.
public struct SparseRowBuilder: Sendable {
    /// The row's columns, ascending, each once.
    public private(set) var columns: [Int32] = []
    /// The row's values, alongside ``columns``.
    public private(set) var values: [Float] = []
    /// Sort keys, `column << 32 | input position`.
    private var keys: [UInt64] = []

    /// An empty row.
    public init() {}

    /// Replaces the row with `values[k]` at `columns[k]`, summing repeated columns.
    /// O(n²) for up to 32 pairs (insertion sort), O(n log n) beyond (heap sort, in place).
    public mutating func build(columns inputColumns: [Int32], values inputValues: [Float]) {
        precondition(inputColumns.count == inputValues.count, "columns and values differ in length")
        precondition(inputColumns.count < 1 << 32, "more than 2³² pairs")
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(inputColumns.count)
        for (position, column) in inputColumns.enumerated() { keys.append(SparseMatrix.key(column: column, position: position)) }
        columns.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        columns.reserveCapacity(inputColumns.count)
        values.reserveCapacity(inputColumns.count)
        keys.withUnsafeMutableBufferPointer { keys in
            // The keys are distinct, so any sort gives the coordinate initialiser's order.
            if keys.count <= 32 { SparseMatrix.insertionSort(keys) } else { keys.heapSort() }
            SparseMatrix.appendMerged(UnsafeBufferPointer(keys), inputValues, &columns, &values)
        }
    }
}
