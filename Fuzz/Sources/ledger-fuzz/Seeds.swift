import Foundation
import Ledger

/// `ledger-fuzz make-seeds REPO OUT`: writes the seed corpus, one folder per target, from real
/// objects (the test vectors in docs/, the fixture ledger's signed entries and signed requests)
/// and a few edge cases. The output is committed as Fuzz/corpus; run it again when the fixture or
/// the vectors change. Files libFuzzer found (reproducers) live beside them and are kept.
enum Seeds {
    static func write(repository: String, to output: String) throws -> Int {
        var count = 0
        func put(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
            let folder = output + "/" + target
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/seed-" + name))
            count += 1
        }
        let docs = repository + "/docs"
        let vectors = try JSONDecoder().decode(EntryVectors.self, from: Data(contentsOf: URL(fileURLWithPath: docs + "/test-vectors/entries.json")))
        let vectorBundle = try Data(contentsOf: URL(fileURLWithPath: docs + "/test-vectors/bundle.jsonl"))
        let jsonVectors = try JSONDecoder().decode([JSONVector].self, from: Data(contentsOf: URL(fileURLWithPath: docs + "/test-vectors/canonical-json.json")))
        let exampleCampaign = try Data(contentsOf: URL(fileURLWithPath: docs + "/examples/free-the-press.json"))

        for (name, bytes) in entrySeeds(vectors) { try put(EntryTarget.target.name, name, bytes) }
        for (name, bytes) in bundleSeeds(vectorBundle: Array(vectorBundle)) { try put(BundleTarget.target.name, name, bytes) }
        for (name, bytes) in canonicalJSONSeeds(jsonVectors) { try put(CanonicalJSONTarget.target.name, name, bytes) }
        for (name, bytes) in campaignSeeds(example: Array(exampleCampaign)) { try put(CampaignFileTarget.target.name, name, bytes) }
        for (name, bytes) in paperSeeds() { try put(PaperListTarget.target.name, name, bytes) }
        for (name, bytes) in fetchSeeds() { try put(SyncTargets.fetch.name, name, bytes) }
        for (name, bytes) in pushSeeds() { try put(SyncTargets.push.name, name, bytes) }
        for (name, bytes) in wantedSeeds() { try put(SyncTargets.wanted.name, name, bytes) }
        for (name, bytes) in fetchPayloadSeeds() { try put(SyncTargets.fetchPayloads.name, name, bytes) }
        for (name, bytes) in pushPayloadSeeds() { try put(SyncTargets.pushPayloads.name, name, bytes) }
        for (name, bytes) in try authSeeds() { try put(SyncTargets.auth.name, name, bytes) }
        return count
    }

    // MARK: - Entries, bundles, bodies

    struct EntryVectors: Decodable {
        struct Vector: Decodable {
            var name: String
            var bytes: String
        }

        var valid: [Vector]
        var invalid: [Vector]
    }

    struct JSONVector: Decodable {
        var input: String
        var canonical: String
    }

    static var fixtureEntries: [(String, Entry)] {
        Fixture.hqLog.map { ("hq-\($0.sequence)", $0) } + Fixture.fieldLog.map { ("field-\($0.sequence)", $0) }
            + Fixture.lostLog.map { ("lost-\($0.sequence)", $0) }
    }

    static func entrySeeds(_ vectors: EntryVectors) -> [(String, [UInt8])] {
        var seeds = (vectors.valid + vectors.invalid).map { ("vector-" + $0.name, Hex.decode($0.bytes) ?? []) }
        seeds += fixtureEntries.map { ("fixture-" + $0.0, $0.1.bytes) }
        // The smallest byte string that parses (docs/FORMAT.md section 2): type "a", empty body.
        var smallest: [UInt8] = [1] + [UInt8](repeating: 0, count: 64) + u64(1) + [UInt8](repeating: 0, count: 32) + u64(0) + [0, 0, 0, 0]
        smallest += [1, UInt8(ascii: "a"), 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 64)
        seeds.append(("smallest", smallest))
        seeds.append(("empty", []))
        let huge = Fixture.fieldLog[0].bytes
        seeds.append(("sequence-2-63", Array(huge[0..<65]) + u64(1 << 63) + Array(huge[73...])))
        return seeds
    }

    static func bundleSeeds(vectorBundle: [UInt8]) -> [(String, [UInt8])] {
        let template = Fixture.templateBundle
        let everything = LedgerBundle(ledger: Fixture.ledger, entries: Fixture.hqLog + Fixture.fieldLog + Fixture.lostLog,
                                      forks: [forkOfField3], payloads: [Fixture.payloadA, Fixture.payloadB, Fixture.payloadC, Fixture.payloadD])
        let empty = LedgerBundle(ledger: Fixture.ledger, entries: [], forks: [], payloads: []).encoded()
        var spaced = Array(String(decoding: template.encoded(), as: UTF8.self).replacingOccurrences(of: "\":\"", with: "\" : \"").utf8)
        spaced = rechecksummed(spaced)
        return [
            ("vector-bundle", vectorBundle),
            ("fixture-template", template.encoded()),
            ("fixture-with-fork-and-payloads", everything.encoded()),
            ("empty-ledger", empty),
            ("spaced-members", spaced),
            ("no-end-line", Array(template.encoded().dropLast(78))),
            ("nothing", []),
            // One line, both header and end line: entries -1 makes the header announce one line. A
            // regression input (a bug found by fuzzing, fixed).
            ("negative-count-one-line", Array(("{\"bundle\":\"ledger-bundle\",\"version\":1,\"ledger\":\"\(Fixture.ledger.hex)\","
                + "\"entries\":-1,\"forks\":0,\"payloads\":0,\"end\":\"\(Digest.sha256([UInt8]()).hex)\"}\n").utf8)),
            ("huge-counts", Array(("{\"bundle\":\"ledger-bundle\",\"version\":1,\"ledger\":\"\(Fixture.ledger.hex)\","
                + "\"entries\":9223372036854775807,\"forks\":1,\"payloads\":0}\n").utf8)),  // a regression input (fixed)
        ]
    }

    /// A bundle whose lines were edited, with its end line's checksum made right again.
    static func rechecksummed(_ bytes: [UInt8]) -> [UInt8] {
        var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast()
        lines.removeLast()
        var body: [UInt8] = []
        for line in lines { body += Array(line) + [0x0a] }
        let end = "{\"end\":\"" + Digest.sha256(body).hex + "\"}\n"
        return body + Array(end.utf8)
    }

    static func canonicalJSONSeeds(_ vectors: [JSONVector]) -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        for (index, vector) in vectors.enumerated() {
            seeds.append(("vector-\(index)-input", Array(vector.input.utf8)))
            seeds.append(("vector-\(index)-canonical", Array(vector.canonical.utf8)))
        }
        seeds += fixtureEntries.map { ("body-" + $0.0, $0.1.body) }
        let edges = [
            "int64-limits": #"{"a":-9223372036854775808,"b":9223372036854775807}"#,
            "above-int64": #"{"a":9223372036854775808}"#,
            "minus-zero": #"{"a":-0}"#,
            "fraction": #"{"a":1.0}"#,
            "null": #"{"a":null}"#,
            "duplicate-key": #"{"a":1,"a":2}"#,
            "escaped-keys": #"{"\n":1,"A":2}"#,
            "control-escapes": #"{"s":"\u0000\u001f\b\f\n\r\t\"\\"}"#,
            "combining-mark-after-quote": "{\"s\":\"\u{301}x\",\"t\":\"e\u{301}\"}",
            "kelvin-sign-key": "{\"hqKey\":\"a\",\"hq\u{212A}ey\":\"b\"}",
            "nfc-nfd-keys": "{\"e\u{301}\":1,\"\u{E9}\":2}",
        ]
        for (name, text) in edges.sorted(by: { $0.key < $1.key }) { seeds.append((name, Array(text.utf8))) }
        seeds.append(("nested-64", Array(("{\"a\":" + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}").utf8)))
        seeds.append(("nested-65", Array(("{\"a\":" + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}").utf8)))
        return seeds
    }

    static func campaignSeeds(example: [UInt8]) -> [(String, [UInt8])] {
        [
            ("docs-example", example),
            ("minimal", Array(#"{"id":"a","languages":["en"],"texts":{"en":{"title":"T","summary":"S","body":"","demands":["D"]}}}"#.utf8)),
            ("full-time-deadline", Array(#"{"id":"c-1","languages":["nb","en"],"goal":1,"deadline":"2027-03-01T12:00:00Z","texts":{"en":{"title":"T","summary":"S","body":"B","demands":["D"],"letter":{"recipient":"R","text":"L"}},"nb":{"title":"T","summary":"S","body":"B","demands":["D"]}}}"#.utf8)),
            ("fractional-deadline", Array(#"{"id":"c","languages":["en"],"deadline":"2027-03-01T12:00:00.250Z","texts":{"en":{"title":"T","summary":"S","body":"B","demands":["D"]}}}"#.utf8)),
            ("february-30", Array(#"{"id":"c","languages":["en"],"deadline":"2027-02-30","texts":{"en":{"title":"T","summary":"S","body":"B","demands":["D"]}}}"#.utf8)),
            ("unknown-field", Array(#"{"id":"c","languages":["en"],"titel":"x","texts":{"en":{"title":"T","summary":"S","body":"B","demands":["D"]}}}"#.utf8)),
            ("goal-int64-max", Array(#"{"id":"c","languages":["en"],"goal":9223372036854775807,"texts":{"en":{"title":"T","summary":"S","body":"B","demands":["D"]}}}"#.utf8)),
            ("language-mismatch", Array(#"{"id":"c","languages":["en","nb"],"texts":{"en":{"title":"T","summary":"S","body":"B","demands":["D"]}}}"#.utf8)),
        ]
    }

    static func paperSeeds() -> [(String, [UInt8])] {
        [
            ("docs-example", "name,email,postcode,country,consent\nKari Nordmann,kari@example.org,0150,NO,yes\n\"Hansen, Ola\",,5003,NO,no\n"),
            ("every-column-crlf", "name,email,phone,address,postcode,country,consent\r\nPer,per@example.org,+47 22 00 00 00,\"Storgata 1\r\n0150 Oslo\",0150,no,ja\r\n"),
            ("bom-and-quotes", "\u{FEFF}Name,Consent\n\"Ola \"\"the\"\" Nordmann\",x\n\n"),
            ("bad-rows", "name,email,consent\n,a@b.c,yes\nKari,not-an-address,maybe\nOla,ola@example.org\n"),
            ("unknown-column", "name,mail\nKari,kari@example.org\n"),
            ("no-header-row", "Kari Nordmann,kari.nordmann@example.org,0150,NO,yes\n"),
            ("unterminated-quote", "name\n\"Kari\n"),
            ("header-only", "name"),
        ].map { ($0.0, Array($0.1.utf8)) }
    }

    // MARK: - Sync

    /// A different entry at the field laptop's sequence 3: fork evidence.
    static var forkOfField3: Entry {
        Fixture.entry(Fixture.field, sequence: 3, after: Fixture.fieldLog[1], wall: Fixture.baseWall + 12_500,
                      CommentPosted(campaign: Fixture.campaign, displayName: "Ola", text: "Same laptop, restored from a backup", signature: nil))
    }

    static func json<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(must(try encoder.encode(value)))
    }

    static func batch(_ entries: [Entry]) -> [UInt8] {
        json(EntryBatch(entries: entries.map { Data($0.bytes).base64EncodedString() }))
    }

    static func fetchSeeds() -> [(String, [UInt8])] {
        let hq = Fixture.hq.publicKey.hex, field = Fixture.field.publicKey.hex
        func request(_ from: [(String, UInt64)], limit: Int) -> [UInt8] {
            json(FetchRequest(from: from.map { FetchRequest.From(author: $0.0, after: $0.1) }, limit: limit))
        }
        return [
            ("hq-log", request([(hq, 0)], limit: 1000)),
            ("every-log", request([(hq, 0), (field, 1), (Fixture.lost.publicKey.hex, 0)], limit: 2000)),
            ("limit-1", request([(hq, 2), (field, 0)], limit: 1)),
            ("limit-0", request([(hq, 0)], limit: 0)),
            ("limit-negative", request([(hq, 0)], limit: -1)),
            ("limit-int-max", request([(hq, 0)], limit: Int.max)),
            ("after-head", request([(field, 3)], limit: 10)),
            ("unknown-author", request([(Fixture.stranger.publicKey.hex, 0)], limit: 10)),
            ("bad-author", request([("zz", 0)], limit: 10)),
            ("after-2-63", request([(hq, 1 << 63)], limit: 10)),  // a regression input (fixed)
            ("missing-limit", Array(#"{"from":[]}"#.utf8)),
        ]
    }

    static func pushSeeds() -> [(String, [UInt8])] {
        let field = Fixture.fieldLog
        let closed = Fixture.entry(Fixture.hq, sequence: 7, after: Fixture.hqLog[5], wall: Fixture.baseWall + 30_000,
                                   CampaignClosed(campaign: Fixture.campaign, reason: "Delivered"))
        let pastRevocation = Fixture.entry(Fixture.lost, sequence: 2, after: Fixture.lostLog[0], wall: Fixture.baseWall + 21_000,
                                           CommentPosted(campaign: Fixture.campaign, displayName: "Finder", text: "found it", signature: nil))
        let stranger = Fixture.entry(Fixture.stranger, sequence: 1, after: nil, wall: Fixture.baseWall + 40_000,
                                     CommentPosted(campaign: Fixture.campaign, displayName: "Stranger", text: "hello", signature: nil))
        let otherLedger = Fixture.entry(Fixture.field, sequence: 4, after: field[2], wall: Fixture.baseWall + 13_000,
                                        CommentPosted(campaign: Fixture.campaign, displayName: "X", text: "y", signature: nil),
                                        ledger: Digest.sha256(Array("another ledger".utf8)))
        // Signed by the enrolled field laptop, with numbers no honest node writes.
        let wallAbove2To63 = Fixture.entry(Fixture.field, sequence: 4, after: field[2], wall: 1 << 63,
                                           CommentPosted(campaign: Fixture.campaign, displayName: "Clock", text: "far future", signature: nil))
        let sequenceAbove2To63 = Fixture.entry(Fixture.field, sequence: 1 << 63, after: field[2], wall: Fixture.baseWall + 13_000,
                                               CommentPosted(campaign: Fixture.campaign, displayName: "Seq", text: "far ahead", signature: nil))
        let afterFork = Fixture.entry(Fixture.field, sequence: 1 << 63, after: forkOfField3, wall: Fixture.baseWall + 14_000,
                                      CommentPosted(campaign: Fixture.campaign, displayName: "Seq", text: "past the fork", signature: nil))
        var flipped = field[3].bytes
        flipped[100] ^= 0x01
        return [
            ("field-next-two", batch([field[3], field[4]])),
            ("field-next", batch([field[3]])),
            ("field-whole-log", batch(field)),
            ("hq-known", batch(Fixture.hqLog)),
            ("hq-closes", batch([closed])),
            ("fork", batch([forkOfField3])),
            ("revoked-device", batch([pastRevocation])),
            ("unknown-author", batch([stranger])),
            ("other-ledger", batch([otherLedger])),
            ("mixed-logs", batch([closed, field[3], field[4]])),
            ("flipped-byte", json(EntryBatch(entries: [Data(flipped).base64EncodedString()]))),
            ("not-base64", Array(#"{"entries":["not base64!"]}"#.utf8)),
            ("empty", Array(#"{"entries":[]}"#.utf8)),
            ("too-many", json(EntryBatch(entries: [String](repeating: "", count: SyncLimits.maxBatchEntries + 1)))),
            ("wall-2-63", batch([wallAbove2To63])),  // a regression input (fixed)
            ("sequence-2-63", batch([sequenceAbove2To63])),
            ("sequence-2-63-after-fork", batch([forkOfField3, afterFork])),  // a regression input (fixed)
        ]
    }

    static func wantedSeeds() -> [(String, [UInt8])] {
        [
            ("none", ""),
            ("after-zero", "after=" + String(repeating: "0", count: 64)),
            ("after-b", "after=" + Digest.sha256(Fixture.payloadB).hex),
            ("after-last", "after=" + String(repeating: "f", count: 64)),
            ("after-bad", "after=zz"),
            ("after-twice", "after=" + String(repeating: "0", count: 64) + "&after=" + String(repeating: "f", count: 64)),
            ("percent-encoded", "after=%30" + String(repeating: "0", count: 63)),
        ].map { ($0.0, Array($0.1.utf8)) }
    }

    static func fetchPayloadSeeds() -> [(String, [UInt8])] {
        let digests = [Fixture.payloadA, Fixture.payloadB, Fixture.payloadC].map { Digest.sha256($0).hex }
        return [
            ("held-and-missing", json(DigestList(digests: digests))),
            ("none", json(DigestList(digests: []))),
            ("bad-digest", json(DigestList(digests: ["abc"]))),
            ("too-many", json(DigestList(digests: [String](repeating: digests[0], count: SyncLimits.maxBatchPayloads + 1)))),
        ]
    }

    static func pushPayloadSeeds() -> [(String, [UInt8])] {
        func list(_ payloads: [[UInt8]]) -> [UInt8] { json(PayloadBatch(payloads: payloads.map { Data($0).base64EncodedString() })) }
        return [
            ("wanted", list([Fixture.payloadB])),
            ("known", list([Fixture.payloadA, Fixture.payloadC])),
            ("no-entry", list([Fixture.payloadD])),
            ("mixed", list([Fixture.payloadB, Fixture.payloadD])),
            ("not-base64", Array(#"{"payloads":["%%%"]}"#.utf8)),
            ("empty-payload", list([[]])),
            ("too-many", json(PayloadBatch(payloads: [String](repeating: "", count: SyncLimits.maxBatchPayloads + 1)))),
        ]
    }

    static func authSeeds() throws -> [(String, [UInt8])] {
        func signed(_ key: SigningKey, _ method: String, _ path: String, body: [UInt8] = [], ledger: Digest = Fixture.ledger,
                    time: UInt64 = Fixture.now, edit: (inout [(String, String)]) -> Void = { _ in }) throws -> [UInt8] {
            // As RequestAuth.headers signs, with a fixed nonce so that the seeds do not change.
            let nonce = Array(Digest.sha256(Array((method + path).utf8) + body).bytes.prefix(16))
            let signature = try key.sign(RequestAuth.message(ledger: ledger, node: key.publicKey, time: time, nonce: nonce,
                                                             method: method, path: path, body: body))
            var headers = [
                (RequestAuth.Header.ledger, ledger.hex), (RequestAuth.Header.node, key.publicKey.hex),
                (RequestAuth.Header.nonce, Hex.encode(nonce)), (RequestAuth.Header.signature, Hex.encode(signature)),
                (RequestAuth.Header.time, String(time)),
            ]
            edit(&headers)
            return RawRequest.text(method: method, path: path, headers: headers, body: body)
        }
        let pushBody = batch([Fixture.fieldLog[3]])
        return [
            ("field-heads", try signed(Fixture.field, "GET", "/v1/heads")),
            ("hq-heads", try signed(Fixture.hq, "GET", "/v1/heads")),
            ("observer-heads", try signed(Fixture.observer, "GET", "/v1/heads")),
            ("field-push", try signed(Fixture.field, "POST", "/v1/entries", body: pushBody)),
            ("field-wanted-query", try signed(Fixture.field, "GET", "/v1/payloads/wanted?after=" + String(repeating: "0", count: 64))),
            ("revoked", try signed(Fixture.lost, "GET", "/v1/heads")),
            ("stranger", try signed(Fixture.stranger, "GET", "/v1/heads")),
            ("other-ledger", try signed(Fixture.field, "GET", "/v1/heads", ledger: Digest.sha256(Array("another".utf8)))),
            ("stale", try signed(Fixture.field, "GET", "/v1/heads", time: Fixture.now - SyncLimits.maxRequestSkew - 1)),
            ("lower-case-names", try signed(Fixture.field, "GET", "/v1/heads") { $0 = $0.map { ($0.0.lowercased(), $0.1) } }),
            ("missing-nonce", try signed(Fixture.field, "GET", "/v1/heads") { $0.removeAll { $0.0 == RequestAuth.Header.nonce } }),
            ("repeated-time", try signed(Fixture.field, "GET", "/v1/heads") { $0.append((RequestAuth.Header.time, "1")) }),
        ]
    }

    private static func u64(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }
}
