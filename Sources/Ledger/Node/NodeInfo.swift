/// Who a node is and how far its logs reach: what `ledgerctl status` prints and `GET /v1/info` serves.
public struct NodeInfo: Codable, Sendable, Equatable {
    /// The ledger id (hex): the id of HQ's genesis entry.
    public var ledger: String
    /// The ledger's name from the genesis entry.
    public var name: String
    /// This node's Ed25519 key (hex).
    public var node: String
    /// This node key's fingerprint, for a human to compare.
    public var fingerprint: String
    /// This node's role: hq, field or observer.
    public var role: String
    /// The number of entries stored (fork evidence excluded).
    public var entries: Int
    /// The head of every log this node holds, ordered by author key.
    public var heads: [LogHead]
}

extension LedgerNode {
    /// A snapshot of this node's identity and log heads.
    public func info() throws -> NodeInfo {
        let ledger = try ledgerID
        let name = try store.entry(id: ledger).map { try $0.decodeBody(LedgerCreated.self).name } ?? "(HQ's log not received yet)"
        return NodeInfo(
            ledger: ledger.hex, name: name, node: key.publicKey.hex,
            fingerprint: key.publicKey.fingerprint, role: role.rawValue, entries: try store.entryCount(), heads: try store.heads())
    }
}
