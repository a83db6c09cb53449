/// Errors of the store: opening the database, appending and ingesting entries.
public enum StoreError: Error, CustomStringConvertible {
    /// The file is not a SQLite database, or SQLite reports corruption.
    case corrupted(path: String, detail: String)
    /// The database was written by a newer Ledger.
    case newerSchema(found: Int64, supported: Int64)
    /// The database exists but holds no ledger yet.
    case notInitialised(path: String)
    /// Entries or a bundle of another ledger.
    case wrongLedger(expected: Digest, found: Digest)
    /// This author's log has a fork; it is not extended until HQ resolves it.
    case forkedLog(author: PublicKey, sequence: UInt64)
    /// A node restored from a backup has not yet caught up its own log from a peer.
    case catchingUp
    /// An entry failed verification on its way in; nothing of its batch was stored.
    case rejected(EntryFault)
    /// A payload whose digest matches no entry.
    case orphanPayload(digest: Digest)
    /// A batch for an empty store that holds no valid genesis entry.
    case noGenesis
    /// A tree size, leaf or range the Merkle tree does not have (yet).
    case outsideTree(String)
    /// An underlying SQLite failure.
    case sqlite(SQLiteError)

    public var description: String {
        switch self {
        case .corrupted(let path, let detail):
            return "the database \(path) is damaged or is not a Ledger store (\(detail)); restore it from a backup or re-create the node and import a bundle"
        case .newerSchema(let found, let supported):
            return "the database uses schema version \(found), newer than this build supports (\(supported)); upgrade Ledger"
        case .notInitialised(let path):
            return "the store \(path) holds no ledger yet; run 'ledgerctl init'"
        case .wrongLedger(let expected, let found):
            return "entries belong to ledger \(found.short), but this node is in ledger \(expected.short); use the data folder of that ledger"
        case .catchingUp:
            return "this node was restored from a backup and records nothing until it has caught up its own log from a peer (so that it does not fork it): run 'ledgerctl sync' or start ledgerd when a peer is reachable"
        case .forkedLog(let author, let sequence):
            return "this node's log (key \(author.short)) has a fork at sequence \(sequence): a copy of this data folder wrote entries too. It records nothing more under this key; what it recorded still counts once HQ adopts the fork. Run 'ledgerctl device rekey' when HQ is reachable (docs/OPERATIONS.md, \"Forks\")"
        case .rejected(let fault):
            return "rejected: \(fault); nothing was stored"
        case .orphanPayload(let digest):
            return "payload \(digest.short) matches no entry; nothing was stored"
        case .noGenesis:
            return "no valid genesis entry (ledger.created by HQ at sequence 1 with a zero ledger field) to start the ledger from; the bundle is damaged or incomplete; nothing was stored"
        case .outsideTree(let what):
            return "the Merkle tree does not reach \(what) yet"
        case .sqlite(let error) where error.isBusy:
            return "another program held this node's store for writing too long (an import, a rebuild, or ledgerd while ledgerctl writes); nothing was stored; try again when it has finished (\(error))"
        case .sqlite(let error):
            return "database error: \(error)"
        }
    }
}

extension Error {
    /// True when this failed because another connection (another process: an import, a rebuild)
    /// held the store's write lock for longer than the writer waits: nothing was stored, and the
    /// same write may succeed later.
    public var isWriterBusy: Bool {
        switch self {
        case let error as SQLiteError: return error.isBusy
        case StoreError.sqlite(let error) as StoreError: return error.isBusy
        default: return false
        }
    }
}
