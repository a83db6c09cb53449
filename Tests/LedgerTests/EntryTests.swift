import Foundation
import Testing
@testable import Ledger

@Suite("Entries")
struct EntryTests {
    @Test("parsing the bytes of a signed entry gives back every field")
    func roundTrip() throws {
        let entries = try VectorBuilder.validEntries()
        for entry in entries {
            let parsed = try Entry(bytes: entry.bytes)
            #expect(parsed == entry)
            #expect(parsed.id == Digest.sha256(entry.bytes))
            #expect(parsed.hasValidSignature)
        }
        let signature = entries[2]
        #expect(signature.sequence == 3)
        #expect(signature.previous == entries[1].id)
        #expect(signature.payloadDigest == Digest.sha256(Fixed.payload))
        #expect(try signature.decodeBody(SignatureRecorded.self).channel == .kiosk)
    }

    @Test("a one-byte flip anywhere in any entry is rejected by the entry verifier")
    func everyFlipRejected() throws {
        let entries = try VectorBuilder.validEntries()
        let hq = try Fixed.hq().publicKey
        let ledger = entries[0].id
        var checked = 0
        for (index, entry) in entries.enumerated() {
            let previous = index == 0 ? nil : EntryVerifier.LinkPoint(entries[index - 1])
            for offset in entry.bytes.indices {
                for mask: UInt8 in [0x01, 0x80] {
                    var bytes = entry.bytes
                    bytes[offset] ^= mask
                    let result = EntryVerifier.verify(bytes: bytes, ledger: index == 0 ? nil : ledger, hq: hq, after: previous)
                    if case .success = result { Issue.record("flip at \(offset) of entry \(index) accepted") }
                    checked += 1
                }
            }
        }
        #expect(checked > 2000)
    }

    @Test("signing refuses a key that is not the draft's author")
    func wrongKey() throws {
        let hq = try Fixed.hq()
        let field = try Fixed.field()
        let draft = EntryDraft(ledger: .zero, author: hq.publicKey, sequence: 1, previous: .zero,
                               timestamp: HLCTimestamp(wall: 1, counter: 0), type: "comment.posted", body: Array("{}".utf8))
        #expect(throws: CryptoError.self) { try Entry.sign(draft, with: field) }
    }

    @Test("drafts with a bad type, an oversized body or sequence 0 are refused", arguments: [
        ("Bad.Type", 10, UInt64(1)), ("", 10, UInt64(1)), ("ok.type", Entry.maxBodySize + 1, UInt64(1)), ("ok.type", 10, UInt64(0)),
    ])
    func badDrafts(type: String, bodySize: Int, sequence: UInt64) throws {
        let hq = try Fixed.hq()
        let draft = EntryDraft(ledger: .zero, author: hq.publicKey, sequence: sequence, previous: .zero,
                               timestamp: HLCTimestamp(wall: 1, counter: 0), type: type, body: [UInt8](repeating: 0x20, count: bodySize))
        #expect(throws: FormatError.self) { try Entry.sign(draft, with: hq) }
    }
}
