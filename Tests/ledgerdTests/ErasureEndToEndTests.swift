import Foundation
import Ledger
import Testing

@testable import ledgerd

/// Erasure (docs/PRIVACY.md, "Erasure"): the sealed payload leaves every node at its next sync,
/// literally — no file of any data folder holds its bytes afterwards — while the chain, the
/// remaining counts and every audit still verify, and an erased payload pushed again is refused.
@Suite("Erasure, end to end", .timeLimit(.minutes(2)))
struct ErasureEndToEndTests {
    @Test("a signer erases at a laptop: HQ erases, the payload's bytes leave every file of both data folders, audits stay intact")
    func erasureReachesEveryNode() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l").path)
            let receipts = try await sign(3, on: laptop, label: "Erase")
            _ = try await sync(laptop, with: hqd.url)
            let target = receipts[1]
            let digest = try #require(target.entry.payloadDigest)
            let sealed = try #require(try laptop.store.payload(digest: digest))
            #expect(try anyFile(under: laptop.folder.path, contains: sealed))
            #expect(try anyFile(under: hq.folder.path, contains: sealed))

            // At the stall, with the receipt code: withdraw and ask for erasure.
            try await offPool { _ = try laptop.withdraw(receipt: target.code, erase: true) }
            _ = try await sync(laptop, with: hqd.url)  // HQ erases as the withdrawal arrives
            _ = try await sync(laptop, with: hqd.url)  // the erasure reaches the laptop
            for node in [hq, laptop] {
                #expect(try node.store.payload(digest: digest) == nil)
                #expect(try node.store.isErased(signature: target.entry.id))
                #expect(try node.store.signatureCounts(campaign: testCampaign) == ["counted": 2, "withdrawn": 1])
                let audit = try Auditor(store: node.store).run(mode: .full)
                #expect(audit.intact && audit.faults.isEmpty, "\(audit.faults)")
            }
            #expect(try hq.store.readModelDigest() == (try laptop.store.readModelDigest()))
            // "Disappears" is literal: not a copy in the store, its WAL or anywhere in the folders.
            let reopened = try LedgerNode.open(at: hq.folder.path)  // the daemon checkpointed its WAL
            #expect(try reopened.store.payload(digest: digest) == nil)
            #expect(try !anyFile(under: laptop.folder.path, contains: sealed))
            #expect(try !anyFile(under: hq.folder.path, contains: sealed))
            #expect(try !anyFile(under: laptop.folder.path, contains: Array(sealed[40..<72])))
            #expect(try !anyFile(under: hq.folder.path, contains: Array(sealed[40..<72])))
            // The other payloads are still there.
            let kept = try #require(receipts[0].entry.payloadDigest)
            #expect(try hq.store.payload(digest: kept) != nil)

            // Pushed again by a laptop that kept a copy: refused, not stored.
            let again = try await TestRequest.signed("POST", "/v1/payloads", json: PayloadBatch(payloads: [Data(sealed).base64EncodedString()]),
                                                     key: laptop.key, ledger: try laptop.ledgerID).send(to: hqd.url)
            #expect(again.status == 200)
            #expect(try again.decode(PushResult.self).refused == 1)
            #expect(try hq.store.payload(digest: digest) == nil)
        }
    }

    @Test("HQ erases everything one e-mail address signed, on request, with 'ledgerctl erase --email'")
    func eraseByEmail() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            try await sign(2, on: hq, label: "Keep")
            let signer = testSigner("Gone", 1)
            let gone = try await offPool { try hq.sign(campaign: testCampaign, signer: signer, channel: .kiosk) }
            let email = try #require(signer.email)
            let erased = try ledgerctl(["erase", "--email", email, "--reason", "GDPR request 2026-117"], data: hq.folder.path)
            #expect(erased.status == 0, "\(erased)")
            #expect(!erased.stdout.contains(email) && !erased.stderr.contains(email))
            let reopened = try LedgerNode.open(at: hq.folder.path)
            #expect(try reopened.store.payload(digest: try #require(gone.entry.payloadDigest)) == nil)
            #expect(try reopened.store.signatureCounts(campaign: testCampaign) == ["counted": 2, "withdrawn": 1])
            let nothing = try ledgerctl(["erase", "--email", "nobody@example.org"], data: hq.folder.path)
            #expect(nothing.status == 3 && nothing.stderr.contains("no signature"), "\(nothing)")
        }
    }
}
