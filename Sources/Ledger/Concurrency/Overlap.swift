import Foundation

/// Runs pure work on another core while the calling thread does its own, for pipelines such as
/// ``LedgerStore/appendBatch(_:signer:)``: the next entries are signed while these are stored.
///
/// For example:
/// ```swift
/// let next = try Overlap.run({ sign(nextChunk) }, alongside: { try store(currentChunk) })
/// ```
///
/// It never depends on a free thread: the side work is offered to a Dispatch queue, and when no
/// thread has started it by the time the caller's own work ends, the caller runs it itself.
enum Overlap {
    static func run<T: Sendable>(_ side: @escaping @Sendable () -> T, alongside main: () throws -> Void) throws -> T {
        let job = SideJob(side)
        queue.async { job.runIfUnclaimed() }
        do {
            try main()
        } catch {
            job.abandon()
            throw error
        }
        return job.result()
    }

    private static let queue = DispatchQueue(label: "ledger.overlap", qos: .userInitiated, attributes: .concurrent)
}

/// One side job: run once, by whichever thread claims it first.
private final class SideJob<T: Sendable>: @unchecked Sendable {
    // @unchecked: `state` is only touched under `condition`'s lock; `work` is immutable.
    private enum State {
        case unclaimed
        case running
        case done(T)
        case abandoned
    }

    private let work: @Sendable () -> T
    private let condition = NSCondition()
    private var state = State.unclaimed

    init(_ work: @escaping @Sendable () -> T) {
        self.work = work
    }

    private func claim() -> Bool {
        condition.withLock {
            guard case .unclaimed = state else { return false }
            state = .running
            return true
        }
    }

    private func finish(_ value: T) {
        condition.withLock {
            state = .done(value)
            condition.broadcast()
        }
    }

    /// On the queue's thread: runs the work unless the caller took it (or gave it up).
    func runIfUnclaimed() {
        guard claim() else { return }
        finish(work())
    }

    /// The caller no longer wants the result: the work does not start if it has not.
    func abandon() {
        condition.withLock {
            if case .unclaimed = state { state = .abandoned }
        }
    }

    /// The result: runs the work here if no thread has started it, else waits for it.
    func result() -> T {
        if claim() {
            let value = work()
            finish(value)
            return value
        }
        condition.lock()
        defer { condition.unlock() }
        while true {
            if case .done(let value) = state { return value }
            condition.wait()
        }
    }
}
