/// A read-only table of elements on 64-byte boundaries: a cache line, and one AVX-512 vector.
///
/// Kernels stream brand tables with 64-byte vector loads. A Swift array's elements start at some
/// 16-byte boundary (32 bytes past a line for the packed brand table when measured), and then
/// every such load spans two lines: block ranking ran 3–5% slower so.
///
/// **Rule:** the elements are written only by the initialiser and never after, so any number of
/// threads may read them at once; that, not the type system, makes sharing safe, hence
/// `@unchecked Sendable`.
public final class AlignedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    /// Number of elements.
    public let count: Int
    /// The first element (64-byte aligned; valid, and not to be read, when `count` is 0).
    public let base: UnsafePointer<Element>

    /// A copy of `elements`. O(count).
    public init(_ elements: [Element]) {
        count = elements.count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(1, count) * MemoryLayout<Element>.stride, alignment: max(64, MemoryLayout<Element>.alignment))
        let copy = raw.bindMemory(to: Element.self, capacity: max(1, count))
        elements.withUnsafeBufferPointer { source in
            if let from = source.baseAddress { copy.initialize(from: from, count: source.count) }
        }
        base = UnsafePointer(copy)
    }

    deinit { UnsafeMutableRawPointer(mutating: base).deallocate() }

    /// Element `i`. O(1).
    @inlinable
    public subscript(i: Int) -> Element {
        precondition(i >= 0 && i < count, "index \(i) outside 0..<\(count)")
        return base[i]
    }
}
