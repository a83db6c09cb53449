import Foundation
import Testing

@testable import Ledger

/// Erasure and withdrawal (docs/PRIVACY.md, docs/READMODELS.md): the payload goes, the entries
/// and counts stay verifiable, the order entries arrive in changes nothing, and a withdrawn
/// signer's comment leaves the public list.
@Suite("Erasure")
struct ErasureTests {
    typealias Setup = CountingTests.Setup

    @Test("a signature's erased flag is what its erasures say, 0 or 1, whatever value the row held before")
    func erasedFlagRefresh() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Privacy")
        try hq.publish(sampleCampaign())
        let receipt = try hq.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
        let id = receipt.entry.id
        func refresh() throws {
            try hq.store.locked {
                let projector = try hq.store.makeProjector()
                projector.dirtySignatures.insert(id)
                try projector.finish()
            }
        }
        let raw = try RawDatabase(path: hq.folder.storePath)
        let flag = "SELECT erased FROM signatures WHERE id = x'\(id.hex)'"
        // An edited row (7, or -1) is set back to 0 by the next refresh, not flipped between values.
        for edited in ["7", "-1", "1"] {
            try raw.execute("UPDATE signatures SET erased = \(edited) WHERE id = x'\(id.hex)'")
            try refresh()
            #expect(try raw.count(flag) == 0, "edited to \(edited)")
            try refresh()
            #expect(try raw.count(flag) == 0, "edited to \(edited), refreshed twice")
        }
        _ = try hq.erase(receipt: receipt.code, reason: nil)
        #expect(try hq.store.isErased(signature: id))
        try raw.execute("UPDATE signatures SET erased = 5 WHERE id = x'\(id.hex)'")
        try refresh()
        #expect(try raw.count(flag) == 1)
    }

    @Test("withdrawing a signature also hides the comment left with it")
    func withdrawalHidesComment() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Privacy")
        try hq.publish(sampleCampaign())
        let signer = SignerDetails(name: "Kari Nordmann", email: "kari@example.org")
        let kept = try hq.sign(campaign: "free-the-press", signer: SignerDetails(name: "Ola", email: "ola@example.org"),
                               comment: SignerComment(displayName: "Ola", text: "Yes"), channel: .kiosk)
        let receipt = try hq.sign(campaign: "free-the-press", signer: signer, comment: SignerComment(displayName: "Kari", text: "Free them"), channel: .kiosk)
        let comments = try hq.store.entries(matching: EntryFilter(type: EventType.commentPosted.rawValue))
        #expect(try comments.map { try $0.decodeBody(CommentPosted.self).signature } == [kept.entry.id.hex, receipt.entry.id.hex])
        #expect(try hq.store.comments(campaign: "free-the-press").count == 2)
        try hq.withdraw(receipt: receipt.code)
        let visible = try hq.store.comments(campaign: "free-the-press")
        #expect(visible.map(\.displayName) == ["Ola"])
        let all = try hq.store.comments(campaign: "free-the-press", includeHidden: true)
        #expect(all.first { $0.displayName == "Kari" }?.hiddenReason == "the signer withdrew their signature")
        #expect(try hq.store.rebuildReadModels() > 0)
        #expect(try hq.store.comments(campaign: "free-the-press").map(\.displayName) == ["Ola"])
    }

    @Test("HQ erases by receipt code: the payload is gone, the signature withdrawn, audits intact, a rebuild agrees")
    func eraseByReceipt() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let (entry, code) = try setup.sign(on: 0, email: "gone@example.org")
        _ = try setup.sign(on: 0, email: "kept@example.org")
        try setup.syncToHQ()
        let digest = try #require(entry.payloadDigest)
        #expect(try setup.hq.store.payload(digest: digest) != nil)
        let written = try setup.hq.erase(receipt: code, reason: "request by letter")
        #expect(written.map(\.type) == [EventType.signatureWithdrawn.rawValue, EventType.payloadErased.rawValue])
        #expect(try setup.hq.store.payload(digest: digest) == nil)
        #expect(try setup.hq.store.isErased(signature: entry.id))
        #expect(try setup.stats().counted == 1)
        #expect(try setup.hq.erase(receipt: code, reason: nil).isEmpty)  // twice: nothing more to do
        let audit = try Auditor(store: setup.hq.store).run(mode: .full)
        #expect(audit.intact && audit.faults.isEmpty)
        let digestBefore = try setup.hq.store.readModelDigest()
        #expect(try setup.hq.store.countsDrift() == [])
        _ = try setup.hq.store.rebuildReadModels()
        #expect(try setup.hq.store.readModelDigest() == digestBefore)
        // A field laptop may not erase.
        let laptop = try LedgerStore.open(at: setup.dir.file("laptop0.sqlite"))
        #expect(throws: StoreError.self) {
            try laptop.append(PayloadErased(signature: entry.id.hex, payload: digest.hex, reason: nil), signer: setup.keys[0])
        }
    }

    @Test("an erasure that arrives before its signature and payload: the payload is refused, the counts match HQ's")
    func erasureFirst() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let (entry, code) = try setup.sign(on: 0, email: "gone@example.org")
        try setup.syncToHQ()
        try setup.hq.erase(receipt: code, reason: nil)
        let laptopLog = try setup.laptops[0].entries(matching: EntryFilter(author: setup.keys[0].publicKey))
        let digest = try #require(entry.payloadDigest)
        let payload = try #require(try setup.laptops[0].payload(digest: digest))
        // An observer gets HQ's log first (with the erasure), then the laptop's log and its payload.
        let observer = try LedgerStore.open(at: setup.dir.file("observer.sqlite"), create: true)
        _ = try observer.ingest(try setup.hq.store.entries(matching: EntryFilter(author: setup.hq.key.publicKey)))
        let report = try observer.ingest(laptopLog, payloads: [payload])
        #expect(report.payloadsRefused == 1 && report.payloadsAdded == 0)
        #expect(try observer.payload(digest: digest) == nil)
        #expect(try observer.readModelDigest() == (try setup.hq.store.readModelDigest()))
        #expect(try observer.wantedPayloads(limit: 10).isEmpty)
    }

    @Test("an erasure that arrives after its signature but before the payload: the payload is no longer wanted, and refused if sent")
    func erasureBeforePayload() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let (entry, code) = try setup.sign(on: 0, email: "gone@example.org")
        try setup.syncToHQ()
        let digest = try #require(entry.payloadDigest)
        let payload = try #require(try setup.laptops[0].payload(digest: digest))
        // An observer gets the laptop's log without payloads: the payload is wanted.
        let observer = try LedgerStore.open(at: setup.dir.file("observer.sqlite"), create: true)
        let hqLog = { try setup.hq.store.entries(matching: EntryFilter(author: setup.hq.key.publicKey)) }
        _ = try observer.ingest(try hqLog())
        _ = try observer.ingest(try setup.laptops[0].entries(matching: EntryFilter(author: setup.keys[0].publicKey)))
        #expect(try observer.wantedPayloads(limit: 10) == [digest])
        // Then HQ's erasure arrives: nothing is wanted any more, and the payload is refused.
        try setup.hq.erase(receipt: code, reason: nil)
        let known = Set(try observer.entries().map(\.id))
        _ = try observer.ingest(try hqLog().filter { !known.contains($0.id) })
        #expect(try observer.wantedPayloads(limit: 10).isEmpty)
        let report = try observer.ingest([], payloads: [payload])
        #expect(report.payloadsRefused == 1 && report.payloadsAdded == 0)
        #expect(try observer.payload(digest: digest) == nil)
    }

    @Test("retention: a campaign's signers' data is erased the set number of days after it closes, not before, and the counts stay")
    func retention() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        var campaign = sampleCampaign("c2")
        campaign.retentionDays = 30
        try setup.hq.publish(campaign)
        let keep = try setup.hq.sign(campaign: "c1", signer: SignerDetails(name: "Kept", email: "kept@example.org"))
        for number in 1...3 { _ = try setup.hq.sign(campaign: "c2", signer: SignerDetails(name: "S", email: "s\(number)@example.org")) }
        let now = SystemClock().nowMillis()
        #expect(try setup.hq.eraseExpired(now: now + 365 * 86_400_000).isEmpty)  // open: kept, however long
        try setup.hq.close(campaign: "c2", reason: "delivered")
        let plan = try #require(try setup.hq.store.retentionPlans(now: now).first { $0.campaign == "c2" })
        let eraseAt = try #require(plan.eraseAt)
        #expect(plan.retentionDays == 30 && plan.payloadsKept == 3 && !plan.due)
        #expect(eraseAt == (plan.closedAt ?? 0) + 30 * 86_400_000)
        #expect(try setup.hq.eraseExpired(now: eraseAt - 1).isEmpty)
        let erased = try setup.hq.eraseExpired(now: eraseAt)
        #expect(erased.count == 3)
        #expect(try erased.allSatisfy { try $0.decodeBody(PayloadErased.self).reason == "retention" })
        #expect(try setup.hq.store.retentionPlans(now: eraseAt).first { $0.campaign == "c2" }?.payloadsKept == 0)
        #expect(try setup.hq.eraseExpired(now: eraseAt + 1).isEmpty)  // done once
        #expect(try setup.hq.store.signatureCounts(campaign: "c2") == ["counted": 3])
        #expect(try setup.hq.store.payload(digest: try #require(keep.entry.payloadDigest)) != nil)  // c1 sets no retention
        let audit = try Auditor(store: setup.hq.store).run(mode: .full)
        #expect(audit.intact && audit.faults.isEmpty)
    }

    @Test("a withdrawal asking erasure whose erasure pass fails is still reported as done; the erasure stays due and the next pass writes it")
    func erasureAfterWithdrawalIsBestEffort() throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let hq = try LedgerNode.createHQ(at: directory.path + "/hq", name: "HQ")
        try hq.publish(sampleCampaign())
        let signed = try hq.sign(campaign: "free-the-press", signer: SignerDetails(name: "Signer", email: "s@example.org"), channel: .kiosk)
        let digest = try #require(signed.entry.payloadDigest)
        // The erasure entry cannot be written now (as when another process holds the writer).
        let other = try SQLiteConnection(path: hq.store.path)
        try other.execute("""
            CREATE TRIGGER test_no_erasure BEFORE INSERT ON entries WHEN NEW.type = 'payload.erased'
            BEGIN SELECT RAISE(ABORT, 'erasure held back by the test'); END
            """)
        let withdrawal = try hq.withdraw(receipt: signed.code, erase: true)
        #expect(withdrawal.type == EventType.signatureWithdrawn.rawValue)
        #expect(try hq.store.signature(id: signed.entry.id)?.state == "withdrawn")
        #expect(try !hq.store.isErased(signature: signed.entry.id))
        #expect(try hq.store.payload(digest: digest) != nil)
        try other.execute("DROP TRIGGER test_no_erasure")
        let caughtUp = try hq.afterArrival()
        #expect(caughtUp.map(\.type) == [EventType.payloadErased.rawValue])
        #expect(try hq.store.isErased(signature: signed.entry.id))
        #expect(try hq.store.payload(digest: digest) == nil)
    }
}
