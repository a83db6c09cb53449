import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Hostile values reflected into every field of both forms never leave their attribute or text
/// (issue 9, item 2: escaping per grapheme let `"` + U+0301 through).
@Suite("Kiosk escaping")
struct KioskEscapingTests {
    /// Quotes, apostrophes, angle brackets and ampersands followed by what joins a grapheme to them.
    static let hostile: [String] = [
        "\"\u{301} autofocus onfocus=alert(1) x=\"",
        "'\u{301} autofocus onfocus=alert(1) x='",
        "\u{301}\" onmouseover=alert(1) \"",
        "<\u{301}script>alert(1)</script\u{301}>",
        ">\u{301}<img src=x onerror=alert(1)>",
        "</textarea\u{301}><img src=x onerror=alert(1)>",
        "</textarea><img src=x onerror=alert(1)>",
        "&\u{301}quot; &amp\u{301}; &#34;",
        "\"\u{200D} onfocus=alert(1) autofocus \"",
        "\"\u{FE0F} onfocus=alert(1) autofocus \"",
        "\"\u{E0100} onfocus=alert(1) autofocus \"",
        "\"\u{1F3FB} onfocus=alert(1) autofocus \"",
        "\"\u{20E3} onfocus=alert(1) autofocus \"",
        "\u{202E}\" onfocus=alert(1) autofocus \"\u{202C}",
        "\"\u{202E} onfocus=alert(1) autofocus \"",
        "\u{FEFF}\" onfocus=alert(1) autofocus \"",
        "\"\u{0} onfocus=alert(1) autofocus \"",
        "\u{0}\"\u{0}'\u{0}<\u{0}>",
        "\"\r\n onfocus=alert(1) autofocus \"",
        "\u{1100}\u{1161}\"\u{11A8} onfocus=alert(1) autofocus \"",
        "a\"\u{301}\u{301}\u{301}\u{301} onfocus=alert(1) autofocus b=\"",
    ]

    static let signFields = ["name", "email", "postcode", "country", "display_name", "comment"]

    /// Tags and attributes the kiosk writes; a hostile value that adds any other broke out.
    static let tagNames: Set = ["html", "head", "meta", "title", "link", "body", "header", "a", "nav", "main", "article", "h1", "h2",
                                "p", "div", "strong", "br", "progress", "ul", "li", "section", "form", "input", "label", "fieldset",
                                "legend", "textarea", "button", "span", "em"]
    static let attributeNames: Set = ["lang", "charset", "name", "content", "http-equiv", "href", "rel", "class", "hreflang", "aria-label",
                                      "id", "role", "method", "action", "autocomplete", "type", "value", "required", "maxlength",
                                      "inputmode", "size", "for", "checked", "aria-invalid", "aria-describedby", "tabindex",
                                      "autocapitalize", "spellcheck", "max", "readonly", "disabled", "aria-live"]

    /// What is wrong with a page's markup, if anything (names only, never values).
    static func breakouts(_ page: String) -> [String] {
        var found: [String] = []
        for tag in HTMLTokens(page).tags {
            if !tagNames.contains(tag.name) { found.append("tag <\(tag.name.unicodeScalars.filter(\.isASCII))>") }
            for name in tag.attributeNames where !attributeNames.contains(name) {
                found.append("attribute \(String(String.UnicodeScalarView(name.unicodeScalars.filter(\.isASCII)))) on <\(tag.name)>")
            }
            if Set(tag.attributeNames).count != tag.attributeNames.count { found.append("a repeated attribute on <\(tag.name)>") }
        }
        return found
    }

    /// What the kiosk shows back for a typed value: control characters other than tab and line
    /// breaks become U+FFFD (they are refused anyway).
    static func shown(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control && !["\t", "\n", "\r"].contains(scalar) ? "\u{FFFD}" : scalar
        }))
    }

    @Test("HTML.escape escapes per Unicode scalar")
    func escapePerScalar() {
        for value in Self.hostile {
            let escaped = HTML.escape(value)
            let raw = escaped.unicodeScalars.filter { ["\"", "'", "<", ">"].contains($0) }
            #expect(raw.isEmpty, "a quote or bracket left unescaped (case \(Self.hostile.firstIndex(of: value) ?? -1))")
            #expect(HTMLTokens.unescape(escaped) == Self.shown(value))
        }
    }

    @Test("every hostile value in every field of the signing form stays inside its attribute or textarea", arguments: signFields)
    func signForm(field: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                for (index, value) in Self.hostile.enumerated() {
                    let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                    let token = try requireQuietly(KioskTest.token(in: page))
                    // An invalid e-mail keeps the form from signing, so that the value is shown back.
                    var fields = ["form": token, "name": "Test", "email": "not-an-email", "display_name": "Test", "comment": "Test"]
                    fields[field] = value
                    let response = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                            body: KioskTest.form(fields)) { $0 }
                    let reflected = KioskTest.text(response)
                    expectQuietly(response.status == .unprocessableContent, "case \(index)")
                    let found = Self.breakouts(reflected)
                    #expect(found == [], "case \(index) in \(field)")
                    let roundTrip = KioskTest.value(of: field, in: reflected) == Self.shown(value)
                    expectQuietly(roundTrip, "case \(index) in \(field) is not shown back as typed")
                }
                #expect(try KioskTest.recorded(node) == 0)
            }
        }
    }

    @Test("every hostile value in the withdrawal form's receipt field stays inside its attribute")
    func withdrawForm() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                for (index, value) in Self.hostile.enumerated() {
                    let page = try await client.execute(uri: "/withdraw?lang=nb", method: .get) { KioskTest.text($0) }
                    let token = try requireQuietly(KioskTest.token(in: page))
                    let response = try await client.execute(uri: "/withdraw?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                            body: KioskTest.form(["form": token, "receipt": value])) { $0 }
                    let reflected = KioskTest.text(response)
                    expectQuietly(response.status == .unprocessableContent, "case \(index)")
                    let found = Self.breakouts(reflected)
                    #expect(found == [], "case \(index)")
                    let roundTrip = KioskTest.value(of: "receipt", in: reflected) == Self.shown(value)
                    expectQuietly(roundTrip, "case \(index) is not shown back as typed")
                }
            }
        }
    }
}
