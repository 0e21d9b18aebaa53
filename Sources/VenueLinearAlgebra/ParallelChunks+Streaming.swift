import Dispatch
import Foundation

extension ParallelChunks {
    /// Computes `produce(chunkIndex, chunk)` for every chunk on `threads` workers and hands the
    /// results to `consume` **in chunk order**, so output written there is the same on any thread
    /// count.
    ///
    /// A continuous pipeline: workers claim chunks in order, one at a time, and never wait for
    /// each other; the calling thread consumes each result as soon as it is the next in order.
    /// At most `window` results (default: 4 per worker, at least one per worker) wait to be
    /// consumed besides the one being consumed — a worker waits before claiming a chunk beyond
    /// that — which bounds memory however many chunks there are. `consume` runs on the calling thread, one chunk at a time. Each worker builds its
    /// state with `makeWorker` once and keeps it. OpenBLAS runs at one thread inside the workers.
    /// If `consume` throws, workers claim nothing more and the error is rethrown once they have
    /// stopped.
    public func stream<Worker, Output, Failure: Error>(
        threads: Int, window: Int = 0, makeWorker: @Sendable () -> Worker,
        produce: @Sendable (inout Worker, Int, Range<Int>) -> Output,
        consume: (Output) throws(Failure) -> Void
    ) throws(Failure) {
        guard !chunks.isEmpty else { return }
        let workers = max(1, min(threads, chunks.count))
        let window = max(workers, window > 0 ? window : 4 * workers)
        let chunks = self.chunks
        var failure: Failure?
        BLASThreads.with(1) {
            if workers == 1 {
                // One worker: produce and consume in turn on this thread.
                var worker = makeWorker()
                for (index, chunk) in chunks.enumerated() {
                    do throws(Failure) { try consume(produce(&worker, index, chunk)) } catch {
                        failure = error
                        return
                    }
                }
                return
            }
            withoutActuallyEscaping(produce) { produce in
                withoutActuallyEscaping(makeWorker) { makeWorker in
                    let pipeline = Pipeline(chunks: chunks, window: window, produce: produce, makeWorker: makeWorker)
                    let finished = DispatchGroup()
                    for _ in 0..<workers {
                        finished.enter()
                        let thread = Thread {
                            pipeline.work()
                            finished.leave()
                        }
                        thread.name = "venue-stream"
                        thread.start()
                    }
                    for index in chunks.indices {
                        let output = pipeline.take(index)
                        do throws(Failure) { try consume(output) } catch {
                            failure = error
                            pipeline.stop()
                            break
                        }
                    }
                    finished.wait()
                    // The workers are done with the closures; drop them before they stop being valid.
                    pipeline.release()
                }
            }
        }
        if let failure { throw failure }
    }
}

/// One streaming run's shared state.
///
/// Rule: `next`, `consumed`, `stopped` and `results` are read and written only while holding
/// `condition`. `produce` and `makeWorker` are set before the workers start, only read by them,
/// and cleared by ``release()`` after every worker has returned from ``work()``.
private final class Pipeline<Worker, Output>: @unchecked Sendable {
    let chunks: [Range<Int>]
    private let window: Int
    private let condition = NSCondition()
    private var next = 0
    private var consumed = 0
    private var stopped = false
    private var results: [Output?]
    private var produce: (@Sendable (inout Worker, Int, Range<Int>) -> Output)?
    private var makeWorker: (@Sendable () -> Worker)?

    init(
        chunks: [Range<Int>], window: Int, produce: @escaping @Sendable (inout Worker, Int, Range<Int>) -> Output,
        makeWorker: @escaping @Sendable () -> Worker
    ) {
        self.chunks = chunks
        self.window = window
        self.produce = produce
        self.makeWorker = makeWorker
        results = [Output?](repeating: nil, count: window)
    }

    /// A worker's life: claim chunks in order and deliver their results until none are left.
    /// Its references to the closures end when it returns.
    @inline(never)
    func work() {
        guard let produce, let makeWorker else { return }
        var worker = makeWorker()
        while let index = claim() {
            let output = produce(&worker, index, chunks[index])
            condition.lock()
            results[index % window] = output
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next chunk to produce, waiting while `window` results are outstanding; `nil` when all
    /// are claimed or the run stopped.
    private func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && next < chunks.count && next - consumed >= window { condition.wait() }
        guard !stopped && next < chunks.count else { return nil }
        next += 1
        return next - 1
    }

    /// Chunk `index`'s result, waiting until it is delivered (`index` is the next to consume).
    func take(_ index: Int) -> Output {
        condition.lock()
        defer { condition.unlock() }
        while results[index % window] == nil { condition.wait() }
        let output = results[index % window].take()!
        consumed = index + 1
        condition.broadcast()
        return output
    }

    /// No more chunks are claimed; waiting workers return.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops the closures (after every worker has returned).
    func release() {
        produce = nil
        makeWorker = nil
        condition.lock()
        for i in results.indices { results[i] = nil }
        condition.unlock()
    }
}
