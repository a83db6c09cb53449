import Foundation

/// Runs blocking work (SQLite behind the store's lock, a whole sync over HTTP) on a Dispatch queue,
/// so that it never holds one of the few cooperative threads Swift's async code runs on.
///
/// For example:
/// ```swift
/// let heads = try await Blocking.run { try node.store.heads() }
/// ```
public enum Blocking {
    private static let queue = DispatchQueue(label: "ledger.blocking", attributes: .concurrent)

    /// Runs `work` on the blocking queue and returns its result. The work runs to its end even
    /// when the calling task is cancelled (a store write is not cut off half way).
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

extension Blocking {
    /// The other way round: runs async `operation` and blocks the calling thread until it ends,
    /// for synchronous callers (`ledgerctl`'s commands, ``LedgerNode/join(token:)``) of async
    /// library code such as ``SyncClient/sync(progress:)``.
    ///
    /// Call it only from a thread that may block (a command's main thread, the ``Blocking`` queue),
    /// never from async code: a cooperative thread blocked here is one fewer to run `operation`.
    public static func wait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = WaitOutcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                outcome.set(.success(try await operation()))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }
}

/// The result of ``Blocking/wait(_:)``'s operation, written by its task, read after the semaphore.
private final class WaitOutcome<T: Sendable>: @unchecked Sendable {
    // @unchecked: `result` is only touched under `lock`.
    private let lock = NSLock()
    private var result: Result<T, any Error> = .failure(CancellationError())

    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
    func get() throws -> T { try lock.withLock { result }.get() }
}
