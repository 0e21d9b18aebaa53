import Dispatch
import Synchronization

/// A computation started on another thread (or run right away, when `onOwnThread` is false),
/// whose result ``join()`` waits for: two independent preparations overlap, with no thread count
/// changing the result. Sharing rule: the result is written once, by the worker, before it
/// signals; ``join()`` reads it only after that signal.
public final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts `body` on a global-queue thread when `onOwnThread`, else runs it before returning.
    public init(onOwnThread: Bool, _ body: @escaping @Sendable () -> T) {
        guard onOwnThread else {
            result.withLock { $0 = body() }
            done.signal()
            return
        }
        DispatchQueue.global().async { [self] in
            result.withLock { $0 = body() }
            done.signal()
        }
    }

    /// The result, once the computation has finished. Call at most once.
    public func join() -> T {
        done.wait()
        return result.withLock { $0! }
    }
}
