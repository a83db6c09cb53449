import Foundation

extension LedgerNode {
    /// Verifies every entry and payload of a bundle and stores what is new, all or nothing.
    /// Importing the same bundle twice adds nothing.
    public func importBundle(_ bundle: LedgerBundle) throws -> IngestReport {
        let ledger = try ledgerID
        guard bundle.ledger == ledger else { throw StoreError.wrongLedger(expected: ledger, found: bundle.ledger) }
        return try store.ingest(bundle.entries + bundle.forks, payloads: bundle.payloads, verification: .full)
    }

    /// Writes a bundle of everything this node holds to `path` (atomically: a temporary file, then a rename).
    @discardableResult
    public func exportBundle(to path: String) throws -> LedgerBundle {
        let bundle = try store.exportBundle()
        try PrivateFile.write(Data(bundle.encoded()), to: path)
        return bundle
    }

    /// Reads a bundle file.
    public static func readBundle(at path: String) throws -> LedgerBundle {
        guard let data = FileManager.default.contents(atPath: path) else { throw BundleError.unreadable(path: path) }
        return try LedgerBundle(decoding: Array(data))
    }
}
