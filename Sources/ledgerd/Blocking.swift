import Foundation

/// Runs blocking work (SQLite behind the store's lock, a whole sync over HTTP) on a Dispatch queue,
/// so that it never holds one of the few cooperative threads Swift's async code runs on.
///
/// For example:
/// ```swift
/// let heads = try await Blocking.run { try node.store.heads() }
/// ```
enum Blocking {
    private static let queue = DispatchQueue(label: "ledgerd.blocking", attributes: .concurrent)

    /// Runs `work` on the blocking queue and returns its result.
    ///
    /// When `abandonAfter` is set and the calling task is cancelled, the call throws
    /// `CancellationError` once that much time has passed, even if `work` still runs: for a sync that
    /// must not hold up shutdown (what it stored so far is committed batch by batch).
    static func run<T: Sendable>(abandonAfter grace: Duration? = nil, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.wait(continuation)
                queue.async { outcome.finish(Result { try work() }) }
            }
        } onCancel: {
            guard let grace else { return }
            let (seconds, attoseconds) = grace.components
            let delay = Double(seconds) + Double(attoseconds) / 1e18
            queue.asyncAfter(deadline: .now() + delay) { outcome.finish(.failure(CancellationError())) }
        }
    }
}

/// The first result of a blocking call, handed to its continuation exactly once. Thread-safe.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var result: Result<T, any Error>?
    private var delivered = false

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let result {
            delivered = true
            lock.unlock()
            continuation.resume(with: result)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func finish(_ result: Result<T, any Error>) {
        lock.lock()
        guard !delivered, self.result == nil else {
            lock.unlock()
            return
        }
        guard let continuation else {
            self.result = result
            lock.unlock()
            return
        }
        delivered = true
        self.continuation = nil
        lock.unlock()
        continuation.resume(with: result)
    }
}
