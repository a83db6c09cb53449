import Foundation
import Ledger
import Testing

@testable import ledgerd

/// A field laptop stolen after an event day (docs/PRIVACY.md, "Who can learn what"): its data
/// folder holds no signer's personal data in clear, no key that tests a guessed e-mail address,
/// and no way to open the sealed payloads.
@Suite("A stolen laptop, end to end", .timeLimit(.minutes(2)))
struct StolenLaptopTests {
    @Test("after kiosk signing, a withdrawal, an erasure and a sync, a copy of the laptop's folder reveals nothing")
    func stolenLaptopRevealsNothing() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Stall laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l").path)
            let kiosk = try await RunningDaemon.start(data: laptop.folder.path)
            // A day at the stall: people sign at the kiosk page, with made-up but distinctive details.
            var signers: [(name: String, email: String)] = []
            var receipts: [String] = []
            for number in 1...5 {
                let signer = ("Ingrid Quellstad \(number)", "ingrid.quellstad\(number)@example.org")
                signers.append(signer)
                let signed = try await signAtKiosk(kiosk.url, name: signer.0, email: signer.1)
                #expect(signed.status == 200)
                receipts += signed.receipt.map { [$0] } ?? []
            }
            _ = await kiosk.stop()
            #expect(receipts.count == 5)
            // One withdraws; one withdraws and asks for erasure; then the laptop syncs with HQ.
            let first = try #require(ReceiptCode(parsing: receipts[0]))
            let second = try #require(ReceiptCode(parsing: receipts[1]))
            try await offPool {
                _ = try laptop.withdraw(receipt: first)
                _ = try laptop.withdraw(receipt: second, erase: true)
            }
            _ = try await sync(laptop, with: hqd.url)
            _ = try await sync(laptop, with: hqd.url)
            #expect(try hq.store.signatureCounts(campaign: testCampaign) == ["counted": 3, "withdrawn": 2])

            // The thief's copy.
            let stolen = directory.appendingPathComponent("stolen").path
            try copyFolder(laptop.folder.path, to: stolen)

            // 1. No personal data in clear, in any file (store, WAL, keys, peers...); the search
            //    does find what is public there.
            #expect(try anyFile(under: stolen, contains: Array(testCampaign.utf8)))
            for signer in signers {
                for secret in [signer.name, signer.email, "quellstad"] {
                    #expect(try !anyFile(under: stolen, contains: Array(secret.utf8)))
                }
            }
            // 2. No key that tests a guessed address: no pseudonym key file, no signer reference the
            //    laptop could have computed (its signatures carry none; HQ's references do, and
            //    without the key they match nothing).
            let keys = try FileManager.default.contentsOfDirectory(atPath: stolen + "/keys")
            #expect(keys == ["node.key"])
            let copy = try LedgerNode.open(at: stolen)
            for entry in try copy.store.entries(matching: EntryFilter(author: laptop.key.publicKey, type: EventType.signatureRecorded.rawValue)) {
                #expect(try entry.decodeBody(SignatureRecorded.self).signer == nil)
            }
            // 3. The sealed payloads cannot be opened without HQ's key (not on the laptop), and the
            //    erased one is gone.
            #expect(try copy.sealingPrivateKey() == nil)
            let payloads = try copy.store.payloads()
            #expect(payloads.count == 4)
            let wrongKey = SealingPrivateKey()
            for payload in payloads {
                #expect(throws: (any Error).self) { try Sealing.open(payload, with: wrongKey, ledger: try copy.ledgerID) }
            }
            // HQ can: the same bytes open with HQ's key.
            let hqKey = try #require(try hq.sealingPrivateKey())
            #expect(throws: Never.self) { try Sealing.open(payloads[0], with: hqKey, ledger: try hq.ledgerID) }
        }
    }
}
