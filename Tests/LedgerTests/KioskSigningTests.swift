import Foundation
import Testing

@testable import Ledger

/// Signing with a comment as one append, and the signer's fields limited in bytes (issue 9,
/// items 3 and 4). The assertions compare values but print only booleans and field names.
@Suite("Kiosk signing rules")
struct KioskSigningTests {
    func makeHQ(_ dir: TempDir) throws -> LedgerNode {
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Test HQ")
        try node.publish(sampleCampaign())
        return node
    }

    static let kari = SignerDetails(name: "Kari Nordmann", email: "kari@example.org", postcode: "0150", country: "NO")

    /// `count` graphemes of a letter and `marks` combining accents each.
    static func heavy(_ count: Int, marks: Int) -> String {
        String(repeating: "e" + String(repeating: "\u{301}", count: marks), count: count)
    }

    @Test("a signature and its comment are one append: the comment is the next entry of the same log")
    func oneAppend() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        let before = try node.store.entryCount()
        let receipt = try node.sign(campaign: "free-the-press", signer: Self.kari, comment: SignerComment(displayName: " Kari ", text: " Free them! "), channel: .kiosk)
        let entries = try node.store.entries()
        #expect(entries.count == before + 2)
        let comment = try #require(entries.last)
        #expect(comment.type == EventType.commentPosted.rawValue)
        #expect(comment.previous == receipt.entry.id)
        #expect(comment.sequence == receipt.entry.sequence + 1)
        let body = try comment.decodeBody(CommentPosted.self)
        #expect(body.displayName == "Kari" && body.text == "Free them!" && body.campaign == "free-the-press")
        #expect(try node.store.comments(campaign: "free-the-press").map(\.text) == ["Free them!"])
    }

    @Test("a comment too long in bytes, though short in characters, refuses the signing before anything is written")
    func commentBytes() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        let before = try node.store.entryCount()
        // 1000 characters, 33,000 bytes.
        let text = Self.heavy(1000, marks: 16)
        #expect(text.count <= 2000 && text.utf8.count > SignerComment.maxTextBytes)
        #expect(throws: NodeError.invalidSigner(field: "comment", reason: "is longer than \(SignerComment.maxTextBytes) bytes")) {
            try node.sign(campaign: "free-the-press", signer: Self.kari, comment: SignerComment(displayName: "Kari", text: text), channel: .kiosk)
        }
        #expect(throws: NodeError.self) {
            try node.sign(campaign: "free-the-press", signer: Self.kari, comment: SignerComment(displayName: Self.heavy(10, marks: 20), text: "Hi"), channel: .kiosk)
        }
        #expect(throws: NodeError.self) { try node.comment(campaign: "free-the-press", displayName: "Kari", text: text) }
        #expect(try node.store.entryCount() == before)
    }

    @Test("the largest comment the rules allow fits an entry, even when every byte is escaped in the JSON")
    func largestCommentFits() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        let name = String(repeating: "\"", count: SignerComment.maxDisplayNameBytes)
        let text = String(repeating: "\\", count: SignerComment.maxTextBytes / 2) + String(repeating: "\n", count: SignerComment.maxTextBytes / 2 - 1) + "x"
        _ = try node.sign(campaign: "free-the-press", signer: Self.kari, comment: SignerComment(displayName: name, text: text), channel: .kiosk)
        #expect(try node.store.comments(campaign: "free-the-press").count == 1)
    }

    @Test("a closed campaign takes neither the signature nor its comment")
    func closedCampaign() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        try node.close(campaign: "free-the-press")
        let before = try node.store.entryCount()
        #expect(throws: NodeError.campaignClosed("free-the-press")) {
            try node.sign(campaign: "free-the-press", signer: Self.kari, comment: SignerComment(displayName: "Kari", text: "Hi"), channel: .kiosk)
        }
        #expect(try node.store.entryCount() == before)
    }

    @Test("every signer field is limited in bytes, not characters", arguments: [
        ("name", 600), ("email", 254), ("phone", 32), ("address", 1500), ("postcode", 16),
    ])
    func signerBytes(field: String, limit: Int) throws {
        var details = Self.kari
        // Over the limit in bytes, few characters.
        let heavy = Self.heavy(limit / 21 + 1, marks: 10)
        #expect(heavy.utf8.count > limit && heavy.count <= 100)
        switch field {
        case "name": details.name = heavy
        case "email": details.email = "kari@" + heavy + ".org"
        case "phone": details.phone = String(repeating: "٣", count: 17)  // Arabic-Indic digits: 2 bytes each
        case "address": details.address = heavy
        default: details.postcode = heavy
        }
        let problems = details.problems
        #expect(problems.map(\.field) == [field])
        if field != "email" && field != "postcode" { #expect(problems.first?.kind == .tooLong(maxBytes: limit)) }
        // No problem names a value.
        #expect(problems.allSatisfy { !$0.reason.contains("e\u{301}") && !$0.reason.contains("٣") })
    }

    @Test("NUL and other control characters are refused in every signer field; tabs and line breaks only in a comment",
          arguments: ["\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9F}", "\t", "\n", "\r"])
    func controlCharacters(control: String) throws {
        for field in ["name", "email", "phone", "address", "postcode", "country"] {
            var details = Self.kari
            switch field {
            case "name": details.name = "Kari" + control + "Nordmann"
            case "email": details.email = "kari" + control + "@example.org"
            case "phone": details.phone = "123" + control + "45"
            case "address": details.address = "Gate 1" + control + "B"
            case "postcode": details.postcode = "01" + control + "50"
            default: details.country = "N" + control
            }
            let problems = details.problems
            #expect(problems.map(\.field).contains(field), "field \(field)")
            if field != "country" && field != "email" { #expect(problems.first?.kind == .unstorable, "field \(field)") }
        }
        let comment = SignerComment(displayName: "Kari", text: "Line" + control + "two").problems
        #expect(comment.isEmpty == ["\t", "\n", "\r"].contains(control))
        #expect(SignerComment(displayName: "Ka" + control + "ri", text: "Hi").problems.map(\.field) == ["display name"])
    }
}
