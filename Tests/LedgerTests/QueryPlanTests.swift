import Foundation
import Testing
@testable import Ledger

/// Lookups that must go through an index however many signatures there are: a plan that scans
/// the table would still give right answers, only slowly, so no other test would notice.
@Suite("Query plans")
struct QueryPlanTests {
    @Test("a receipt is found through the 8-byte key of signatures_by_receipt, and only its own signature matches")
    func receiptLookup() throws {
        let dir = try TempDir()
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Plans")
        try node.publish(sampleCampaign())
        let first = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
        _ = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Kim", email: "kim@example.org"))
        let hash = first.code.hash(ledger: try node.ledgerID).bytes
        let found = try node.store.signatures(receiptHash: hash)
        #expect(found.map(\.state) == ["counted"])
        // Same first 8 bytes, another hash: the key finds the row, the whole hash turns it away.
        #expect(try node.store.signatures(receiptHash: Array(hash[0..<8]) + [UInt8](repeating: 0, count: 24)).isEmpty)
        let raw = try RawDatabase(path: dir.file("hq") + "/ledger.sqlite")
        let plan = try raw.rows("EXPLAIN QUERY PLAN SELECT id, campaign, state FROM signatures WHERE \(ReadModelSchema.receiptLookup)")
            .map { $0.joined(separator: " ") }.joined(separator: "\n")
        #expect(plan.contains("USING INDEX signatures_by_receipt"), "\(plan)")
        let key = try raw.rows("SELECT sql FROM sqlite_master WHERE name = 'signatures_by_receipt'")
        #expect(key.first?.first?.contains("substr(receipt_hash, 1, 8)") == true)
    }
}

extension QueryPlanTests {
    @Test("a signer's signatures are found through the 8-byte key of signatures_by_signer; the rebuild walks that index")
    func signerLookup() throws {
        let dir = try TempDir()
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Plans")
        let raw = try RawDatabase(path: dir.file("hq") + "/ledger.sqlite")
        func plan(_ sql: String) throws -> String {
            try raw.rows("EXPLAIN QUERY PLAN " + sql).map { $0.joined(separator: " ") }.joined(separator: "\n")
        }
        _ = node
        // The group's read (refreshGroup), the count triggers' test for the signer's other rows,
        // and the erasure's list of a signer's signatures.
        for alias in ["sg", "other", "s"] {
            let lookup = try plan("SELECT 1 FROM signatures \(alias) WHERE \(ReadModelSchema.signerLookup(alias, campaign: "?1", signer: "?2"))")
            #expect(lookup.contains("USING INDEX signatures_by_signer (campaign=? AND <expr>=?)"), "\(lookup)")
        }
        let walk = try plan("""
            SELECT sg.rowid FROM signatures sg LEFT JOIN campaigns c ON c.campaign = sg.campaign
            ORDER BY sg.campaign, \(ReadModelSchema.signerKey("sg.signer")), sg.signer
            """)
        #expect(walk.contains("SCAN sg USING INDEX signatures_by_signer"), "\(walk)")
        #expect(!walk.contains("USE TEMP B-TREE FOR ORDER BY"), "\(walk)")
    }
}
