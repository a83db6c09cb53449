import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Limits in bytes, checked before anything is written, and text that cannot be stored refused
/// with a field error (issue 9, items 3 and 4).
@Suite("Kiosk field limits")
struct KioskFieldLimitsTests {
    static let valid = ["name": "Kari Nordmann", "email": "kari@example.org", "postcode": "0150", "country": "NO"]

    /// `count` graphemes, each a letter with `marks` combining accents: few characters, many bytes.
    static func heavy(_ count: Int, marks: Int) -> String {
        String(repeating: "e" + String(repeating: "\u{301}", count: marks), count: count)
    }

    func post(_ client: some TestClientProtocol, _ fields: [String: String], language: String = "en") async throws -> (HTTPResponse.Status, String) {
        let page = try await client.execute(uri: "/c/c1?lang=\(language)", method: .get) { KioskTest.text($0) }
        let token = try requireQuietly(KioskTest.token(in: page))
        return try await client.execute(uri: "/c/c1/sign?lang=\(language)", method: .post, headers: KioskTest.formHeaders,
                                        body: KioskTest.form(fields.merging(["form": token]) { $1 })) { ($0.status, KioskTest.text($0)) }
    }

    /// True when the page marks `field` invalid and shows an error next to it.
    static func fieldError(_ field: String, in page: String) -> Bool {
        page.contains("id=\"\(field)-error\"") && HTMLTokens(page).tags.contains { $0.attributes["id"] == field && $0.attributes["aria-invalid"] == "true" }
    }

    @Test("a comment of 2000 characters but too many bytes for an entry: a field error, and neither signature nor comment is stored")
    func commentTooManyBytes() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                // 1970 graphemes (a quote and 16 accents each): 65,010 bytes, sent unencoded (a script,
                // not a browser) so that they fit the request limit; each quote doubles in the entry's JSON.
                let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                let comment = String(repeating: "\"" + String(repeating: "\u{301}", count: 16), count: 1970)
                expectQuietly(comment.count == 1970 && comment.utf8.count + 1970 > Entry.maxBodySize)
                let body = "form=\(token)&name=Kari&email=kari%40example.org&display_name=Kari&comment=" + comment
                #expect(body.utf8.count <= 64 * 1024)
                let response = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                        body: ByteBuffer(string: body)) { ($0.status, KioskTest.text($0)) }
                #expect(response.0 == .unprocessableContent)
                expectQuietly(Self.fieldError("comment", in: response.1))
                expectQuietly(response.1.contains("Your comment is too long"))
                #expect(try KioskTest.recorded(node) == 0)
                try expectQuietly(try node.store.comments(campaign: "c1").isEmpty)
            }
        }
    }

    @Test("every signer field and the display name are limited in bytes, with the error in the user's language",
          arguments: [("name", 601, "Navnet er for langt"), ("display_name", 241, "Navnet som vises med kommentaren er for langt"), ("comment", 6001, "Kommentaren er for lang")])
    func bytesNotCharacters(field: String, bytes: Int, message: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                // Few characters (graphemes), more bytes than the limit.
                let value = Self.heavy(bytes / 41 + 1, marks: 20)
                #expect(value.utf8.count >= bytes && value.count * 20 < bytes)
                var fields = Self.valid.merging(["display_name": "Kari", "comment": "Free them"]) { $1 }
                fields[field] = value
                let (status, page) = try await post(client, fields, language: "nb")
                expectQuietly(status == .unprocessableContent)
                expectQuietly(Self.fieldError(field, in: page))
                expectQuietly(page.contains(message))
                #expect(try KioskTest.recorded(node) == 0)
                // At the limit it signs.
                fields[field] = String(repeating: "a", count: bytes - 1)
                let (ok, _) = try await post(client, fields, language: "nb")
                #expect(ok == .ok)
            }
        }
    }

    @Test("an e-mail address is limited in bytes: 64 for the part before @, 254 in all")
    func emailBytes() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                // 33 two-byte letters: 33 characters, 66 bytes before the @.
                let local = String(repeating: "ø", count: 33) + "@example.org"
                // 190 characters, 370 bytes.
                let label = String(repeating: "ø", count: 60)
                let long = "kari@\(label).\(label).\(label).no"
                #expect(long.count <= 254 && long.utf8.count > 254)
                for email in [local, long] {
                    let (status, page) = try await post(client, Self.valid.merging(["email": email]) { $1 })
                    expectQuietly(status == .unprocessableContent)
                    expectQuietly(Self.fieldError("email", in: page))
                }
                #expect(try KioskTest.recorded(node) == 0)
            }
        }
    }

    @Test("NUL and control characters in any field are refused with a field error; the form shows what was typed",
          arguments: ["name", "email", "postcode", "country", "display_name", "comment"])
    func controlCharacters(field: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                var fields = Self.valid.merging(["display_name": "Kari", "comment": "Free them"]) { $1 }
                let typed = field == "country" ? "N\u{0}" : (fields[field] ?? "x") + "\u{0}x"
                fields[field] = typed
                let (status, page) = try await post(client, fields, language: "nb")
                expectQuietly(status == .unprocessableContent)
                expectQuietly(Self.fieldError(field, in: page))
                expectQuietly(page.contains("tegn som ikke kan lagres"))
                expectQuietly(!page.unicodeScalars.contains("\u{0}"))
                let shown = KioskTest.value(of: field, in: page) == typed.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
                #expect(shown, "the field does not show what was typed")
                #expect(try KioskTest.recorded(node) == 0)
            }
        }
    }

    @Test("a comment may hold line breaks and tabs, but no other control character")
    func commentLineBreaks() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let fields = Self.valid.merging(["display_name": "Kari", "comment": "Line one\r\nLine\ttwo"]) { $1 }
                let (status, _) = try await post(client, fields)
                expectQuietly(status == .ok)
                let (bell, _) = try await post(client, Self.valid.merging(["display_name": "Ola", "comment": "Ring\u{7}", "email": "ola@example.org"]) { $1 })
                #expect(bell == .unprocessableContent)
                #expect(try KioskTest.recorded(node) == 1)
            }
        }
    }

    @Test("invalid UTF-8 (percent-encoded or raw) in any field is refused with a field error, never stored as literal text",
          arguments: ["name", "email", "postcode", "display_name", "comment"])
    func invalidUTF8(field: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                for encoded in ["%FF%FE", "%C3", "%ED%A0%80", "%C0%AF"] {
                    let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                    let token = try requireQuietly(KioskTest.token(in: page))
                    var fields = ["name": "Kari", "email": "kari%40example.org", "postcode": "0150", "display_name": "Kari", "comment": "Hi"]
                    fields[field] = field == "email" ? "kari\(encoded)%40example.org" : "Ab\(encoded)"
                    let body = "form=\(token)&" + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
                    let (status, reflected) = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                                       body: ByteBuffer(string: body)) { ($0.status, KioskTest.text($0)) }
                    expectQuietly(status == .unprocessableContent, "\(encoded) in \(field)")
                    expectQuietly(Self.fieldError(field, in: reflected), "\(encoded) in \(field)")
                    expectQuietly(reflected.contains("characters that cannot be stored"))
                    expectQuietly(!reflected.contains(encoded), "\(encoded) in \(field) is shown as literal text")
                }
                // Raw bytes that are not UTF-8, not percent-encoded at all.
                let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                var fields = ["name": "Kari", "email": "kari%40example.org", "postcode": "0150", "display_name": "Kari", "comment": "Hi"]
                fields[field] = nil
                var raw = ByteBuffer(string: "form=\(token)&" + fields.map { "\($0.key)=\($0.value)" }.joined(separator: "&") + "&\(field)=Ab")
                raw.writeBytes([0xFF, 0xFE])
                let (status, reflected) = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                                   body: raw) { ($0.status, KioskTest.text($0)) }
                expectQuietly(status == .unprocessableContent, "raw bytes in \(field)")
                expectQuietly(Self.fieldError(field, in: reflected), "raw bytes in \(field)")
                #expect(try KioskTest.recorded(node) == 0)
            }
        }
    }
}
