import Foundation
import Ledger
import Testing

@testable import ledgerd

/// Who may talk to a real `ledgerd`: signed requests of enrolled devices only, once each.
@Suite("Sync authentication, end to end", .timeLimit(.minutes(2)))
struct SyncAuthEndToEndTests {
    @Test("an unenrolled node gets 401 or 403 and nothing is stored or served")
    func unenrolledNode() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let ledger = try hq.ledgerID
            let stranger = SigningKey()
            let countBefore = try hq.store.entryCount()
            let campaign = try #require(try hq.store.heads().first).id

            // Unsigned: 401, with the reason.
            let unsigned = try await TestRequest(method: "GET", path: "/v1/heads").send(to: hqd.url)
            #expect(unsigned.status == 401)
            #expect(unsigned.problem?.error.contains("missing header Ledger-Id") == true)

            // Signed by a key HQ never enrolled: 403 on every route, nothing served.
            let model = try #require(try hq.store.entry(id: Digest(hex: campaign)!))
            let entry = try handMadeEntry(by: stranger, like: model, ledger: ledger)
            let requests: [TestRequest] = [
                try .signed("GET", "/v1/heads", key: stranger, ledger: ledger),
                try .signed("POST", "/v1/entries/fetch", json: FetchRequest(from: [.init(author: hq.key.publicKey.hex, after: 0)], limit: 10), key: stranger, ledger: ledger),
                try .signed("POST", "/v1/entries", json: EntryBatch(entries: [entry.wire]), key: stranger, ledger: ledger),
                try .signed("GET", "/v1/payloads/wanted", key: stranger, ledger: ledger),
                try .signed("POST", "/v1/payloads", json: PayloadBatch(payloads: [Data([1, 2, 3]).base64EncodedString()]), key: stranger, ledger: ledger),
            ]
            for request in requests {
                let answer = try await request.send(to: hqd.url)
                #expect(answer.status == 403, "\(request.method) \(request.path): \(answer.text)")
                #expect(answer.problem?.error.contains("is not enrolled in this ledger") == true)
                #expect(!answer.text.contains("entries\""))
            }
            #expect(try hq.store.entryCount() == countBefore)
            #expect(try hq.store.payloads().isEmpty)
        }
    }

    @Test("a request signed for another ledger gets 403; a replayed request gets 401")
    func otherLedgerAndReplay() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)

            let otherLedger = Digest.sha256(Array("another ledger".utf8))
            let foreign = try await TestRequest.signed("GET", "/v1/heads", key: laptop.key, ledger: otherLedger).send(to: hqd.url)
            #expect(foreign.status == 403)
            #expect(foreign.problem?.error.contains("not in the ledger the request names") == true)
            // A stranger learns nothing of HQ's ledger id from the refusal.
            let ledgerHex = try hq.ledgerID.hex
            #expect(!(foreign.text.contains(String(ledgerHex.prefix(8)))))

            try await sign(1, on: laptop, label: "A")
            let entry = try #require(try entries(of: laptop.key.publicKey, in: laptop.store).first)
            let push = try TestRequest.signed("POST", "/v1/entries", json: EntryBatch(entries: [entry.wire]), key: laptop.key, ledger: try laptop.ledgerID)
            let first = try await push.send(to: hqd.url)
            #expect(first.status == 200)
            #expect(try first.decode(PushResult.self).added == 1)
            let replayed = try await push.send(to: hqd.url)
            #expect(replayed.status == 401)
            #expect(replayed.problem?.error.contains("replayed") == true)

            let stale = try await TestRequest.signed("GET", "/v1/heads", key: laptop.key, ledger: try laptop.ledgerID,
                                                     time: SystemClock().nowMillis() - 10 * 60_000).send(to: hqd.url)
            #expect(stale.status == 401)
            #expect(stale.problem?.error.contains("clock") == true)

            // Signed for one path, sent to another.
            var moved = try TestRequest.signed("GET", "/v1/heads", key: laptop.key, ledger: try laptop.ledgerID)
            moved.path = "/v1/payloads/wanted"
            let answer = try await moved.send(to: hqd.url)
            #expect(answer.status == 401)
            #expect(answer.problem?.error.contains("signature does not verify") == true)
        }
    }

    @Test("a revoked device is refused, and its later entries are refused when another device relays them")
    func revokedDevice() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let lost = try await joinLaptop("Lost laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("lost").path)
            let other = try await joinLaptop("Laptop B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            try await sign(2, on: lost, label: "Lost")
            _ = try await sync(lost, with: hqd.url)

            // Reported lost after its second entry.
            try hq.revoke(device: lost.key.publicKey, afterSequence: 2, reason: "stolen at the stall")
            try await sign(1, on: lost, label: "Thief")

            let refused = try await TestRequest.signed("GET", "/v1/heads", key: lost.key, ledger: try lost.ledgerID).send(to: hqd.url)
            #expect(refused.status == 403)
            #expect(refused.problem?.error.contains("was revoked") == true)
            await #expect(throws: PeerError.self) { try await sync(lost, with: hqd.url) }

            // B carries the thief's entry to HQ: kept as evidence, reported, never counted.
            let third = try #require(try entries(of: lost.key.publicKey, in: lost.store).last)
            #expect(third.sequence == 3)
            let relay = try await TestRequest.signed("POST", "/v1/entries", json: EntryBatch(entries: [third.wire]), key: other.key, ledger: try other.ledgerID).send(to: hqd.url)
            #expect(relay.status == 200, "\(relay.text)")
            #expect(try relay.decode(PushResult.self) == PushResult(added: 1, known: 0, forks: 0, refused: 0, unauthorised: 1))
            #expect(try entries(of: lost.key.publicKey, in: hq.store).map(\.sequence) == [1, 2, 3])
            #expect(try hq.store.payloads().count == 2)
            #expect(try hq.store.signatureCounts(campaign: testCampaign) == ["counted": 2, "unauthorised": 1])
        }
    }
}
