import Foundation
import Ledger
import Logging

/// At HQ, erases the personal data of campaigns whose retention has run out (docs/PRIVACY.md,
/// "Retention"): once at start, then every ``interval``, until cancelled. Elsewhere it does
/// nothing. One log line per erasure round, with counts only.
struct RetentionLoop: Sendable {
    /// How often HQ checks.
    static let interval: Duration = .seconds(300)

    let node: LedgerNode
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            do {
                let node = node
                let erased = try await Blocking.run { try node.eraseExpired() }
                if !erased.isEmpty {
                    logger.notice("Retention: erased the personal data of \(erased.count) signature(s) whose campaign's retention ran out")
                }
            } catch {
                logger.error("Retention: erasing what is due failed (it is tried again in \(Self.interval)): \(error)")
            }
            try? await Task.sleep(for: Self.interval)
        }
    }
}
