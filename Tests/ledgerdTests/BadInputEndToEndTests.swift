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
        case fetchAfterBeyondRange, duplicateMember, sequenceBeyondRange, forkThenSequenceBeyondRange, wallBeyondRange
        case tooManyLogsInFetch

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
            case .fetchAfterBeyondRange:
                // 2^63: one more than SQLite's largest integer; this used to trap the daemon.
                let body = #"{"from":[{"author":"\#(hq.key.publicKey.hex)","after":9223372036854775808}],"limit":1}"#
                request = try .signed("POST", "/v1/entries/fetch", body: Array(body.utf8), key: laptop.key, ledger: ledger)
                expected = (400, "above 2^63 - 1")
            case .duplicateMember:
                // Two "entries" members: readers disagree on which one counts, so neither does.
                let body = #"{"entries":["\#(own[0].wire)"],"entries":["\#(own[1].wire)"]}"#
                request = try .signed("POST", "/v1/entries", body: Array(body.utf8), key: laptop.key, ledger: ledger)
                expected = (400, "duplicate member")
            case .sequenceBeyondRange:
                let huge = try resigned(own[0], by: laptop.key) { bytes in patchU64(&bytes, at: Self.sequenceOffset, 1 << 63) }
                request = try push([huge])
                expected = (400, "above 2^63 - 1")
            case .forkThenSequenceBeyondRange:
                // Two different sequence-1 entries of one device, then one at 2^63: this used to
                // trap while storing the fork.
                let other = try resigned(own[0], by: laptop.key) { bytes in patchU64(&bytes, at: Self.wallOffset, 1_000) }
                let huge = try resigned(own[1], by: laptop.key) { bytes in patchU64(&bytes, at: Self.sequenceOffset, 1 << 63) }
                request = try push([own[0].wire, other, huge])
                expected = (400, "above 2^63 - 1")
            case .wallBeyondRange:
                let huge = try resigned(own[0], by: laptop.key) { bytes in patchU64(&bytes, at: Self.wallOffset, UInt64.max) }
                request = try push([huge])
                expected = (400, "above 2^63 - 1")
            case .tooManyLogsInFetch:
                let from = (0...SyncLimits.maxFetchLogs).map { _ in FetchRequest.From(author: SigningKey().publicKey.hex, after: 0) }
                request = try .signed("POST", "/v1/entries/fetch", json: FetchRequest(from: from, limit: 10), key: laptop.key, ledger: ledger)
                expected = (413, "at most 1000 logs")
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

    /// Byte offsets of the sequence and timestamp fields (docs/FORMAT.md section 2).
    static let sequenceOffset = 1 + 32 + 32
    static let wallOffset = 1 + 32 + 32 + 8 + 32
}

/// Overwrites a big-endian u64 at `offset`.
func patchU64(_ bytes: inout [UInt8], at offset: Int, _ value: UInt64) {
    for index in 0..<8 { bytes[offset + index] = UInt8((value >> UInt64(56 - 8 * index)) & 0xff) }
}

/// `entry`'s bytes changed by `patch` and signed again by `key`, as a hostile but enrolled device
/// could: base64, as entries travel. No parsing on the way, so values the parser refuses survive.
func resigned(_ entry: Entry, by key: SigningKey, _ patch: (inout [UInt8]) -> Void) throws -> String {
    var signed = Array(entry.bytes.dropLast(64))
    patch(&signed)
    return Data(signed + (try key.sign(Entry.signingContext + signed))).base64EncodedString()
}
