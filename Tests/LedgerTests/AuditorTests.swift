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

    @Test("on a ledger of thousands of entries, an edited entry and a row cut short are named in both modes, with the broken links after them and nothing else")
    func faultsFarIn() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeLedger(dir)
        let comments = try (0..<(2048 * 2 + 100)).map { index in
            try Appendable(CommentPosted(campaign: "free-the-press", displayName: "C", text: "comment \(index)", signature: nil))
        }
        _ = try node.store.appendBatch(comments, signer: node.key)
        let entries = try node.store.entries()
        #expect(entries.count > 2048 * 2)
        for mode in [VerificationMode.fast, .full] {
            let report = try Auditor(store: node.store).run(mode: mode)
            #expect(report.intact && report.entries == entries.count)
        }
        let raw = try RawDatabase(path: node.folder.storePath)
        try raw.dropTriggers()
        // One edited entry in the second chunk, one cut short (not parseable) in the third.
        let edited = entries[2048 + 7]
        var bytes = edited.bytes
        bytes[200] ^= 0x01
        try raw.setEntryBytes(bytes, author: edited.author.bytes, sequence: edited.sequence)
        let cut = entries[2048 * 2 + 50]
        try raw.setEntryBytes(Array(cut.bytes.prefix(100)), author: cut.author.bytes, sequence: cut.sequence)
        for mode in [VerificationMode.fast, .full] {
            let report = try Auditor(store: node.store).run(mode: mode)
            #expect(report.entries == entries.count, "\(mode)")
            #expect(report.faults.contains { $0.kind == .idMismatch && $0.sequence == edited.sequence }, "\(mode)")
            #expect(report.faults.contains { $0.kind == .malformed && $0.sequence == cut.sequence }, "\(mode)")
            // The entries after the two name a predecessor that no longer matches: broken links.
            let named = Set(report.faults.map(\.sequence))
            #expect(named == [edited.sequence, edited.sequence + 1, cut.sequence, cut.sequence + 1], "\(mode): \(report.faults.map { "\($0.kind) \($0.sequence)" })")
        }
    }

    @Test("a stored sequence number below zero (edited behind the store's back) is a fault in both modes, not a crash")
    func negativeStoredSequence() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeLedger(dir)
        let raw = try RawDatabase(path: node.folder.storePath)
        try raw.dropTriggers()
        try raw.execute("UPDATE entries SET sequence = -5 WHERE rowid = 3")
        for mode in [VerificationMode.fast, .full] {
            let report = try Auditor(store: node.store).run(mode: mode)
            #expect(!report.intact, "\(mode)")
            #expect(report.faults.contains { $0.kind == .idMismatch }, "\(mode)")
        }
    }

    @Test("with small windows, checked while the next is read, every window's faults are reported once, whatever the window")
    func overlappedWindows() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeLedger(dir)
        for index in 0..<200 {
            _ = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Signer \(index)", email: "s\(index)@example.org"))
        }
        let entries = try node.store.entries()
        let raw = try RawDatabase(path: node.folder.storePath)
        try raw.dropTriggers()
        // A flipped signature byte in entries of several windows: only the signature check finds it.
        let damaged = [5, 64, 65, 130, entries.count - 2]
        for index in damaged {
            var bytes = entries[index].bytes
            bytes[bytes.count - 1] ^= 0x01
            try raw.setEntryBytes(bytes, author: entries[index].author.bytes, sequence: entries[index].sequence)
            try raw.setEntryBytes(Digest.sha256(bytes).bytes, author: entries[index].author.bytes, sequence: entries[index].sequence, column: "id")
        }
        for window in [1, 3, 64, 16_384] {
            var auditor = Auditor(store: node.store)
            auditor.window = window
            let report = try auditor.run(mode: .full)
            let bad = report.faults.filter { $0.kind == .badSignature }.map(\.sequence)
            #expect(bad == damaged.map { entries[$0].sequence }.sorted(), "window \(window): \(bad)")
            #expect(report.signaturesChecked == entries.count && report.entries == entries.count, "window \(window)")
        }
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
