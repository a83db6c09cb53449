import Foundation
import Ledger
import Testing

@testable import ledgerd

/// Two laptops of one ledger sync with each other whatever order they joined in: a request
/// shows HQ's signed enrolment of its sender, so a laptop that has not seen that enrolment yet
/// still knows who is asking (docs/PROTOCOL.md, "Authentication").
@Suite("Join order, end to end", .timeLimit(.minutes(2)))
struct JoinOrderEndToEndTests {
    @Test("a laptop syncs with one that joined before it and never heard of it, both ways, offline from HQ")
    func laterJoinerSyncsWithEarlierOne() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            let first = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let second = try await joinLaptop("Laptop B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            #expect(try first.store.trustPolicy().role(of: second.key.publicKey) == nil)
            _ = await hqd.stop()  // the concert: no HQ
            try await sign(2, on: first, label: "A")
            try await sign(3, on: second, label: "B")
            let firstd = try await RunningDaemon.start(data: first.folder.path)
            defer { firstd.process.kill() }
            let secondd = try await RunningDaemon.start(data: second.folder.path)
            defer { secondd.process.kill() }

            // B asks A, which has never seen B's enrolment: answered, and A learns B's log.
            let report = try await sync(second, with: firstd.url)
            #expect(report.pulled == 2 && report.pushed >= 4, "\(report)")
            #expect(try first.store.trustPolicy().role(of: second.key.publicKey) == .field)
            // And the other way round.
            _ = try await sync(first, with: secondd.url)
            #expect(try first.store.readModelDigest() == (try second.store.readModelDigest()))
            // Offline from HQ, no laptop can check for duplicates (HQ alone holds the pseudonym key).
            #expect(try first.store.signatureCounts(campaign: testCampaign) == ["unchecked": 5])

            // A stranger's key with a forged or borrowed enrolment is still refused.
            let stranger = SigningKey()
            var forged = try TestRequest.signed("GET", "/v1/heads", key: stranger, ledger: try hq.ledgerID)
            let borrowed = try #require(try second.store.enrolment(of: second.key.publicKey))
            forged.headers[RequestAuth.Header.enrolment] = Data(borrowed.bytes).base64EncodedString()
            let refused = try await forged.send(to: firstd.url)
            #expect(refused.status == 403)
        }
    }
}
