import Foundation
import Testing
@testable import Ledger

@Suite("Auditor")
struct AuditorTests {
    /// An HQ node with a campaign, one signature, one comment and a withdrawal.
    func makeLedger(_ dir: TempDir) throws -> LedgerNode {
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Audit")
        try node.publish(sampleCampaign())
        let receipt = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
        try node.comment(campaign: "free-the-press", displayName: "Ola", text: "Free them")
        try node.withdraw(receipt: receipt.code)
        return node
    }

    @Test("an intact ledger passes fast and full audits")
    func intact() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeLedger(dir)
        let fast = try Auditor(store: node.store).run(mode: .fast)
        let full = try Auditor(store: node.store).run(mode: .full)
        #expect(fast.intact && full.intact)
        #expect(fast.entries == 5 && full.entries == 5)
        #expect(fast.signaturesChecked == 1)
        #expect(full.signaturesChecked == 5)
        #expect(full.payloadsChecked == 1)
    }

    @Test("an entry edited behind the store's back is named by both audits, for a flip at any byte")
    func tamperedBytesNamed() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeLedger(dir)
        let target = try node.store.entries()[2]
        let raw = try RawDatabase(path: node.folder.storePath)
        try raw.dropTriggers()
        for offset in stride(from: 0, to: target.bytes.count, by: 1) {
            var bytes = target.bytes
            bytes[offset] ^= 0x01
            try raw.setEntryBytes(bytes, author: target.author.bytes, sequence: target.sequence)
            for mode in [VerificationMode.fast, .full] {
                let report = try Auditor(store: node.store).run(mode: mode)
                #expect(!report.intact, "flip at \(offset) passed the \(mode) audit")
                #expect(report.faults.contains { $0.sequence == target.sequence && $0.author == target.author.hex },
                        "flip at \(offset): \(mode) audit did not name sequence \(target.sequence)")
            }
        }
        try raw.setEntryBytes(target.bytes, author: target.author.bytes, sequence: target.sequence)
        #expect(try Auditor(store: node.store).run(mode: .full).intact)
    }

    @Test("re-hashing a tampered entry does not help: the next link or the head signature breaks")
    func tamperedAndRehashed() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeLedger(dir)
        let entries = try node.store.entries()
        let raw = try RawDatabase(path: node.folder.storePath)
        try raw.dropTriggers()
        for index in [2, entries.count - 1] {
            let target = entries[index]
            var bytes = target.bytes
            bytes[130] ^= 0x01  // inside the body
            try raw.setEntryBytes(bytes, author: target.author.bytes, sequence: target.sequence)
            try raw.setEntryBytes(Digest.sha256(bytes).bytes, author: target.author.bytes, sequence: target.sequence, column: "id")
            let report = try Auditor(store: node.store).run(mode: .fast)
            #expect(!report.intact)
            let expected = index == entries.count - 1 ? target.sequence : target.sequence + 1
            #expect(report.faults.contains { $0.sequence == expected }, "\(report.faults)")
            try raw.setEntryBytes(target.bytes, author: target.author.bytes, sequence: target.sequence)
            try raw.setEntryBytes(target.id.bytes, author: target.author.bytes, sequence: target.sequence, column: "id")
        }
    }

    @Test("a missing or altered payload fails the full audit, naming the signature entry")
    func payloads() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeLedger(dir)
        let signature = try #require(try node.store.entries(matching: EntryFilter(type: "signature.recorded")).first)
        let raw = try RawDatabase(path: node.folder.storePath)
        try raw.execute("DELETE FROM payloads")
        let report = try Auditor(store: node.store).run(mode: .full)
        #expect(report.faults.map(\.kind) == [.missingPayload])
        #expect(report.faults.first?.id == signature.id.hex)
        #expect(try Auditor(store: node.store).run(mode: .fast).intact)
    }
}
