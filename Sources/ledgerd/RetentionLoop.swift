import Foundation
import Ledger
import Logging

/// At HQ, erases the personal data of campaigns whose retention has run out (docs/PRIVACY.md,
/// "Retention"): once at start, then every ``interval``, until cancelled. Each round also
/// catches up HQ's pass after arrivals and, on every node, the truncation of an erasure's WAL
/// (``catchUp()``). One log line per round that writes, with counts only.
struct RetentionLoop: Sendable {
    /// How often HQ checks.
    static let interval: Duration = .seconds(300)

    let node: LedgerNode
    let logger: Logger

    /// Writes the erasures and signer references that are due but were not written after the
    /// push that brought them: the process stopped between the push's commit and its pass, or
    /// the pass failed (the push was answered with an error, and the client's retry adds
    /// nothing, so no later push runs it). ledgerd runs it before it serves, then after every round's wait.
    func catchUp() async {
        do {
            let node = node
            let written = try await Blocking.run { try node.afterArrival() }
            if !written.isEmpty {
                logger.notice("Caught up HQ's pass after arrivals: wrote \(written.count) erasure or signer-reference entries that were due")
            }
        } catch {
            logger.error("HQ's pass after arrivals failed (it is tried again in \(Self.interval)): \(error)")
        }
        // On every node: an erasure whose WAL another process's read kept from being truncated
        // (docs/PRIVACY.md, "Erasure") is truncated once no reader is in the way.
        let store = node.store
        if (try? await Blocking.run { try store.truncateWALAfterErasure() }) == false {
            logger.debug("An erasure's WAL is still to be truncated: a reader is in the way; tried again in \(Self.interval)")
        }
    }

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
            if Task.isCancelled { break }
            await catchUp()  // ledgerd ran it before it started serving
        }
    }
}
