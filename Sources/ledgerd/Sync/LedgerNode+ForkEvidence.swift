import Foundation
import Ledger

extension LedgerNode {
    /// Sends `peer` this node's own version of every entry it holds fork evidence against, one entry
    /// per request, so that the peer records the fork too (docs/PROTOCOL.md, "A sync": a fork is kept
    /// as evidence on both sides). Returns the number of forks the peer recorded now; entries the
    /// peer refuses (it lacks the log below them) are skipped.
    ///
    /// Stopgap: `SyncClient` pushes only entries above the peer's head sequence, so a peer that holds
    /// the other entry at the same sequence (a cloned data folder that synced first) never receives
    /// ours, and HQ's audit never sees the fork.
    func sendForkEvidence(to peer: URL, timeout: TimeInterval) throws -> Int {
        let forks = try store.forkEntries()
        guard !forks.isEmpty else { return 0 }
        var ours: [Entry] = []
        for fork in forks {
            guard let mine = try store.entries(author: fork.author, after: fork.sequence - 1, limit: 1).first,
                  mine.sequence == fork.sequence, mine.id != fork.id, !ours.contains(mine) else { continue }
            ours.append(mine)
        }
        let client = PeerRequest(peer: peer, node: self, timeout: timeout)
        var recorded = 0
        for entry in ours {
            let batch = EntryBatch(entries: [Data(entry.bytes).base64EncodedString()])
            do {
                recorded += try client.send("POST", "/v1/entries", body: batch, as: PushResult.self).forks
            } catch PeerError.refused {
                continue
            }
        }
        return recorded
    }
}
