import Foundation

/// A flag set once, by one task, read by others: the server is bound; the startup sync is over.
/// Thread-safe; tasks can wait for it (``wait()``).
final class StartupFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    /// Sets the flag and wakes every waiting task.
    func set() {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            value = true
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// True once ``set()`` was called.
    var isSet: Bool { lock.withLock { value } }

    /// Returns once the flag is set (at once if it is), or when the waiting task is cancelled;
    /// then ``isSet`` tells which.
    func wait() async {
        let id = lock.withLock { () -> UInt64 in
            nextWaiter += 1
            return nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock { () -> Bool in
                    if value || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
