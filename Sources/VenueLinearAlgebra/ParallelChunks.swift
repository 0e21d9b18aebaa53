import Dispatch
import Synchronization

/// Runs work over fixed chunks of rows on a number of workers that claim chunks one at a time.
///
/// The chunks are fixed before any worker starts and never depend on the number of threads, so
/// anything computed per chunk (a row's solve, a partial sum) is the same on any thread count;
/// workers claim them dynamically, so a few heavy rows do not leave threads idle. OpenBLAS runs
/// at one thread inside the workers.
public struct ParallelChunks: Sendable {
    /// The chunks, in row order, covering `0 ..< rowCount`.
    public let chunks: [Range<Int>]

    /// Chunks of `0 ..< rowCount` of roughly equal cost, where row `r` costs `cost(r)`
    /// (e.g. its nonzeros plus a constant); about `target` chunks, never splitting a row.
    public init(rowCount: Int, target: Int = 512, cost: (Int) -> Int) {
        var total = 0
        for r in 0..<rowCount { total += cost(r) }
        let budget = max(1, total / max(1, target))
        var chunks: [Range<Int>] = []
        var start = 0
        var accumulated = 0
        for r in 0..<rowCount {
            accumulated += cost(r)
            if accumulated >= budget {
                chunks.append(start..<r + 1)
                start = r + 1
                accumulated = 0
            }
        }
        if start < rowCount { chunks.append(start..<rowCount) }
        self.chunks = chunks
    }

    /// Consecutive chunks of `size` rows covering `0 ..< rowCount` (the last may be shorter).
    public init(rowCount: Int, chunkSize size: Int) {
        precondition(size > 0, "chunk size must be positive")
        chunks = stride(from: 0, to: rowCount, by: size).map { $0..<min($0 + size, rowCount) }
    }

    /// Runs `body(chunkIndex, chunk)` for every chunk on `threads` workers. `makeWorker` builds
    /// each worker's state (scratch buffers) once; `body` receives it `inout`.
    public func run<Worker>(
        threads: Int, makeWorker: @Sendable () -> Worker,
        _ body: @Sendable (inout Worker, Int, Range<Int>) -> Void
    ) {
        let workers = max(1, min(threads, chunks.count))
        let chunks = self.chunks
        BLASThreads.with(1) {
            if workers == 1 {
                var worker = makeWorker()
                for (index, chunk) in chunks.enumerated() { body(&worker, index, chunk) }
                return
            }
            withoutActuallyEscaping(body) { body in
                withoutActuallyEscaping(makeWorker) { makeWorker in
                    let task = ChunkTask(chunks: chunks, body: body, makeWorker: makeWorker)
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in task.work() }
                }
            }
        }
    }

    /// Sums `value(chunkIndex, chunk)` over all chunks in chunk order (deterministic for any
    /// thread count), computing the chunks in parallel.
    public func sum<Worker>(
        threads: Int, makeWorker: @Sendable () -> Worker,
        _ value: @Sendable (inout Worker, Int, Range<Int>) -> Double
    ) -> Double {
        let partials = SharedDoubles(count: chunks.count)
        run(threads: threads, makeWorker: makeWorker) { worker, index, chunk in
            partials.base[index] = value(&worker, index, chunk)
        }
        var total = 0.0
        for i in 0..<chunks.count { total += partials.base[i] }
        return total
    }
}

/// One parallel run's shared state: the next chunk to claim. Its closures are only called
/// while `run` is on the stack (they do not really escape).
private final class ChunkTask<Worker>: @unchecked Sendable {
    let counter = Atomic<Int>(0)
    let chunks: [Range<Int>]
    let body: @Sendable (inout Worker, Int, Range<Int>) -> Void
    let makeWorker: @Sendable () -> Worker

    init(
        chunks: [Range<Int>], body: @escaping @Sendable (inout Worker, Int, Range<Int>) -> Void,
        makeWorker: @escaping @Sendable () -> Worker
    ) {
        self.chunks = chunks
        self.body = body
        self.makeWorker = makeWorker
    }

    func work() {
        var worker = makeWorker()
        while true {
            let index = counter.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < chunks.count else { return }
            body(&worker, index, chunks[index])
        }
    }
}

/// Per-chunk partial sums. Rule: chunk `i`'s worker alone writes element `i`.
final class SharedDoubles: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(count: Int) {
        base = .allocate(capacity: max(1, count))
        base.initialize(repeating: 0, count: max(1, count))
    }
    deinit { base.deallocate() }
}
