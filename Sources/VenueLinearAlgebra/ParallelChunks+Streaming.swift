import Dispatch
import Synchronization

extension ParallelChunks {
    /// Computes `produce(chunkIndex, chunk)` for every chunk on `threads` workers and hands the
    /// results to `consume` on the calling thread **in chunk order**, so output written there is
    /// the same on any thread count.
    ///
    /// Works in windows of `window` chunks (default: 4 per worker): at most that many results
    /// exist at once, which bounds memory however many chunks there are. Each worker builds its
    /// state with `makeWorker` once and keeps it across windows. OpenBLAS runs at one thread
    /// inside the workers. If `consume` throws, no further chunks are computed.
    public func stream<Worker, Output>(
        threads: Int, window: Int = 0, makeWorker: @Sendable () -> Worker,
        produce: @Sendable (inout Worker, Int, Range<Int>) -> Output,
        consume: (Output) throws -> Void
    ) rethrows {
        guard !chunks.isEmpty else { return }
        let workers = max(1, min(threads, chunks.count))
        let window = window > 0 ? window : 4 * workers
        let chunks = self.chunks
        try withoutActuallyEscaping(produce) { produce in
            try withoutActuallyEscaping(makeWorker) { makeWorker in
                let task = StreamTask<Worker, Output>(workers: workers, window: window, produce: produce, makeWorker: makeWorker)
                var start = 0
                while start < chunks.count {
                    let end = min(start + window, chunks.count)
                    task.prepare(chunks: chunks, range: start..<end)
                    BLASThreads.with(1) {
                        if workers == 1 {
                            task.work(slot: 0)
                        } else {
                            DispatchQueue.concurrentPerform(iterations: workers) { task.work(slot: $0) }
                        }
                    }
                    for i in 0..<(end - start) { try consume(task.take(i)) }
                    start = end
                }
            }
        }
    }
}

/// One streaming run's shared state. Rules: worker slot `w` is only touched by the
/// `concurrentPerform` iteration `w`; result `i` of a window is written by the one worker that
/// claimed chunk `i` and read by the caller only after all workers have returned.
private final class StreamTask<Worker, Output>: @unchecked Sendable {
    let counter = Atomic<Int>(0)
    let produce: @Sendable (inout Worker, Int, Range<Int>) -> Output
    let makeWorker: @Sendable () -> Worker
    let workerSlots: UnsafeMutablePointer<Worker?>
    let workerCount: Int
    let results: UnsafeMutablePointer<Output?>
    let window: Int
    var chunks: ArraySlice<Range<Int>> = []
    var firstIndex = 0

    init(
        workers: Int, window: Int, produce: @escaping @Sendable (inout Worker, Int, Range<Int>) -> Output,
        makeWorker: @escaping @Sendable () -> Worker
    ) {
        self.produce = produce
        self.makeWorker = makeWorker
        self.window = window
        workerCount = workers
        workerSlots = .allocate(capacity: workers)
        workerSlots.initialize(repeating: nil, count: workers)
        results = .allocate(capacity: window)
        results.initialize(repeating: nil, count: window)
    }

    deinit {
        results.deinitialize(count: window)
        results.deallocate()
        workerSlots.deinitialize(count: workerCount)
        workerSlots.deallocate()
    }

    func prepare(chunks all: [Range<Int>], range: Range<Int>) {
        chunks = all[range]
        firstIndex = range.lowerBound
        counter.store(0, ordering: .relaxed)
    }

    func work(slot: Int) {
        var worker = workerSlots[slot].take() ?? makeWorker()
        while true {
            let i = counter.wrappingAdd(1, ordering: .relaxed).oldValue
            guard i < chunks.count else { break }
            results[i] = produce(&worker, firstIndex + i, chunks[chunks.startIndex + i])
        }
        workerSlots[slot] = worker
    }

    func take(_ i: Int) -> Output {
        defer { results[i] = nil }
        return results[i]!
    }
}
