import Foundation

/// Set once the server is bound; tells a bind failure apart from a later one. Thread-safe.
final class StartupFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// Marks the server as started.
    func set() { lock.withLock { value = true } }

    /// True once ``set()`` was called.
    var isSet: Bool { lock.withLock { value } }
}
