import Foundation
import Testing
@testable import Ledger

/// `appendBatch` signs the next entries on another core while it stores these
/// (docs/STORE.md, "Writes"): a batch longer than one signing step must come out exactly as if
/// signed one by one, and a fault anywhere in it must store nothing.
@Suite("Batched append")
struct AppendBatchTests {
    struct Setup {
        let dir: TempDir
        let hq: LedgerNode

        init() throws {
            dir = try TempDir()
            hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Batch")
            try hq.publish(sampleCampaign("c1"))
        }

        func signature(_ index: Int) throws -> Appendable {
            let ledger = try hq.ledgerID
            let body = SignatureRecorded(
                campaign: "c1", campaignVersion: try #require(try hq.store.campaign("c1")).version, channel: .kiosk, paperList: nil,
                country: "NO", postcodeArea: nil, consentContact: false, signer: Digest.sha256(Array("signer \(index)".utf8)).hex,
                receiptHash: ReceiptCode().hash(ledger: ledger).hex)
            let details = try SignerDetails(name: "Signer", email: "signer\(index)@example.org").validated()
            let sealed = try Sealing.seal(try details.sealedPlaintext(), to: try hq.sealingPublicKey(), ledger: ledger)
            return try Appendable(body, payload: sealed)
        }
    }

    @Test("a batch of several signing steps is one chain, and a comment names the signature just before it, across the steps' boundaries too")
    func chainAcrossSteps() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let step = LedgerStore.signingChunk
        // A signature first, then (signature, comment) pairs: each comment at an even index, so
        // the first entry of every later step is a comment naming the last entry of the step before.
        var items = [try setup.signature(0)]
        var signatures = 1
        while items.count < step * 3 + 7 {
            items.append(try setup.signature(items.count))
            items.append(try .comment(following: CommentPosted(campaign: "c1", displayName: "S", text: "yes", signature: nil)))
            signatures += 1
        }
        let before = try setup.hq.store.entryCount()
        let written = try setup.hq.store.appendBatch(items, signer: setup.hq.key)
        #expect(written.count == items.count)
        #expect(try setup.hq.store.entryCount() == before + items.count)
        for index in written.indices.dropFirst() {
            #expect(written[index].sequence == written[index - 1].sequence + 1)
            #expect(written[index].previous == written[index - 1].id)
            #expect(written[index].timestamp > written[index - 1].timestamp)
            if written[index].type == EventType.commentPosted.rawValue {
                let comment = try written[index].decodeBody(CommentPosted.self)
                #expect(comment.signature == written[index - 1].id.hex, "entry \(index)")
                #expect(written[index - 1].type == EventType.signatureRecorded.rawValue)
            }
        }
        #expect(written.filter { $0.type == EventType.commentPosted.rawValue }.count == (items.count - 1) / 2)
        #expect(try setup.hq.store.entries().suffix(items.count).map(\.id) == written.map(\.id))
        let stats = try setup.hq.store.stats(campaign: try #require(try setup.hq.store.campaign("c1")))
        #expect(stats.counted == signatures)
        #expect(try setup.hq.store.countsDrift() == [])
        #expect(try Auditor(store: setup.hq.store).run(mode: .full).intact)
    }

    @Test("an entry that breaks a rule in a later signing step stores nothing of the batch, and the log goes on from where it was")
    func faultInLaterStep() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let step = LedgerStore.signingChunk
        var items = try (0..<(step * 2 + 10)).map { _ in
            try Appendable(CommentPosted(campaign: "c1", displayName: "S", text: "yes", signature: nil))
        }
        items[step * 2 + 3].body = Array(#"{"campaign":"c1"}"#.utf8)  // not a comment: fields missing
        let before = try setup.hq.store.entries()
        #expect(throws: StoreError.self) { try setup.hq.store.appendBatch(items, signer: setup.hq.key) }
        #expect(try setup.hq.store.entries() == before)
        let next = try setup.hq.store.append(CommentPosted(campaign: "c1", displayName: "S", text: "after", signature: nil), signer: setup.hq.key)
        #expect(next.sequence == (before.last?.sequence ?? 0) + 1)
        #expect(next.previous == before.last?.id)
        #expect(try Auditor(store: setup.hq.store).run(mode: .full).intact)
    }
}
