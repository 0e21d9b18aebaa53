import Dispatch
import Synchronization

extension ParallelChunks {
    /// Computes `produce(chunkIndex, chunk)` for every chunk on `threads` workers and hands the
    /// results to `consume` **in chunk order**, so output written there is the same on any thread
    /// count.
    ///
    /// Works in windows of `window` chunks (default: 4 per worker), pipelined: while the workers
    /// produce window `i`, one more task consumes window `i − 1`, so writing overlaps computing.
    /// At most two windows of results exist at once, which bounds memory however many chunks
    /// there are. `consume` is called for one chunk at a time, never concurrently, but not
    /// necessarily on the calling thread. Each worker builds its state with `makeWorker` once and
    /// keeps it. OpenBLAS runs at one thread inside the workers. If `consume` throws, no further
    /// windows are started and the error is rethrown.
    public func stream<Worker, Output, Failure: Error>(
        threads: Int, window: Int = 0, makeWorker: @Sendable () -> Worker,
        produce: @Sendable (inout Worker, Int, Range<Int>) -> Output,
        consume: (Output) throws(Failure) -> Void
    ) throws(Failure) {
        guard !chunks.isEmpty else { return }
        let workers = max(1, min(threads, chunks.count))
        let window = window > 0 ? window : 4 * workers
        let chunks = self.chunks
        let windows = stride(from: 0, to: chunks.count, by: window).map { $0..<min($0 + window, chunks.count) }
        let failure: Failure? = withoutActuallyEscaping(produce) { produce in
            withoutActuallyEscaping(makeWorker) { makeWorker in
                withoutActuallyEscaping(consume) { consume in
                    let task = StreamTask<Worker, Output, Failure>(
                        workers: workers, window: window, produce: produce, makeWorker: makeWorker, consume: consume)
                    BLASThreads.with(1) {
                        for (w, range) in windows.enumerated() {
                            task.prepare(chunks: chunks, range: range, parity: w % 2)
                            let consumer = w > 0 && task.failure == nil ? windows[w - 1].count : 0
                            let iterations = workers + (consumer > 0 ? 1 : 0)
                            if iterations == 1 {
                                task.work(slot: 0)
                            } else {
                                DispatchQueue.concurrentPerform(iterations: iterations) { i in
                                    if i == workers { task.consume(count: consumer, parity: (w - 1) % 2) } else { task.work(slot: i) }
                                }
                            }
                            if task.failure != nil { break }
                        }
                        if task.failure == nil, let last = windows.last {
                            task.consume(count: last.count, parity: (windows.count - 1) % 2)
                        }
                    }
                    return task.failure
                }
            }
        }
        if let failure { throw failure }
    }
}

/// One streaming run's shared state. Rules: worker slot `w` is only touched by the worker
/// iteration `w`; result slot `parity·window + i` is written by the one worker that claimed
/// chunk `i` of that window, and read by the consumer only in the next round (after a
/// `concurrentPerform` join); only one consumer runs at a time.
private final class StreamTask<Worker, Output, Failure: Error>: @unchecked Sendable {
    let counter = Atomic<Int>(0)
    let produce: @Sendable (inout Worker, Int, Range<Int>) -> Output
    let makeWorker: @Sendable () -> Worker
    let consumeOne: (Output) throws(Failure) -> Void
    let workerSlots: UnsafeMutablePointer<Worker?>
    let workerCount: Int
    let results: UnsafeMutablePointer<Output?>
    let window: Int
    var chunks: ArraySlice<Range<Int>> = []
    var firstIndex = 0
    var parity = 0
    var failure: Failure?

    init(
        workers: Int, window: Int, produce: @escaping @Sendable (inout Worker, Int, Range<Int>) -> Output,
        makeWorker: @escaping @Sendable () -> Worker, consume: @escaping (Output) throws(Failure) -> Void
    ) {
        self.produce = produce
        self.makeWorker = makeWorker
        self.consumeOne = consume
        self.window = window
        workerCount = workers
        workerSlots = .allocate(capacity: workers)
        workerSlots.initialize(repeating: nil, count: workers)
        results = .allocate(capacity: 2 * window)
        results.initialize(repeating: nil, count: 2 * window)
    }

    deinit {
        results.deinitialize(count: 2 * window)
        results.deallocate()
        workerSlots.deinitialize(count: workerCount)
        workerSlots.deallocate()
    }

    func prepare(chunks all: [Range<Int>], range: Range<Int>, parity: Int) {
        chunks = all[range]
        firstIndex = range.lowerBound
        self.parity = parity
        counter.store(0, ordering: .relaxed)
    }

    func work(slot: Int) {
        var worker = workerSlots[slot].take() ?? makeWorker()
        let base = results + parity * window
        while true {
            let i = counter.wrappingAdd(1, ordering: .relaxed).oldValue
            guard i < chunks.count else { break }
            base[i] = produce(&worker, firstIndex + i, chunks[chunks.startIndex + i])
        }
        workerSlots[slot] = worker
    }

    func consume(count: Int, parity: Int) {
        let base = results + parity * window
        for i in 0..<count {
            let output = base[i].take()!
            guard failure == nil else { continue }
            do throws(Failure) { try consumeOne(output) } catch { failure = error }
        }
    }
}
