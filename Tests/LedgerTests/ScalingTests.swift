import Foundation
import Testing
@testable import Ledger

/// Routine operations must not grow with the ledger: an HQ of ten million signatures enrols a
/// laptop, updates a campaign's texts or deadline, closes it, records a signing and checks retention as fast as one of a
/// thousand. Each was once proportional to the ledger (a whole re-rank per enrolment or text
/// update, a count of every signature every five minutes) and no other test saw it, because
/// the answers were right. Here each operation's SQLite instructions are counted on a ledger of
/// 400 signatures and on one of 1,600: work proportional to the ledger would run about four
/// times as many; index seeks about as many.
@Suite("Scaling")
struct ScalingTests {
    /// The operations measured, in the order run.
    static let operations = ["sign", "sign again", "withdraw", "erase by receipt", "erase by e-mail", "comment", "hide the comment", "enrol", "revoke",
                             "update texts", "move the deadline", "close", "retention check", "reads", "status", "checkpoint", "metrics", "push"]

    /// Instructions (in hundreds) of each operation on an HQ holding `signatures` signatures.
    func instructions(signatures: Int) throws -> [String: Int64] {
        let setup = try AppendBatchTests.Setup()
        defer { setup.dir.remove() }
        let hq = setup.hq
        let items = try (0..<signatures).map { try setup.signature($0) }
        for start in stride(from: 0, to: items.count, by: 500) {
            _ = try hq.store.appendBatch(Array(items[start..<min(items.count, start + 500)]), signer: hq.key)
        }
        // A laptop that pushes one signature at the end, as a sync would bring it.
        let laptopKey = SigningKey()
        try hq.enrol(device: laptopKey.publicKey, name: "Pushing laptop")
        let laptop = try LedgerStore.open(at: setup.dir.file("laptop.sqlite"), create: true)
        _ = try laptop.ingest(try hq.store.entries())
        let pushed = try #require(try laptop.appendBatch([try setup.signature(signatures)], signer: laptopKey).first)

        let counter = InstructionCounter()
        try hq.store.locked { hq.store.connection.countInstructions(into: counter) }
        try hq.store.readers.countInstructions(into: counter)
        defer { try? hq.store.locked { hq.store.connection.countInstructions(into: nil) } }
        var out: [String: Int64] = [:]
        func measure(_ name: String, _ body: () throws -> Void) throws {
            _ = counter.take()
            try body()
            out[name] = counter.take()
        }
        let device = SigningKey().publicKey
        var text = sampleCampaign("c1")
        text.goal = 123_456
        var receipt: ReceiptCode?
        try measure("sign") {
            receipt = try hq.sign(campaign: "c1", signer: SignerDetails(name: "Kari", email: "kari@example.org", country: "NO"), channel: .kiosk).code
        }
        var second: ReceiptCode?
        try measure("sign again") {
            second = try hq.sign(campaign: "c1", signer: SignerDetails(name: "Ola", email: "ola@example.org", country: "NO"), channel: .kiosk).code
        }
        try measure("withdraw") { _ = try hq.withdraw(receipt: try #require(receipt)) }
        try measure("erase by receipt") { _ = try hq.erase(receipt: try #require(second), reason: "asked") }
        try measure("erase by e-mail") { _ = try hq.erase(email: "kari@example.org", campaign: "c1", reason: "asked") }
        var comment: Entry?
        try measure("comment") { comment = try hq.comment(campaign: "c1", displayName: "Kari", text: "Free them") }
        try measure("hide the comment") { _ = try hq.hideComment(try #require(comment).id, reason: "spam") }
        try measure("enrol") { _ = try hq.enrol(device: device, name: "New laptop") }
        try measure("revoke") { _ = try hq.revoke(device: device, afterSequence: 0, reason: "lost") }
        try measure("update texts") { _ = try hq.update(text) }
        var later = sampleCampaign("c1", deadline: "2099-01-01T00:00:00.000Z")
        later.goal = 123_456
        try measure("move the deadline") { _ = try hq.update(later) }
        try measure("close") { _ = try hq.close(campaign: "c1") }
        try measure("retention check") { _ = try hq.eraseExpired() }
        try measure("reads") {
            _ = try hq.store.campaigns()
            _ = try hq.store.stats(campaign: try #require(try hq.store.campaign("c1")))
            _ = try hq.store.heads()
            _ = try hq.store.signatureCounts(campaign: "c1")
        }
        try measure("status") {
            _ = try hq.info()
            _ = try hq.store.knownReadModelDigest()
            _ = try hq.store.forkedLogs()
        }
        try measure("checkpoint") { _ = try hq.signCheckpoint() }
        try measure("metrics") {
            // What ledgerd's /metrics reads on every scrape (Sources/ledgerd/Metrics).
            _ = try hq.store.entryCount()
            _ = try hq.store.forkEntryCount()
            _ = try hq.store.forkedLogs()
            for campaign in try hq.store.campaigns() { _ = try hq.store.signatureCounts(campaign: campaign.campaign) }
            _ = try hq.store.treeSize()
            _ = try hq.store.treeEpoch()
            if let newest = try hq.store.newestCheckpoint() { _ = try hq.store.cosignatureLines(epoch: newest.epoch, size: newest.size) }
        }
        try measure("push") {
            // What ledgerd does with a push: store it, then erase what was asked and write the
            // signer references due (HQ opens the pushed signature's payload for it).
            _ = try hq.store.ingest([pushed], payloads: try laptop.payloads())
            try hq.afterArrival()
        }
        return out
    }

    @Test("signing, withdrawing, erasing, commenting and hiding, enrolment and revocation, a campaign update, deadline or close, a push, the retention check, the status and metrics reads and a checkpoint do not grow with the ledger")
    func routineOperationsAreFlat() throws {
        let small = try instructions(signatures: 400)
        let large = try instructions(signatures: 1_600)
        for operation in Self.operations {
            let (few, many) = (try #require(small[operation]), try #require(large[operation]))
            // Four times the signatures: a cost proportional to them would be about 4x.
            #expect(many <= few * 3 / 2 + 20, "\(operation): \(few) hundred instructions at 400 signatures, \(many) at 1,600")
        }
    }
}
