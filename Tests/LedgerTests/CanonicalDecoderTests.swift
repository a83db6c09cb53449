import Foundation
import Testing
@testable import Ledger

/// `CanonicalDecoder` must decode canonical bodies as `JSONDecoder` does (it replaced it for
/// canonical bytes): the same value, or a failure for both. Checked on every body of the test
/// vectors and on thousands of mutations of them (members removed, values of every JSON type
/// put in every place, unknown members). One difference is meant: a key spelled with a
/// character only canonically equivalent to a field name's (the Kelvin sign for `K`) is an
/// unknown member, as in tools/verify_bundle.py, where `JSONDecoder` took it for the field.
@Suite("Canonical decoder")
struct CanonicalDecoderTests {
    /// The outcome of decoding `bytes` as `type`'s body with one decoder: the canonical bytes of
    /// the value, or nil when it throws.
    static func outcome(_ type: EventType, _ bytes: [UInt8], fast: Bool) -> [UInt8]? {
        func decode<Body: EventBody>(_ body: Body.Type) -> [UInt8]? {
            let value: Body? = fast ? try? CanonicalDecoder.decode(Body.self, fromCanonical: bytes)
                : try? JSONDecoder().decode(Body.self, from: Data(bytes))
            return value.flatMap { try? CanonicalJSON.encode($0) }
        }
        return decode(type.bodyType)
    }

    static func vectorBodies() throws -> [(EventType, [UInt8])] {
        let data = try Data(contentsOf: URL(fileURLWithPath: RepoPaths.vectors + "/entries.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var bodies: [(EventType, [UInt8])] = []
        for vector in json["valid"] as? [[String: Any]] ?? [] {
            if let type = EventType(rawValue: vector["type"] as? String ?? ""), let body = vector["body"] as? String {
                bodies.append((type, Array(body.utf8)))
            }
        }
        for vector in json["invalid"] as? [[String: Any]] ?? [] {
            guard let hex = vector["bytes"] as? String, let bytes = Hex.decode(hex), let entry = try? Entry(bytes: bytes),
                  let type = EventType(rawValue: entry.type) else { continue }
            bodies.append((type, entry.body))
        }
        return bodies
    }

    /// Values of every JSON type, including the edges of Int64 and enumeration values.
    static let replacements: [JSONValue] = [
        .integer(0), .integer(1), .integer(-1), .integer(Int64.max), .integer(Int64.min), .integer(Int64(Int32.max) + 1),
        .bool(true), .bool(false), .string(""), .string("x"), .string("kiosk"), .string("paper"), .string("field"),
        .string("NO"), .string("1"), .string("true"), .array([]), .array([.string("en")]), .array([.integer(1)]),
        .object([:]), .object(["a": .integer(1)]),
        .object(["en": .object(["title": .string("T"), "summary": .string("S"), "body": .string("B"), "demands": .array([])])]),
    ]

    static func mutations(of value: JSONValue) -> [JSONValue] {
        guard case .object(let members) = value else { return [] }
        var out: [JSONValue] = []
        for key in members.keys.sorted() {
            var removed = members
            removed[key] = nil
            out.append(.object(removed))
            for replacement in replacements {
                var changed = members
                changed[key] = replacement
                out.append(.object(changed))
            }
            // One level down (texts, letter, references): the same mutations inside.
            if let inner = members[key] {
                for mutated in mutations(of: inner) {
                    var changed = members
                    changed[key] = mutated
                    out.append(.object(changed))
                }
                if case .array(let items) = inner, let first = items.first {
                    for mutated in mutations(of: first) {
                        var changed = members
                        changed[key] = .array([mutated] + items.dropFirst())
                        out.append(.object(changed))
                    }
                }
            }
            // The key spelled with a canonically equivalent character (Kelvin sign for K, Angstrom
            // sign for Å): JSONDecoder finds the member by String equality, and so must this.
            if key.contains("K") {
                var changed = members
                changed[key] = nil
                changed[key.replacingOccurrences(of: "K", with: "\u{212A}")] = members[key]
                out.append(.object(changed))
            }
        }
        var extra = members
        extra["zzUnknown"] = .integer(7)
        out.append(.object(extra))
        return out
    }

    @Test("every body of the test vectors, and thousands of mutations of them, decode the same as with JSONDecoder")
    func sameAsJSONDecoder() throws {
        var checked = 0
        var accepted = 0
        var onePass = 0
        for (type, body) in try Self.vectorBodies() {
            var candidates = [body]
            if let tree = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) {
                candidates += Self.mutations(of: tree).map(\.canonicalBytes)
            }
            for bytes in candidates where CanonicalJSON.isCanonical(bytes) {
                // A member whose name is not ASCII is unknown to every format 1 type: expect
                // what JSONDecoder gives without it.
                let reference = Self.withoutNonASCIIMembers(bytes)
                for asType in [type, .signatureRecorded, .campaignPublished] {
                    let expected = Self.outcome(asType, reference, fast: false)
                    #expect(Self.outcome(asType, bytes, fast: true) == expected, "\(asType.rawValue): \(String(decoding: bytes, as: UTF8.self))")
                    if asType == .signatureRecorded {
                        // The one-pass reader of signature.recorded (which `fast` took) and the tree.
                        let tree = (try? CanonicalDecoder.decodeTree(SignatureRecorded.self, fromCanonical: bytes)).flatMap { try? CanonicalJSON.encode($0) }
                        #expect(tree == expected, "tree: \(String(decoding: bytes, as: UTF8.self))")
                        onePass += 1
                    }
                    checked += 1
                    if expected != nil { accepted += 1 }
                }
            }
        }
        // Enough of both outcomes to mean something.
        #expect(checked > 5_000)
        #expect(accepted > 500)
        #expect(checked - accepted > 2_000)
        #expect(onePass > 1_500)
    }

    @Test("signature.recorded's one-pass reader: escapes, names that only resemble a field, nested values skipped, every wrong JSON type")
    func onePassSignatureRecorded() throws {
        let hex = String(repeating: "ab", count: 32)
        func body(_ members: String) -> [UInt8] {
            Array(#"{"campaign":"c\"1","campaignVersion":"\#(hex)","channel":"kiosk","consentContact":true,\#(members)"receiptHash":"\#(hex)"}"#.utf8)
        }
        let plain = body(#""country":"NO","paperList":3,"#)
        #expect(CanonicalJSON.isCanonical(plain))
        let value = try CanonicalDecoder.decode(SignatureRecorded.self, fromCanonical: plain)
        #expect(value.campaign == "c\"1" && value.country == "NO" && value.paperList == 3 && value.paperRow == nil && value.signer == nil)
        #expect(value == (try JSONDecoder().decode(SignatureRecorded.self, from: Data(plain))))
        for (members, accepted) in [
            (#""country":1,"#, false), (#""country":true,"#, false), (#""country":[],"#, false), (#""country":{},"#, false),
            (#""paperList":"3","#, false), (#""paperList":9223372036854775807,"#, true), (#""paperList":-9223372036854775808,"#, true),
            (#""countr":"NO","#, true), (#""countryX":"NO","#, true), (#""postcodeArea":{"a":[1,{"b":"}"}]},"#, false),
            (#""receiptHas":"x","#, true), (#""postcodeArea":"\u0001","#, true),
        ] {
            let bytes = body(members)
            #expect(CanonicalJSON.isCanonical(bytes), "\(members)")
            let onePass = try? CanonicalDecoder.decode(SignatureRecorded.self, fromCanonical: bytes)
            #expect((onePass != nil) == accepted, "\(members)")
            #expect(onePass == (try? CanonicalDecoder.decodeTree(SignatureRecorded.self, fromCanonical: bytes)), "\(members)")
            #expect(onePass == (try? JSONDecoder().decode(SignatureRecorded.self, from: Data(bytes))), "\(members)")
        }
        // The channel must be one of the four.
        let unknownChannel = Array(String(decoding: plain, as: UTF8.self).replacingOccurrences(of: "kiosk", with: "kiosks").utf8)
        #expect((try? CanonicalDecoder.decode(SignatureRecorded.self, fromCanonical: unknownChannel)) == nil)
    }

    /// `bytes` without the top-level members whose names are not ASCII (canonical again).
    static func withoutNonASCIIMembers(_ bytes: [UInt8]) -> [UInt8] {
        guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)),
              members.keys.contains(where: { !$0.utf8.allSatisfy { $0 < 0x80 } }) else { return bytes }
        return JSONValue.object(members.filter { $0.key.utf8.allSatisfy { $0 < 0x80 } }).canonicalBytes
    }

    @Test("a field name spelled with the Kelvin sign is an unknown member, not the field (JSONDecoder took it for the field)")
    func exactFieldNames() throws {
        let key = String(repeating: "ab", count: 32)
        let exact = Array(#"{"hqKey":"\#(key)","name":"L","sealingKey":"\#(key)"}"#.utf8)
        let kelvin = Array(#"{"hq\#u{212A}ey":"\#(key)","name":"L","sealingKey":"\#(key)"}"#.utf8)
        #expect(CanonicalJSON.isCanonical(kelvin))
        #expect(try CanonicalJSON.decode(LedgerCreated.self, from: exact).hqKey == key)
        #expect(throws: DecodingError.self) { try CanonicalJSON.decode(LedgerCreated.self, from: kelvin) }
        #expect((try? JSONDecoder().decode(LedgerCreated.self, from: Data(kelvin)))?.hqKey == key)  // the old reading
        guard case .failure(let problem) = BodyRules.decode(.ledgerCreated, from: kelvin) else {
            Issue.record("a genesis body without an exact hqKey was accepted")
            return
        }
        #expect(problem.rule == .fields)
    }

    @Test("escapes are undone, and CanonicalJSON.decode reads non-canonical JSON as before")
    func escapesAndFallback() throws {
        let bytes = Array(#"{"campaign":"c1","displayName":"a\"b\\c\n\u0001é","text":"t"}"#.utf8)
        #expect(CanonicalJSON.isCanonical(bytes))
        let fast = try CanonicalDecoder.decode(CommentPosted.self, fromCanonical: bytes)
        #expect(fast.displayName == "a\"b\\c\n\u{01}é")
        #expect(fast == (try JSONDecoder().decode(CommentPosted.self, from: Data(bytes))))
        // An escaped backslash just before the closing quote, and an escaped quote just after the opening one.
        let edges = Array(#"{"campaign":"c1","displayName":"\"a","text":"b\\"}"#.utf8)
        #expect(CanonicalJSON.isCanonical(edges))
        let decodedEdges = try CanonicalDecoder.decode(CommentPosted.self, fromCanonical: edges)
        #expect(decodedEdges.displayName == "\"a" && decodedEdges.text == "b\\")
        #expect(decodedEdges == (try JSONDecoder().decode(CommentPosted.self, from: Data(edges))))
        // Whitespace: not canonical, decoded by JSONDecoder.
        let spaced = Array(#"{ "campaign": "c1", "displayName": "a", "text": "t" }"#.utf8)
        #expect(!CanonicalJSON.isCanonical(spaced))
        #expect(try CanonicalJSON.decode(CommentPosted.self, from: spaced).displayName == "a")
    }
}
