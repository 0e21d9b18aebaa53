import VenueInteractions
import VenueLinearAlgebra

/// A per-interaction random holdout: each (shopper, brand) pair goes to the test set with
/// probability `fraction`, as `implicit.evaluation.train_test_split` does.
public struct HoldoutSplit: Sendable {
    /// Pairs kept for training.
    public let train: InteractionMatrix
    /// Held-out pairs.
    public let test: InteractionMatrix

    /// Splits `matrix` with a seeded draw per stored pair (in row order). O(nnz).
    public init(_ matrix: InteractionMatrix, fraction: Double, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let m = matrix.byShopper
        var trainRows: [Int32] = [], trainColumns: [Int32] = [], trainValues: [Float] = []
        var testRows: [Int32] = [], testColumns: [Int32] = [], testValues: [Float] = []
        for u in 0..<m.rows {
            for p in m.range(ofRow: u) {
                if random.unit() < fraction {
                    testRows.append(Int32(u)); testColumns.append(m.columnIndices[p]); testValues.append(m.values[p])
                } else {
                    trainRows.append(Int32(u)); trainColumns.append(m.columnIndices[p]); trainValues.append(m.values[p])
                }
            }
        }
        train = InteractionMatrix(
            shopperIDs: matrix.shopperIDs, brandIDs: matrix.brandIDs,
            byShopper: SparseMatrix(
                rows: m.rows, columns: m.columns, rowIndices: trainRows, columnIndices: trainColumns, values: trainValues))
        test = InteractionMatrix(
            shopperIDs: matrix.shopperIDs, brandIDs: matrix.brandIDs,
            byShopper: SparseMatrix(rows: m.rows, columns: m.columns, rowIndices: testRows, columnIndices: testColumns, values: testValues))
    }
}
