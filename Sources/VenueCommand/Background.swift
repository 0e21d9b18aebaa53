import Dispatch
import Synchronization

/// A computation started on another thread (or run right away, when `onOwnThread` is false),
/// whose result ``join()`` waits for. Sharing rule: the result is written once, by the worker,
/// before it signals; ``join()`` reads it only after that signal.
final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(onOwnThread: Bool, _ body: @escaping @Sendable () -> T) {
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
    func join() -> T {
        done.wait()
        return result.withLock { $0! }
    }
}
