import Foundation
import Testing
@testable import Ledger

/// Lookups that must go through an index however many signatures there are: a plan that scans
/// the table would still give right answers, only slowly, so no other test would notice.
@Suite("Query plans")
struct QueryPlanTests {
    /// SQLite's plan for `sql`, one step per line.
    static func plan(_ raw: RawDatabase, _ sql: String) throws -> String {
        try raw.rows("EXPLAIN QUERY PLAN " + sql).map { $0.joined(separator: " ") }.joined(separator: "\n")
    }

    @Test("a receipt is found through the 8-byte key of signatures_by_receipt, and only its own signature matches")
    func receiptLookup() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Plans")
        try node.publish(sampleCampaign())
        let first = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
        _ = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Kim", email: "kim@example.org"))
        let hash = first.code.hash(ledger: try node.ledgerID).bytes
        let found = try node.store.signatures(receiptHash: hash)
        #expect(found.map(\.state) == ["counted"])
        // Same first 8 bytes, another hash: the key finds the row, the whole hash turns it away.
        #expect(try node.store.signatures(receiptHash: Array(hash[0..<8]) + [UInt8](repeating: 0, count: 24)).isEmpty)
        let raw = try RawDatabase(path: node.folder.storePath)
        let plan = try Self.plan(raw, "SELECT id, campaign, state FROM signatures WHERE \(ReadModelSchema.receiptLookup)")
        #expect(plan.contains("USING INDEX signatures_by_receipt"), "\(plan)")
        let key = try raw.rows("SELECT sql FROM sqlite_master WHERE name = 'signatures_by_receipt'")
        #expect(key.first?.first?.contains("substr(receipt_hash, 1, 8)") == true)
    }
}

extension QueryPlanTests {
    @Test("a signer's signatures are found through the 8-byte key of signatures_by_signer; the rebuild walks that index")
    func signerLookup() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Plans")
        let raw = try RawDatabase(path: node.folder.storePath)
        func plan(_ sql: String) throws -> String { try Self.plan(raw, sql) }
        // The group's read (refreshGroup), the count triggers' test for the signer's other rows,
        // and the erasure's list of a signer's signatures.
        for alias in ["sg", "other", "s"] {
            let lookup = try plan("SELECT 1 FROM signatures \(alias) WHERE \(ReadModelSchema.signerLookup(alias, campaign: "?1", signer: "?2"))")
            #expect(lookup.contains("USING INDEX signatures_by_signer (campaign=? AND <expr>=?)"), "\(lookup)")
        }
        let walk = try plan("""
            SELECT sg.rowid FROM signatures sg LEFT JOIN campaigns c ON c.campaign = sg.campaign
            ORDER BY sg.campaign, \(ReadModelSchema.key8("sg.signer")), sg.signer
            """)
        #expect(walk.contains("SCAN sg USING INDEX signatures_by_signer"), "\(walk)")
        #expect(!walk.contains("USE TEMP B-TREE FOR ORDER BY"), "\(walk)")
    }
}

extension QueryPlanTests {
    @Test("every statement the store prepared while signing, withdrawing, erasing, commenting, enrolling and reading finds its rows through an index")
    func noTableScans() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (node, receipt) = try TamperedStoreTests().makeLedger(dir)
        TamperedStoreTests().exercise(node, receipt: receipt)
        // What ledgerd runs after every push, and retention's pass.
        let third = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ana", email: "ana@example.org"))
        _ = try node.withdraw(receipt: third.code, erase: true)
        _ = try node.eraseDue()
        try node.afterArrival()
        _ = try node.eraseExpired(now: 1_900_000_000_000)
        let writer = try node.store.locked { node.store.connection.preparedSQL }
        let prepared = Set(writer + node.store.readers.preparedSQL)
        #expect(prepared.count > 50, "\(prepared.count) statements")
        let raw = try RawDatabase(path: node.folder.storePath)
        let large = ["entries", "signatures", "payloads", "tree_leaves", "forks", "withdrawals"]
        var scans: [String] = []
        // An ordered walk of an index ("SCAN sg USING INDEX …", e.g. the list of campaigns) is
        // allowed; a bare scan of a large table is what a lost index looks like.
        for sql in prepared.sorted() {
            let head = sql.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            guard ["SELECT", "UPDATE", "DELETE", "INSERT", "WITH"].contains(where: head.hasPrefix) else { continue }
            let plan = try raw.rows("EXPLAIN QUERY PLAN " + sql)
            for line in plan.map({ $0.last ?? "" }) where line.hasPrefix("SCAN ") {
                // "SCAN sg USING INDEX …" walks an index in order; a bare scan reads the table.
                let words = line.split(separator: " ")
                let scanned = words.count > 1 ? String(words[1]) : ""
                let table = large.first { table in sql.contains("\(table) \(scanned)") || scanned == table }
                if table != nil && !line.contains("USING INDEX") && !line.contains("USING COVERING INDEX") {
                    scans.append("\(line) in: \(sql.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))")
                }
            }
        }
        #expect(scans.isEmpty, "\(scans.count) statements scan a large table:\n\(scans.joined(separator: "\n"))")
    }
}

extension QueryPlanTests {
    @Test("a signature is found by id through the 8-byte key of signatures_by_id; two ids that share those bytes stay apart; the digest reads in id order")
    func signatureIDLookup() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Plans")
        try node.publish(sampleCampaign())
        let first = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
        let second = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Kim", email: "kim@example.org"))
        let digest = try node.store.readModelDigest()
        let raw = try RawDatabase(path: node.folder.storePath)
        func plan(_ sql: String) throws -> String { try Self.plan(raw, sql) }
        let lookup = try plan("SELECT 1 FROM signatures s WHERE \(ReadModelSchema.signatureLookup("s", id: "?1"))")
        #expect(lookup.contains("USING INDEX signatures_by_id (<expr>=?)"), "\(lookup)")
        let key = ReadModelSchema.tables.first { $0.name == "signatures" }?.key ?? ""
        let order = try plan("SELECT * FROM signatures ORDER BY \(key)")
        #expect(order.contains("USING INDEX signatures_by_id") && !order.contains("USE TEMP B-TREE FOR ORDER BY"), "\(order)")
        // Both signatures found by their own ids, then the second given the first's first 8 bytes.
        #expect(try node.store.signature(id: first.entry.id)?.id == first.entry.id)
        #expect(try node.store.signature(id: second.entry.id)?.id == second.entry.id)
        let shared = Array(first.entry.id.bytes[0..<8]) + Array(second.entry.id.bytes[8...])
        try raw.dropTriggers()
        try raw.execute("UPDATE signatures SET id = x'\(Hex.encode(shared))' WHERE id = x'\(Hex.encode(second.entry.id.bytes))'")
        #expect(try node.store.signature(id: first.entry.id)?.id == first.entry.id)
        #expect(try node.store.signature(id: Digest(unchecked: shared))?.id == Digest(unchecked: shared))
        #expect(try node.store.signature(id: second.entry.id) == nil)
        #expect(try node.store.readModelDigest() != digest)
    }
}

extension QueryPlanTests {
    @Test("a close or a deadline change finds the signatures whose lateness can change by a range of signatures_by_state, in every state it names")
    func latenessCandidates() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Plans")
        try node.publish(sampleCampaign())
        _ = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
        let raw = try RawDatabase(path: node.folder.storePath)
        let plan = try Self.plan(raw, Projector.latenessCandidatesSQL)
        #expect(plan.contains("USING INDEX signatures_by_state (campaign=? AND state=? AND hlc_wall>? AND hlc_wall<?)"), "\(plan)")
        #expect(!plan.contains("SCAN"), "\(plan)")
    }
}
