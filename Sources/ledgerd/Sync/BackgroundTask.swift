import Foundation

/// A task started once the server is up and stopped after it, like the sync loop. Thread-safe.
///
/// For example:
/// ```swift
/// let loopTask = BackgroundTask()
/// loopTask.start { await loop.run() }
/// ...
/// await loopTask.stop()   // cancels it and waits until it has returned
/// ```
final class BackgroundTask: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private var stopped = false

    /// Starts `work` unless it was started or stopped before.
    func start(_ work: @escaping @Sendable () async -> Void) {
        lock.withLock {
            guard task == nil, !stopped else { return }
            task = Task { await work() }
        }
    }

    /// Cancels the task and waits until it returns.
    func stop() async {
        let running = lock.withLock {
            stopped = true
            return task
        }
        running?.cancel()
        await running?.value
    }
}
