import Foundation
import Ledger
import Logging

/// ledgerd's sync with its peers (docs/PROTOCOL.md, "Peers"): the URLs in `peers.json` (read again
/// every round) and those given with `--peer`.
///
/// At start it syncs once with every peer before ``localWritesAllowed`` is set: a laptop restored
/// from an old backup pulls its own log back from its peers first, instead of writing entries that
/// fork it. Then it syncs with each peer every ``Backoff/interval``, backing off after failures.
/// It stops when its task is cancelled.
///
/// For example:
/// ```swift
/// let loop = SyncLoop(node: node, flagPeers: ["http://hq.local:8080"], backoff: Backoff(interval: .seconds(30)), logger: logger)
/// let task = Task { await loop.run() }
/// ```
struct SyncLoop: Sendable {
    let node: LedgerNode
    /// Peers given on the command line, normalised.
    let flagPeers: [String]
    let backoff: Backoff
    let logger: Logger
    /// How long one request to a peer may stay silent.
    var requestTimeout: TimeInterval = PeerSync.defaultRequestTimeout
    /// Set once the startup sync is over: local writes (the kiosk's) may begin.
    let localWritesAllowed = StartupFlag()

    /// Runs until cancelled.
    func run() async {
        let clock = ContinuousClock()
        var failures: [String: Int] = [:]
        var due: [String: ContinuousClock.Instant] = [:]
        let sync = PeerSync(node: node, logger: logger, requestTimeout: requestTimeout)

        func attempt(_ peer: String) async -> SyncReport? {
            let report = await sync.run(peer: peer, nextOnFailure: backoff.delay(afterFailures: (failures[peer] ?? 0) + 1))
            failures[peer] = report == nil ? (failures[peer] ?? 0) + 1 : 0
            due[peer] = clock.now.advanced(by: backoff.delay(afterFailures: failures[peer] ?? 0))
            return report
        }

        // Startup: every peer once, before local writes.
        let peers = await currentPeers()
        if peers.isEmpty {
            logger.info("No peers configured (peers.json, --peer); local writes need no startup sync")
        } else {
            logger.info("Syncing with \(peers.count) peer(s) before local writes, so that a data folder restored from a backup gets its own log back first")
            let before = await ownSequence()
            var reached = 0
            for peer in peers where !Task.isCancelled {
                if await attempt(peer) != nil { reached += 1 }
            }
            if Task.isCancelled { return }
            let after = await ownSequence()
            if after > before {
                logger.notice("Restored entries \(before + 1)...\(after) of this node's own log from its peers: the data folder was older than their copies (a restored backup?)")
            }
            logger.info("Startup sync done: \(reached) of \(peers.count) peer(s) reached; own log at sequence \(after); local writes may begin")
        }
        localWritesAllowed.set()

        while !Task.isCancelled {
            let peers = await currentPeers()
            for peer in peers where due[peer, default: clock.now] <= clock.now {
                if Task.isCancelled { return }
                _ = await attempt(peer)
            }
            let next = peers.compactMap { due[$0] }.min() ?? clock.now.advanced(by: backoff.interval)
            try? await Task.sleep(until: next, clock: clock)
        }
    }

    /// `peers.json`, then the `--peer` URLs, without duplicates.
    func currentPeers() async -> [String] {
        let book = PeerBook(folder: node.folder)
        var listed: [String] = []
        do {
            listed = try await Blocking.run { try book.peers() }.map { (try? PeerBook.normalise($0)) ?? $0 }
        } catch {
            logger.warning("Ignoring peers.json: \(error)")
        }
        var seen: Set<String> = []
        return (listed + flagPeers).filter { seen.insert($0).inserted }
    }

    /// The last sequence number of this node's own log (0 when it holds none).
    private func ownSequence() async -> UInt64 {
        let (store, me) = (node.store, node.key.publicKey.hex)
        let heads = (try? await Blocking.run { try store.heads() }) ?? []
        return heads.first { $0.author == me }?.sequence ?? 0
    }
}
