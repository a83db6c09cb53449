import Foundation
import Ledger
import Logging

/// One sync with one peer as ledgerd runs it: the library's async `SyncClient` (cancelled with the
/// sync loop at shutdown),
/// the outcome recorded in `peers-state.json`, and one log line with the peer, the entries and
/// payloads moved each way and the duration (never an entry's content).
struct PeerSync: Sendable {
    /// How long a request may stay silent before the sync gives up on the peer, by default
    /// (`ledgerd --peer-timeout`).
    static let defaultRequestTimeout: TimeInterval = 30

    let node: LedgerNode
    let logger: Logger
    var requestTimeout: TimeInterval = PeerSync.defaultRequestTimeout

    /// Syncs with `peer`; returns the report, or nil when the sync failed (the error is logged and recorded).
    func run(peer: String, nextOnFailure: Duration) async -> SyncReport? {
        let (node, timeout) = (node, requestTimeout)
        let started = ContinuousClock.now
        let outcome: Result<SyncReport, any Error>
        let hadLedger = node.hasLedger
        do {
            guard let url = URL(string: peer) else { throw PeerError.unreachable(peer: peer, reason: "not a URL") }
            let client = try await Blocking.run { try SyncClient(node: node, peer: url, timeout: timeout) }
            outcome = .success(try await client.sync())
        } catch is CancellationError {
            logger.notice("Stopped the sync with \(peer) to shut down; it resumes from what was stored at the next start")
            return nil
        } catch {
            outcome = .failure(error)
        }
        let elapsed = ContinuousClock.now - started
        let report = try? outcome.get()
        let failure = report == nil ? outcome.errorDescription : nil
        do {
            try await Blocking.run { [node] in
                try PeerBook(folder: node.folder).record(peer: peer, report: report, error: failure, now: SystemClock().nowMillis())
            }
        } catch {
            logger.warning("Could not record the sync with \(peer) in peers-state.json: \(error)")
        }
        if !hadLedger && node.hasLedger, let ledger = try? node.ledgerID {
            logger.notice("Received ledger \(ledger.short) (HQ's genesis entry) from \(peer); this node held none yet")
        }
        if let report {
            log(report, peer: peer, elapsed: elapsed)
        } else {
            logger.warning("Sync with \(peer) failed after \(elapsed.secondsText): \(failure ?? "unknown error"); next attempt in \(nextOnFailure.secondsText)")
        }
        return report
    }

    private func log(_ report: SyncReport, peer: String, elapsed: Duration) {
        var line = "Synced with \(peer): entries in \(report.pulled), out \(report.pushed); payloads in \(report.payloadsIn), out \(report.payloadsOut); \(elapsed.secondsText)"
        if report.lag > 0 { line += "; \(report.lag) entries still to fetch" }
        if report.forks > 0 || report.refused > 0 {
            line += "; forks \(report.forks), refused \(report.refused) (see 'ledgerctl verify')"
            logger.warning("\(line)")
        } else {
            logger.info("\(line)")
        }
    }
}

extension Result {
    /// The failure's description, nil on success.
    fileprivate var errorDescription: String? {
        if case .failure(let error) = self { return String(describing: error) }
        return nil
    }
}

extension Duration {
    /// `"0.12 s"`, `"30 s"`.
    var secondsText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        if seconds >= 10 || seconds == seconds.rounded() { return "\(Int(seconds.rounded())) s" }
        return String(format: "%.2f s", seconds)
    }
}
