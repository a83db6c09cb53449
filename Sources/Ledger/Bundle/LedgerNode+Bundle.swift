import Foundation

extension LedgerNode {
    /// Verifies every entry and payload of a bundle and stores what is new, all or nothing.
    /// Importing the same bundle twice adds nothing. `progress` hears the steps of
    /// ``LedgerStore/ingest(_:payloads:verification:progress:)``.
    public func importBundle(_ bundle: LedgerBundle, progress: (WorkProgress) -> Void = { _ in }) throws -> IngestReport {
        let ledger = try ledgerID
        guard bundle.ledger == ledger else { throw StoreError.wrongLedger(expected: ledger, found: bundle.ledger) }
        let report = try store.ingest(bundle.entries + bundle.forks, payloads: bundle.payloads, verification: .full, progress: progress)
        // At HQ: erasures asked for and signer references due are recorded at once.
        try afterArrival()
        return report
    }

    /// Writes a bundle of everything this node holds to `path` (atomically: a temporary file, then a rename).
    /// `progress` hears its three steps ("exporting": reading, encoding, writing).
    @discardableResult
    public func exportBundle(to path: String, progress: (WorkProgress) -> Void = { _ in }) throws -> LedgerBundle {
        progress(WorkProgress(phase: "exporting", done: 0, total: 3))
        let bundle = try store.exportBundle()
        progress(WorkProgress(phase: "exporting", done: 1, total: 3))
        let data = Data(bundle.encoded())
        progress(WorkProgress(phase: "exporting", done: 2, total: 3))
        try PrivateFile.write(data, to: path)
        progress(WorkProgress(phase: "exporting", done: 3, total: 3))
        return bundle
    }

    /// Reads a bundle file.
    public static func readBundle(at path: String) throws -> LedgerBundle {
        guard let data = FileManager.default.contents(atPath: path) else { throw BundleError.unreadable(path: path) }
        return try LedgerBundle(decoding: Array(data))
    }
}
