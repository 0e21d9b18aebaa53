/// A row-major `Float` buffer that parallel workers share, 64-byte aligned.
///
/// **Rule:** while workers run, each writes only the rows of the chunks it claimed, and reads
/// only rows nobody writes in that phase (typically: the other side's factors). That rule, not
/// the type system, is what makes sharing safe, hence `@unchecked Sendable`.
public final class SharedRows: @unchecked Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns (floats per row).
    public let columns: Int
    /// The first element; row `r` starts at `base + r * columns`.
    public let base: UnsafeMutablePointer<Float>

    /// A zero-filled buffer of `rows × columns`.
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        let count = max(1, rows * columns)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: count)
        base.initialize(repeating: 0, count: count)
    }

    /// A buffer holding a copy of `matrix`.
    public convenience init(_ matrix: Matrix) {
        self.init(rows: matrix.rows, columns: matrix.columns)
        matrix.withUnsafeBufferPointer { source in
            if let address = source.baseAddress { base.update(from: address, count: source.count) }
        }
    }

    deinit { base.deallocate() }

    /// Row `r`'s first element.
    @inlinable
    public func row(_ r: Int) -> UnsafeMutablePointer<Float> { base + r * columns }

    /// A copy as a `Matrix`.
    public func matrix() -> Matrix {
        Matrix(rows: rows, columns: columns, storage: Array(UnsafeBufferPointer(start: base, count: rows * columns)))
    }
}
