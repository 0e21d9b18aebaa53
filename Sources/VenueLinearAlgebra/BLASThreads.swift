import COpenBLAS

/// The size of OpenBLAS's own thread pool (process-wide).
///
/// Large single calls (YᵀY, block scoring) may use every core; code that runs its own parallel
/// workers sets this to one for the duration, because a 64×64 solve gains nothing from
/// OpenBLAS threads and oversubscription hurts. `OPENBLAS_NUM_THREADS` sets the initial value.
public enum BLASThreads {
    /// The number of threads OpenBLAS uses for one call.
    public static var count: Int {
        Int(openblas_get_num_threads())
    }

    /// Sets the number of threads OpenBLAS uses for one call (at least 1).
    public static func set(_ threads: Int) {
        openblas_set_num_threads(Int32(max(1, threads)))
    }

    /// Runs `body` with OpenBLAS at `threads` threads and restores the previous count afterwards.
    public static func with<R, E: Error>(_ threads: Int, _ body: () throws(E) -> R) throws(E) -> R {
        let previous = count
        set(threads)
        defer { set(previous) }
        return try body()
    }
}
