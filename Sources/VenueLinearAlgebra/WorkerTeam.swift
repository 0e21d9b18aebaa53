import CVenueKernels
import Dispatch
import Foundation
import Synchronization

/// Helper threads that run the parts of one short job beside the caller, for latency rather than
/// throughput: ``run()`` splits a job of tens of microseconds (one shopper's ranking) over
/// ``size`` cores and returns when every part is done.
///
/// The job is fixed when the team is made (a closure of the part number); what changes between
/// runs (the query) lives in storage the job reads, written by the caller before ``run()``. A run
/// therefore allocates nothing.
///
/// Parts are claimed, not assigned: the caller takes part 0 and then any part no helper has
/// claimed yet, so a sleeping or descheduled helper never makes a job slower than running it
/// alone. After a job, helpers spin for ``spin`` waiting for the next one (back-to-back jobs start
/// within a microsecond), then sleep on a semaphore and use no CPU until woken.
///
/// One caller at a time: the team is not `Sendable`. Helper threads stop when the team is
/// released.
public final class WorkerTeam {
    /// Parts per job: the helpers plus the caller.
    public let size: Int
    /// How long a helper spins for the next job before sleeping.
    public let spin: Duration
    private let state: TeamState

    /// A team of `size` (at least 1; `size − 1` helper threads) running `job(part)` for the parts
    /// `0 ..< size` of every ``run()``. Parts must not depend on which thread runs them.
    public init(size: Int, spin: Duration = .microseconds(200), job: @escaping @Sendable (Int) -> Void) {
        self.size = max(1, size)
        self.spin = spin
        let nanoseconds = spin.components.seconds * 1_000_000_000 + spin.components.attoseconds / 1_000_000_000
        state = TeamState(parts: self.size, spinNanoseconds: UInt64(max(0, nanoseconds)), job: job)
        for helper in state.helpers {
            let state = self.state
            let thread = Thread { state.serve(helper) }
            thread.name = "venue-team"
            thread.start()
        }
    }

    deinit { state.stop() }

    /// Runs the job's parts `0 ..< size`, each exactly once, on the caller and the helpers;
    /// returns when all have returned.
    public func run() {
        if size == 1 {
            state.job(0)
            return
        }
        state.run()
    }
}

/// What the caller and the helper threads share: the job, and atomics only.
private final class TeamState: Sendable {
    /// One helper thread's sleep flag and wake-up.
    final class Helper: Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    let parts: Int
    let spinNanoseconds: UInt64
    let helpers: [Helper]
    /// `generation << 16 | parts claimed`.
    let ticket = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    let job: @Sendable (Int) -> Void

    init(parts: Int, spinNanoseconds: UInt64, job: @escaping @Sendable (Int) -> Void) {
        self.parts = parts
        self.job = job
        self.spinNanoseconds = spinNanoseconds
        helpers = (1..<parts).map { _ in Helper() }
        ticket.store(parts, ordering: .relaxed)  // generation 0: nothing to claim
    }

    func run() {
        finished.store(0, ordering: .relaxed)
        let generation = (ticket.load(ordering: .relaxed) >> 16) + 1
        ticket.store(generation << 16 | 1, ordering: .sequentiallyConsistent)
        for helper in helpers where helper.asleep.exchange(false, ordering: .sequentiallyConsistent) {
            helper.wake.signal()
        }
        job(0)
        finished.add(1, ordering: .releasing)
        while let part = claim() {
            job(part)
            finished.add(1, ordering: .releasing)
        }
        // A helper still running its part may share this core (the scheduler placed it here):
        // after a short spin, yield so it can finish.
        var spins = 0
        while finished.load(ordering: .acquiring) < parts {
            venue_cpu_relax()
            spins += 1
            if spins > 256 { sched_yield() }
        }
    }

    /// Claims an unclaimed part of the current job, if any.
    private func claim() -> Int? {
        var current = ticket.load(ordering: .acquiring)
        while current & 0xFFFF < parts {
            let (exchanged, original) = ticket.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return current & 0xFFFF }
            current = original
        }
        return nil
    }

    /// A helper thread's loop: claim and run parts; spin, then sleep, while there are none.
    func serve(_ helper: Helper) {
        while !stopping.load(ordering: .relaxed) {
            if let part = claim() {
                job(part)
                finished.add(1, ordering: .releasing)
                continue
            }
            let start = DispatchTime.now().uptimeNanoseconds
            var spins = 0
            while ticket.load(ordering: .relaxed) & 0xFFFF >= parts && !stopping.load(ordering: .relaxed) {
                venue_cpu_relax()
                spins += 1
                guard spins & 1023 == 0 else { continue }
                sched_yield()  // in case the caller shares this core
                guard DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds else { continue }
                helper.asleep.store(true, ordering: .sequentiallyConsistent)
                if ticket.load(ordering: .sequentiallyConsistent) & 0xFFFF >= parts && !stopping.load(ordering: .sequentiallyConsistent) {
                    helper.wake.wait()
                }
                helper.asleep.store(false, ordering: .relaxed)
                break
            }
        }
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for helper in helpers { helper.wake.signal() }
    }
}

// One caller at a time: runs share the team's single job state.
@available(*, unavailable)
extension WorkerTeam: Sendable {}
