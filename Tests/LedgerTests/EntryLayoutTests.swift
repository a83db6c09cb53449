import Foundation
import Testing
@testable import Ledger

/// `EntryLayout` (the fast audit's in-place reading of entry bytes) must accept exactly what
/// `Entry(bytes:)` accepts and read the same fields.
@Suite("Entry layout")
struct EntryLayoutTests {
    /// Every valid and invalid vector entry, then for each valid one: every truncation, one
    /// extra byte, each byte flipped, and the length fields and flag set to their worst values.
    static func candidates() throws -> [[UInt8]] {
        let file = try VectorBuilder.file()
        let valid = try VectorBuilder.validEntries().map(\.bytes)
        var out = valid + file.invalid.compactMap { Hex.decode($0.bytes) }
        for bytes in valid {
            for length in 0..<bytes.count { out.append(Array(bytes[..<length])) }
            out.append(bytes + [0])
            for offset in bytes.indices {
                for mask: UInt8 in [0x01, 0x80, 0xff] {
                    var flipped = bytes
                    flipped[offset] ^= mask
                    out.append(flipped)
                }
            }
            let typeLength = Int(bytes[EntryLayout.typeLengthOffset])
            let bodyLengthOffset = EntryLayout.typeOffset + typeLength
            for value: UInt8 in [0, 1, 63, 64, 65, 0xff] {
                var edited = bytes
                edited[EntryLayout.typeLengthOffset] = value
                out.append(edited)
            }
            for value: [UInt8] in [[0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 1], [0xff, 0xff, 0xff, 0xff]] {
                var edited = bytes
                edited.replaceSubrange(bodyLengthOffset..<bodyLengthOffset + 4, with: value)
                out.append(edited)
            }
            for value: [UInt8] in [[0x7f] + [UInt8](repeating: 0xff, count: 7), [0x80] + [UInt8](repeating: 0, count: 7), [UInt8](repeating: 0, count: 8)] {
                for field in [EntryLayout.sequenceOffset, EntryLayout.wallOffset] {
                    var edited = bytes
                    edited.replaceSubrange(field..<field + 8, with: value)
                    out.append(edited)
                }
            }
        }
        return out
    }

    @Test("accepts exactly what Entry(bytes:) accepts, on every vector and thousands of mutations, and reads the same fields")
    func sameAsEntry() throws {
        let candidates = try Self.candidates()
        #expect(candidates.count > 5_000)
        var accepted = 0
        for bytes in candidates {
            let entry = try? Entry(bytes: bytes)
            let layout = bytes.withUnsafeBytes { EntryLayout($0) }
            #expect((entry == nil) == (layout == nil), "entry of \(bytes.count) bytes: Entry \(entry == nil ? "refuses" : "accepts"), layout the opposite")
            guard let entry, let layout else { continue }
            accepted += 1
            #expect(layout.sequence == entry.sequence && layout.timestamp == entry.timestamp)
            #expect(Array(bytes[EntryLayout.typeOffset..<EntryLayout.typeOffset + layout.typeLength]) == Array(entry.type.utf8))
            #expect(layout.payloadOffset.map { Array(bytes[$0..<$0 + 32]) } == entry.payloadDigest?.bytes)
            #expect(layout.signedLength == entry.signedLength)
            #expect(Array(bytes[EntryLayout.ledgerOffset..<EntryLayout.ledgerOffset + 32]) == entry.ledger.bytes)
            #expect(Array(bytes[EntryLayout.authorOffset..<EntryLayout.authorOffset + 32]) == entry.author.bytes)
            #expect(Array(bytes[EntryLayout.previousOffset..<EntryLayout.previousOffset + 32]) == entry.previous.bytes)
        }
        // Flips of the signature, ids and keys leave an entry well formed: both accept many.
        #expect(accepted > 1_000)
    }
}
