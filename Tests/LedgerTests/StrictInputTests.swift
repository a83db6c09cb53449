import Foundation
import Testing

@testable import Ledger

/// Input from outside at its worst values: duplicate JSON members, numbers past 2^63, bundle
/// headers that announce more than the file holds. Each is a typed error, never a trap.
@Suite("Strict input")
struct StrictInputTests {
    struct Pair: Decodable, Equatable {
        var a: Int
        var b: String?
    }

    @Test("strict JSON refuses duplicate members, also when one name is escaped or nested", arguments: [
        #"{"a":1,"a":2}"#,
        #"{"a":1,"\u0061":2}"#,
        #"{"a":1,"b":{"x":1,"x":1}}"#,
        #"[{"a":1},{"a":1,"b":"","b":""}]"#,
        #"{"\ud83d\ude00":1,"😀":2}"#,
    ])
    func duplicates(_ text: String) {
        #expect {
            try StrictJSON.validate(Array(text.utf8))
        } throws: { error in
            guard case StrictJSON.Failure.duplicateMember = error else { return false }
            return true
        }
    }

    @Test("strict JSON refuses what RFC 8259 refuses", arguments: [
        "", " ", "{", #"{"a":1,}"#, "[1,]", "01", "1.", ".5", "1e", "+1", "tru", "nul", #"{"a" 1}"#,
        #""\x""#, #""\ud800""#, #""\udc00x""#, "\"a\u{01}\"", #"{"a":1} 2"#,
    ])
    func invalid(_ text: String) {
        #expect(throws: StrictJSON.Failure.self) { try StrictJSON.validate(Array(text.utf8)) }
    }

    @Test("strict JSON refuses invalid UTF-8 and nesting deeper than 64")
    func utf8AndDepth() {
        for bad: [UInt8] in [[0x22, 0xff, 0x22], [0x22, 0xc0, 0xaf, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22]] {
            #expect(throws: StrictJSON.Failure.self) { try StrictJSON.validate(bad) }
        }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: StrictJSON.Failure.tooDeep) { try StrictJSON.validate(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try StrictJSON.validate(Array(fine.utf8)) }
    }

    @Test("strict JSON accepts ordinary JSON with whitespace, escapes and numbers, and decodes it")
    func accepts() throws {
        let text = " {\n \"a\" : 7 , \"b\":\"x\\u00e9\\n\\/\" , \"c\":[1.5e3,-0,true,false,null,{}]}\t"
        try StrictJSON.validate(Array(text.utf8))
        #expect(try StrictJSON.decode(Pair.self, from: Array(#"{"b":"é","a":3}"#.utf8)) == Pair(a: 3, b: "é"))
        #expect(throws: StrictJSON.Failure.mismatch("missing field a")) { try StrictJSON.decode(Pair.self, from: Array(#"{"b":"x"}"#.utf8)) }
    }

    @Test("an entry whose sequence or wall time is above 2^63 - 1 is malformed; 2^63 - 1 itself parses")
    func entryBounds() throws {
        let key = try Fixed.hq()
        func entry(sequence: UInt64, wall: UInt64) throws -> [UInt8] {
            var writer = ByteWriter(capacity: 300)
            writer.u8(1)
            writer.raw([UInt8](repeating: 7, count: 32))
            writer.raw(key.publicKey.bytes)
            writer.u64(sequence)
            writer.raw([UInt8](repeating: 8, count: 32))
            writer.u64(wall)
            writer.u32(0)
            writer.u8(2)
            writer.raw(Array("x.".utf8))
            writer.u32(2)
            writer.raw(Array("{}".utf8))
            writer.u8(0)
            return writer.bytes + (try key.sign(Entry.signingContext + writer.bytes))
        }
        let top = UInt64(Int64.max)
        #expect(try Entry(bytes: try entry(sequence: top, wall: top)).sequence == top)
        #expect(throws: FormatError.outOfRange(field: "sequence")) { try Entry(bytes: try entry(sequence: top + 1, wall: 1)) }
        #expect(throws: FormatError.outOfRange(field: "sequence")) { try Entry(bytes: try entry(sequence: .max, wall: 1)) }
        #expect(throws: FormatError.outOfRange(field: "timestamp.wall")) { try Entry(bytes: try entry(sequence: 1, wall: top + 1)) }
        let draft = EntryDraft(ledger: .zero, author: key.publicKey, sequence: top + 1, previous: .zero,
                               timestamp: HLCTimestamp(wall: 1, counter: 0), type: "x.", body: Array("{}".utf8))
        #expect(throws: FormatError.outOfRange(field: "sequence")) { try Entry.sign(draft, with: key) }
    }

    @Test("a store asked for entries after 2^63 - 1 or more answers none instead of trapping")
    func storeBounds() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try LedgerStore.open(at: dir.file("s.sqlite"), create: true)
        let key = try Fixed.hq()
        _ = try store.createLedger(name: "Test", signer: key, sealingKey: try Fixed.sealing().publicKey)
        #expect(try store.entries(author: key.publicKey, after: 0, limit: 10).count == 1)
        #expect(try store.entries(author: key.publicKey, after: UInt64(Int64.max), limit: 10).isEmpty)
        #expect(try store.entries(author: key.publicKey, after: .max, limit: 10).isEmpty)
        #expect(try store.entries(author: key.publicKey, after: 0, limit: -5).isEmpty)
    }

    /// The vector bundle with its header line replaced (and the end checksum made right again, so
    /// only the header is wrong).
    func bundle(header: String) throws -> [UInt8] {
        var lines: [[UInt8]] = try VectorBuilder.bundle().split(separator: 0x0a).map { Array($0) }
        lines[0] = Array(header.utf8)
        let body: [UInt8] = lines.dropLast().flatMap { $0 + [0x0a] }
        return body + Array("{\"end\":\"\(Digest.sha256(body).hex)\"}\n".utf8)
    }

    @Test("a bundle header with huge, negative or non-integer counts, or in another form, is refused with a reason")
    func bundleHeaders() throws {
        let good = try LedgerBundle(decoding: try VectorBuilder.bundle())
        let ledger = good.ledger.hex
        func header(_ entries: String, forks: String = "0", payloads: String = "1", version: String = "1") -> String {
            #"{"bundle":"ledger-bundle","version":\#(version),"ledger":"\#(ledger)","entries":\#(entries),"forks":\#(forks),"payloads":\#(payloads)}"#
        }
        let count = good.entries.count
        #expect(try LedgerBundle(decoding: try bundle(header: header("\(count)"))).entries.count == count)
        for hostile in [header("9223372036854775807", forks: "9223372036854775807"), header("-1", forks: "\(count + 1)"),
                        header("\(count)", payloads: "9223372036854775807")] {
            #expect(throws: BundleError.self) { try LedgerBundle(decoding: try bundle(header: hostile)) }
        }
        #expect(throws: BundleError.malformed(line: 1, reason: "a count in the header is negative")) {
            try LedgerBundle(decoding: try bundle(header: header("-1", forks: "\(count + 1)")))
        }
        // 1.0 reads as 1 in most JSON readers: refused all the same, as is whitespace.
        for other in [header("\(count)", version: "1.0"), header("\(count)").replacingOccurrences(of: ",", with: ", ")] {
            #expect(throws: BundleError.self) { try LedgerBundle(decoding: try bundle(header: other)) }
        }
    }

    @Test("a bundle line with two entry members, extra members, whitespace or non-canonical base64 is refused")
    func bundleLines() throws {
        let good = try VectorBuilder.bundle()
        var lines = good.split(separator: 0x0a).map { String(decoding: $0, as: UTF8.self) }
        let first = lines[1]
        let second = lines[2]
        let secondValue = second.dropFirst(#"{"entry":""#.count).dropLast(2)
        let variants = [
            String(first.dropLast()) + #","entry":""# + secondValue + "\"}",
            String(first.dropLast()) + #","note":"x"}"#,
            first.replacingOccurrences(of: "{\"entry\":", with: "{ \"entry\" : "),
            first.replacingOccurrences(of: "=\"}", with: "\"}"),
        ]
        for variant in variants where variant != first {
            lines[1] = variant
            let body = lines.dropLast().map { Array($0.utf8) + [0x0a] }.joined()
            let bytes = Array(body) + Array("{\"end\":\"\(Digest.sha256(Array(body)).hex)\"}\n".utf8)
            #expect(throws: BundleError.malformed(line: 2, reason: #"expected exactly {"entry":"<base64>"}"#)) {
                try LedgerBundle(decoding: bytes)
            }
        }
    }
}
