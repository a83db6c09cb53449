import Foundation
import Testing
@testable import Ledger

/// A store edited behind Ledger's back (a disk editor, a bad restore) must make reads and writes fail
/// or report the edit, never crash the process: `ledgerd` serving a kiosk and `ledgerctl audit` both
/// read these rows.
@Suite("Tampered store")
struct TamperedStoreTests {
    /// An HQ node with a campaign, signatures, a comment, a withdrawal, an enrolled device and paper lists.
    func makeLedger(_ dir: TempDir) throws -> (LedgerNode, ReceiptCode) {
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Tamper")
        try node.publish(sampleCampaign())
        let receipt = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
        let other = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Kim", email: "kim@example.org"))
        try node.comment(campaign: "free-the-press", displayName: "Ola", text: "Free them")
        try node.withdraw(receipt: other.code)
        try node.enrol(device: try Fixed.field().publicKey, name: "stall laptop")
        _ = try node.issuePaperLists(campaign: "free-the-press", count: 2, rows: 20)
        _ = try node.signCheckpoint()
        return (node, receipt.code)
    }

    /// Every integer column of every table, as (table, column).
    func integerColumns(_ raw: RawDatabase) throws -> [(String, String)] {
        try raw.rows("""
            SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND upper(p.type) LIKE '%INT%'
            """).map { ($0[0], $0[1]) }
    }

    /// Every read the CLI and the daemon make, and one write; each may throw, none may trap.
    func exercise(_ node: LedgerNode, receipt: ReceiptCode) {
        _ = try? node.info()
        _ = try? node.store.heads()
        _ = try? node.store.entryCount()
        _ = try? node.store.campaigns()
        if let campaign = try? node.store.campaign("free-the-press") { _ = try? node.store.stats(campaign: campaign) }
        _ = try? node.store.campaignVersions("free-the-press")
        _ = try? node.store.comments(campaign: "free-the-press", includeHidden: true)
        _ = try? node.store.countedSignatures(campaign: "free-the-press")
        _ = try? node.store.signatureCounts(campaign: "free-the-press")
        _ = try? node.store.paperLists(campaign: "free-the-press")
        _ = try? node.store.takenPaperLists(campaign: "free-the-press")
        _ = try? node.store.devices()
        _ = try? node.store.forkedLogs()
        _ = try? node.ownFork()
        _ = try? node.store.retentionPlans(now: 1_900_000_000_000)
        _ = try? node.receiptStatus(receipt)
        _ = try? node.witnessState()
        _ = try? node.servedCheckpoint()
        _ = try? node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Lee", email: "lee@example.org"))
        _ = try? node.comment(campaign: "free-the-press", displayName: "Lee", text: "Again")
    }

    @Test("every integer column set to the worst value (below zero, or the largest Int64) fails or is reported, never traps",
          arguments: ["-7", "9223372036854775807"])
    func worstIntegers(value: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (node, receipt) = try makeLedger(dir)
        let raw = try RawDatabase(path: node.folder.storePath)
        try raw.dropTriggers()
        let columns = try integerColumns(raw)
        #expect(columns.contains { $0 == ("entries", "sequence") } && columns.contains { $0 == ("campaigns", "published_at") },
                "\(columns)")
        var edited = 0
        for (table, column) in columns {
            // A constraint may refuse the value; every column the store allows it in is edited.
            // A unique key refuses it in every row: then the last row (the head of a log) takes it.
            if (try? raw.execute("UPDATE \"\(table)\" SET \"\(column)\" = \(value)")) != nil
                || (try? raw.execute("UPDATE \"\(table)\" SET \"\(column)\" = \(value) WHERE rowid = (SELECT max(rowid) FROM \"\(table)\")")) != nil {
                edited += 1
            }
        }
        #expect(edited > 20, "only \(edited) of \(columns.count) columns took the value")
        #expect(try raw.count("SELECT count(*) FROM entries WHERE sequence = \(value)") == 1)
        let reopened = try LedgerNode.open(at: node.folder.path)
        exercise(reopened, receipt: receipt)
        exercise(node, receipt: receipt)
        for mode in [VerificationMode.fast, .full] {
            let report = try Auditor(store: reopened.store).run(mode: mode)
            #expect(!report.intact, "\(mode)")
        }
    }
}
