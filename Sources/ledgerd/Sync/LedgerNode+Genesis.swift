import Foundation
import Ledger

extension LedgerNode {
    /// Fetches the ledger's genesis entry from `peer` and stores it (verified, and checked against the
    /// ledger id and HQ fingerprint of the join token), for a node that joined without HQ's log.
    ///
    /// Stopgap: `SyncClient.sync()` starts with `node.ledgerHQ()`, which throws
    /// `StoreError.notInitialised` until the genesis entry is stored; once the library bootstraps
    /// that itself, ledgerd no longer reaches this (it runs only while `hasLedger` is false).
    func adoptGenesis(from peer: URL, timeout: TimeInterval) throws {
        let ledger = try ledgerID
        let client = PeerRequest(peer: peer, node: self, timeout: timeout)
        let remote = try client.send("GET", "/v1/heads", body: nil as FetchRequest?, as: HeadsResponse.self)
        guard remote.ledger == ledger.hex else { throw PeerError.otherLedger(peer: peer.absoluteString) }
        // HQ's log holds the genesis entry; try the author whose fingerprint the join token named first.
        let expectedHQ = try store.setting("expected.hq")
        let authors = remote.heads.map(\.author).sorted { lhs, rhs in
            let (left, right) = (PublicKey(hex: lhs)?.fingerprint == expectedHQ, PublicKey(hex: rhs)?.fingerprint == expectedHQ)
            return left != right ? left : lhs < rhs
        }
        for author in authors {
            let answer = try client.send("POST", "/v1/entries/fetch", body: FetchRequest(from: [.init(author: author, after: 0)], limit: 1), as: EntryBatch.self)
            guard let text = answer.entries.first, let raw = Data(base64Encoded: text),
                  let entry = try? Entry(bytes: Array(raw)), entry.id == ledger else { continue }
            _ = try store.ingest([entry], verification: .full)
            return
        }
        throw PeerError.protocolError(peer: peer.absoluteString, reason: "it holds no genesis entry of ledger \(ledger.short) yet")
    }
}
