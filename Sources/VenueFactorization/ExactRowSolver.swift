import VenueLinearAlgebra

/// Solves one row's normal equations exactly:
/// `(YᵀY + λI + Yᵀ(C_u − I)Y) x = YᵀC_u p_u` by Cholesky.
///
/// The Gram correction is built at matrix level: the row's factor rows are gathered in tiles,
/// scaled by `√(c − 1)`, and added with one rank-k update per tile (not one rank-1 update per
/// nonzero; `SparseRowKernels.addGram`, `ssyrk` where it has no kernel), the first tile starting
/// from `YᵀY + λI` rather than from a copy of it, then factored and solved in one call
/// (`Cholesky.solve(_:n:b:)`). Scratch is allocated once per solver; solving allocates nothing.
/// O(n·f² + f³/3) for a row with `n` nonzeros and `f` factors.
public struct ExactRowSolver: ~Copyable {
    /// Rows gathered per Gram update: 128 rows of 64 factors (32 KB) stay in L1 while the
    /// kernel passes over them once per group of four columns.
    static let tile = 128

    let factors: Int
    let matrix: UnsafeMutablePointer<Float>
    let gathered: UnsafeMutablePointer<Float>

    /// A solver for `factors` factors.
    public init(factors: Int) {
        self.factors = factors
        // Zeroed once: the Gram kernel leaves elements above the diagonal unwritten, so none of
        // them holds uninitialised memory whatever a kernel loads.
        matrix = .allocate(capacity: factors * factors)
        matrix.initialize(repeating: 0, count: factors * factors)
        gathered = .allocate(capacity: Self.tile * factors)
    }

    deinit {
        matrix.deallocate()
        gathered.deallocate()
    }

    /// Writes the solution into `x`.
    ///
    /// - Parameters:
    ///   - columns: the row's nonzero columns (indices into `fixed`).
    ///   - confidences: their confidences `c ≥ 1`.
    ///   - fixed: the other side's factors, row-major, `factors` columns.
    ///   - gram: `YᵀY` of `fixed`, `factors × factors`, both triangles.
    ///   - regularization: λ for this row.
    func solve(
        columns: UnsafePointer<Int32>, confidences: UnsafePointer<Float>, count: Int,
        fixed: UnsafePointer<Float>, gram: UnsafePointer<Float>, regularization: Float,
        into x: UnsafeMutablePointer<Float>
    ) -> RowFailure? {
        let f = factors
        x.update(repeating: 0, count: f)
        // At least one tile, empty for a row without nonzeros: the first starts the system from
        // YᵀY + λI, the others add to it.
        var start = 0
        repeat {
            let end = min(count, start + Self.tile)
            SparseRowKernels.gatherScaled(
                factors: f, count: end - start, columns: columns + start, confidences: confidences + start,
                fixed: fixed, gathered: gathered, b: x)
            if start == 0 {
                SparseRowKernels.setGram(
                    factors: f, count: end, gathered: gathered, base: gram, regularization: regularization, into: matrix)
            } else {
                SparseRowKernels.addGram(factors: f, count: end - start, gathered: gathered, into: matrix)
            }
            start = end
        } while start < count
        do {
            try Cholesky.solve(matrix, n: f, b: x)
        } catch {
            return .cholesky(error)
        }
        for d in 0..<f where !x[d].isFinite { return .nonFinite }
        return nil
    }
}
