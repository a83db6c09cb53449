import Foundation
import Ledger
import Testing

@testable import ledgerd

/// Bad input from an enrolled laptop: each answered with a 4xx and a reason, nothing stored, and
/// the daemon keeps serving.
@Suite("Bad sync input, end to end", .timeLimit(.minutes(2)))
struct BadInputEndToEndTests {
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case malformedJSON, oversizedBody, sequenceGap, flippedByte, forgedAuthor, unenrolledAuthor, payloadWithWrongDigest

        var testDescription: String { rawValue }
    }

    @Test("refuses bad input with a 4xx and a reason, stores nothing, keeps serving", arguments: Case.allCases)
    func refuses(_ badInput: Case) async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let ledger = try laptop.ledgerID
            try await sign(3, on: laptop, label: "A")  // offline: HQ holds none of them
            let own = try entries(of: laptop.key.publicKey, in: laptop.store)
            let before = try hq.store.entryCount()

            func push(_ entries: [String]) throws -> TestRequest {
                try .signed("POST", "/v1/entries", json: EntryBatch(entries: entries), key: laptop.key, ledger: ledger)
            }
            let request: TestRequest
            let expected: (status: Int, reason: String)
            switch badInput {
            case .malformedJSON:
                request = try .signed("POST", "/v1/entries", body: Array(#"{"entries": ["#.utf8), key: laptop.key, ledger: ledger)
                expected = (400, "malformed JSON body")
            case .oversizedBody:
                request = try .signed("POST", "/v1/entries", body: [UInt8](repeating: 0x20, count: SyncLimits.maxBodyBytes + 1), key: laptop.key, ledger: ledger)
                expected = (413, "larger than 16777216 bytes")
            case .sequenceGap:
                request = try push([own[0].wire, own[2].wire])
                expected = (422, "sequence-gap")
            case .flippedByte:
                var bytes = own[0].bytes
                bytes[bytes.count - 1] ^= 0x01  // in the signature
                request = try push([Data(bytes).base64EncodedString()])
                expected = (422, "bad-signature")
            case .forgedAuthor:
                // Claims the laptop as author, signed by a key HQ does not know.
                let forged = try handMadeEntry(by: laptop.key, like: own[0], ledger: ledger, signedBy: SigningKey())
                request = try push([forged.wire])
                expected = (422, "bad-signature")
            case .unenrolledAuthor:
                let stranger = try handMadeEntry(by: SigningKey(), like: own[0], ledger: ledger)
                request = try push([stranger.wire])
                expected = (422, "unknown-author")
            case .payloadWithWrongDigest:
                let payload = Data((0..<200).map { UInt8($0 % 251) }).base64EncodedString()
                request = try .signed("POST", "/v1/payloads", json: PayloadBatch(payloads: [payload]), key: laptop.key, ledger: ledger)
                expected = (422, "")
            }

            let answer = try await request.send(to: hqd.url)
            #expect(answer.status == expected.status, "\(answer.text)")
            let problem = try #require(answer.problem, "not a JSON error body: \(answer.text)")
            #expect(!problem.error.isEmpty)
            if expected.status == 422, expected.reason.isEmpty {
                #expect(problem.error.contains("payload"))
            } else if expected.status == 422 {
                #expect(problem.fault?.kind.rawValue == expected.reason, "\(problem)")
                #expect(problem.fault?.sequence != nil)
            } else {
                #expect(problem.error.contains(expected.reason), "\(problem.error)")
            }

            // Nothing stored.
            #expect(try hq.store.entryCount() == before)
            #expect(try hq.store.payloads().isEmpty)
            #expect(try hq.store.forkEntries().isEmpty)
            // Still serving: the real batch goes through afterwards.
            let health = try await TestRequest(method: "GET", path: "/healthz").send(to: hqd.url)
            #expect(health.status == 200)
            let good = try await push(own.map(\.wire)).send(to: hqd.url)
            #expect(good.status == 200, "\(good.text)")
            #expect(try good.decode(PushResult.self).added == 3)
        }
    }
}
