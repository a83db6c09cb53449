import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Helpers for the kiosk's route tests: a node with a two-language campaign `c1`, the kiosk's
/// routes on it, and readers for the pages. Page checks return booleans, so that a failed
/// `#expect` prints `false`, never a page that may hold a test signer's details.
enum KioskTest {
    /// An HQ node with a two-language campaign `c1`.
    static func makeNode(_ directory: URL) throws -> LedgerNode {
        let node = try LedgerNode.createHQ(at: directory.appendingPathComponent("kiosk").path, name: "Kiosk")
        let en = CampaignText(title: "Free the press", summary: "Journalists are in jail.", body: "Three journalists.",
                              demands: ["Release them"], letter: CampaignLetter(recipient: "The Minister", text: "Dear Minister"))
        let nb = CampaignText(title: "Fri presse", summary: "Journalister sitter i fengsel.", body: "Tre journalister.",
                              demands: ["Løslat dem"], letter: nil)
        try node.publish(CampaignPublished(campaign: "c1", languages: ["en", "nb"], texts: ["en": en, "nb": nb], goal: 100, deadline: nil))
        return node
    }

    /// The kiosk's routes alone, for `app.test(.router)` (no client address: every request is one client).
    static func app(_ controller: KioskController<LedgerRequestContext>) -> some ApplicationProtocol {
        let router = Router(context: LedgerRequestContext.self)
        router.addRoutes(controller.endpoints)
        return Application(router: router)
    }

    static func app(_ node: LedgerNode, kiosk: String? = nil) -> some ApplicationProtocol {
        app(KioskController<LedgerRequestContext>(node: node, kioskCampaign: kiosk))
    }

    /// Runs `body` with a fresh node in a temporary folder that is removed afterwards.
    static func withNode<T>(_ body: (LedgerNode) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(try makeNode(directory))
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// The one-time token of the form in a page.
    static func token(in page: String) -> String? {
        guard let range = page.range(of: "name=\"form\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The receipt code a thank-you page shows.
    static func receipt(in page: String) -> String? {
        page.range(of: "id=\"receipt\">").map { String(page[$0.upperBound...].prefix(19)) }
    }

    /// A form body, every value percent-encoded as a browser does, in the order given.
    static func form(_ fields: KeyValuePairs<String, String>) -> ByteBuffer {
        form(fields.map { ($0.key, $0.value) })
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        let body = fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return ByteBuffer(string: body)
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        form(fields.sorted { $0.key < $1.key })
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// The counted signatures of `c1`.
    static func counted(_ node: LedgerNode) throws -> Int {
        try node.store.signatureCounts(campaign: "c1")["counted", default: 0]
    }

    /// Every signature of `c1`, whatever its state.
    static func recorded(_ node: LedgerNode) throws -> Int {
        try node.store.signatureCounts(campaign: "c1").values.reduce(0, +)
    }

    /// The HTML-unescaped `value` attribute of the element with id `id`, or the text of a
    /// textarea with that id.
    static func value(of id: String, in page: String) -> String? {
        let tags = HTMLTokens(page).tags
        guard let index = tags.firstIndex(where: { $0.attributes["id"] == id }) else { return nil }
        let tag = tags[index]
        if tag.name == "textarea" { return tag.text }
        return tag.attributes["value"]
    }
}

/// A small HTML tokenizer that reads a page the way a browser's tokenizer does (code point by
/// code point: a combining mark after a quote does not hide the quote), enough to list the tags,
/// their attributes and the text of `textarea` and `title` elements.
struct HTMLTokens {
    struct Tag {
        var name: String
        var attributes: [String: String]
        var attributeNames: [String]
        /// For `textarea` and `title`: the unescaped text up to the end tag.
        var text: String?
    }

    private(set) var tags: [Tag] = []
    /// Text outside tags, unescaped.
    private(set) var texts: [String] = []

    init(_ page: String) {
        let scalars = Array(page.unicodeScalars)
        var index = 0
        var text = ""
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") }
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" || scalar == "\u{0C}" }
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "<", index + 1 < scalars.count, isLetter(scalars[index + 1]) || scalars[index + 1] == "/" || scalars[index + 1] == "!" else {
                text.unicodeScalars.append(scalar)
                index += 1
                continue
            }
            if !text.isEmpty { texts.append(Self.unescape(text)); text = "" }
            index += 1
            if scalars[index] == "!" || scalars[index] == "/" {
                // A doctype, comment or end tag: skip to '>'.
                while index < scalars.count, scalars[index] != ">" { index += 1 }
                index += 1
                continue
            }
            var name = ""
            while index < scalars.count, !isSpace(scalars[index]), scalars[index] != ">", scalars[index] != "/" {
                name.unicodeScalars.append(scalars[index])
                index += 1
            }
            var tag = Tag(name: name.lowercased(), attributes: [:], attributeNames: [], text: nil)
            while index < scalars.count, scalars[index] != ">" {
                if isSpace(scalars[index]) || scalars[index] == "/" { index += 1; continue }
                var attribute = ""
                while index < scalars.count, !isSpace(scalars[index]), scalars[index] != "=", scalars[index] != ">" {
                    attribute.unicodeScalars.append(scalars[index])
                    index += 1
                }
                var value = ""
                if index < scalars.count, scalars[index] == "=" {
                    index += 1
                    if index < scalars.count, scalars[index] == "\"" || scalars[index] == "'" {
                        let quote = scalars[index]
                        index += 1
                        while index < scalars.count, scalars[index] != quote {
                            value.unicodeScalars.append(scalars[index])
                            index += 1
                        }
                        index += 1
                    } else {
                        while index < scalars.count, !isSpace(scalars[index]), scalars[index] != ">" {
                            value.unicodeScalars.append(scalars[index])
                            index += 1
                        }
                    }
                }
                let key = attribute.lowercased()
                tag.attributeNames.append(key)
                if tag.attributes[key] == nil { tag.attributes[key] = Self.unescape(value) }
            }
            index += 1
            if tag.name == "textarea" || tag.name == "title" {
                // Raw text up to the end tag (RCDATA).
                let end = Array("</\(tag.name)".unicodeScalars)
                var content = ""
                while index < scalars.count {
                    if index + end.count <= scalars.count,
                       zip(scalars[index..<index + end.count], end).allSatisfy({ String($0).lowercased() == String($1) }) { break }
                    content.unicodeScalars.append(scalars[index])
                    index += 1
                }
                tag.text = Self.unescape(content)
            }
            tags.append(tag)
        }
        if !text.isEmpty { texts.append(Self.unescape(text)) }
    }

    /// Decodes the character references the kiosk writes (named and numeric), code point by code
    /// point (a combining mark after `;` does not hide the reference's end).
    static func unescape(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "&", let end = scalars[index...].prefix(12).firstIndex(of: ";") else {
                out.append(scalars[index])
                index += 1
                continue
            }
            let entity = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            var decoded: Unicode.Scalar?
            switch entity {
            case "amp": decoded = "&"
            case "lt": decoded = "<"
            case "gt": decoded = ">"
            case "quot": decoded = "\""
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let code = UInt32(entity.dropFirst(2), radix: 16) {
                    decoded = Unicode.Scalar(code)
                } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()) {
                    decoded = Unicode.Scalar(code)
                }
            }
            if let decoded {
                out.append(decoded)
                index = end + 1
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }
}

/// `#expect` that reports only whether `condition` held, never the values inside it: a kiosk page
/// may hold a test signer's details, and test output must not show them.
func expectQuietly(_ condition: @autoclosure () throws -> Bool, _ comment: Comment? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) rethrows {
    let held = try condition()
    #expect(held, comment, sourceLocation: sourceLocation)
}

/// `#require` for an optional that reports only that it was nil, never the values it came from.
func requireQuietly<T>(_ value: @autoclosure () throws -> T?, _ comment: Comment? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    let found = try value()
    return try #require(found, comment, sourceLocation: sourceLocation)
}
