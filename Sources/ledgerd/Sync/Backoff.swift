/// When to sync with a peer next: every `interval` while syncs succeed; after failures, twice the
/// previous wait each time, up to `ceiling` (5 minutes, or the interval if that is longer). One
/// success resets it.
///
/// For example, with a 30-second interval: 30 s, then after failures 60 s, 120 s, 240 s, 300 s, 300 s, ...
struct Backoff: Sendable, Equatable {
    /// The wait between successful syncs.
    var interval: Duration
    /// The longest wait after failures.
    var ceiling: Duration = .seconds(300)

    /// The wait before the next attempt after `failures` consecutive failed attempts (0 after a success).
    func delay(afterFailures failures: Int) -> Duration {
        let cap = max(ceiling, interval)
        var delay = interval
        for _ in 0..<max(0, failures) {
            delay *= 2
            if delay >= cap { return cap }
        }
        return delay
    }
}
