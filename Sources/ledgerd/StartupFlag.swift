import Foundation

/// A flag set once, by one task, read by others: the server is bound; the startup sync is over.
/// Thread-safe.
final class StartupFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// Sets the flag.
    func set() { lock.withLock { value = true } }

    /// True once ``set()`` was called.
    var isSet: Bool { lock.withLock { value } }
}
