import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Errors that take focus, the page language, the skip link, the withdrawal link, and a campaign
/// that closes while someone types (issue 9, item 7). The focus itself is checked in a real
/// browser by browser-tests/kiosk_test.py.
@Suite("Kiosk accessibility")
struct KioskAccessibilityTests {
    static let focusable: Set = ["a", "input", "button", "textarea", "select"]

    /// The first element a Tab reaches: the first focusable tag in the body, in document order.
    static func firstTabStop(_ page: String) -> HTMLTokens.Tag? {
        let tags = HTMLTokens(page).tags
        guard let body = tags.firstIndex(where: { $0.name == "body" }) else { return nil }
        return tags[body...].first { tag in
            focusable.contains(tag.name) && tag.attributes["type"] != "hidden" && tag.attributes["tabindex"] != "-1"
                && (tag.name != "a" || tag.attributes["href"] != nil)
        }
    }

    @Test("a server-side error: the summary at the top of the form is the target of the form's #errors, focusable, and links each field", arguments: ["en", "nb"])
    func errorSummary(language: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=\(language)", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                let form = HTMLTokens(page).tags.first { $0.name == "form" }
                expectQuietly(form?.attributes["action"] == "/c/c1/sign?lang=\(language)#errors")
                let bad = try await client.execute(uri: "/c/c1/sign?lang=\(language)", method: .post, headers: KioskTest.formHeaders,
                                                   body: KioskTest.form(["form": token, "name": "", "email": "a@b", "country": "Norway"])) { KioskTest.text($0) }
                let tags = HTMLTokens(bad).tags
                let summary = try requireQuietly(tags.firstIndex { $0.attributes["id"] == "errors" })
                expectQuietly(tags[summary].attributes["tabindex"] == "-1")
                expectQuietly(tags[summary].attributes["role"] == "alert")
                // At the top of the form: after the form's start, before its first field.
                let formStart = try requireQuietly(tags.firstIndex { $0.name == "form" && $0.attributes["method"] == "post" })
                let firstField = try requireQuietly(tags.firstIndex { $0.attributes["id"] == "name" })
                #expect(formStart < summary && summary < firstField)
                let links = tags[summary...].prefix { $0.name != "form" && $0.attributes["id"] != "name" }.compactMap { $0.name == "a" ? $0.attributes["href"] : nil }
                #expect(links == ["#name", "#email", "#country"])
                expectQuietly(bad.contains("<html lang=\"\(language)\">"))
            }
        }
    }

    @Test("the withdrawal form's error summary takes the focus the same way")
    func withdrawErrorSummary() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let page = try await client.execute(uri: "/withdraw?lang=nb", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                expectQuietly(HTMLTokens(page).tags.first { $0.name == "form" }?.attributes["action"] == "/withdraw?lang=nb#errors")
                let bad = try await client.execute(uri: "/withdraw?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                   body: KioskTest.form(["form": token, "receipt": "nope"])) { KioskTest.text($0) }
                let tags = HTMLTokens(bad).tags
                let summary = try requireQuietly(tags.firstIndex { $0.attributes["id"] == "errors" })
                expectQuietly(tags[summary].attributes["tabindex"] == "-1")
                expectQuietly(tags[summary...].contains { $0.name == "a" && $0.attributes["href"] == "#receipt" })
                expectQuietly(bad.contains("<html lang=\"nb\">"))
            }
        }
    }

    @Test("every page's lang is the interface language", arguments: ["en", "nb"])
    func pageLanguage(language: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let other = language == "en" ? "nb" : "en"
                var pages: [String] = []
                for uri in ["/?lang=\(language)", "/c/c1?lang=\(language)", "/withdraw?lang=\(language)", "/c/nope?lang=\(language)"] {
                    pages.append(try await client.execute(uri: uri, method: .get, headers: [.acceptLanguage: other]) { KioskTest.text($0) })
                }
                let form = try await client.execute(uri: "/c/c1?lang=\(language)", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: form))
                var headers = KioskTest.formHeaders
                headers[.acceptLanguage] = other
                pages.append(try await client.execute(uri: "/c/c1/sign?lang=\(language)", method: .post, headers: headers,
                                                      body: KioskTest.form(["form": token, "name": "Kari", "email": "kari@example.org"])) { KioskTest.text($0) })
                pages.append(try await client.execute(uri: "/c/c1/sign?lang=\(language)", method: .post, headers: KioskTest.formHeaders,
                                                      body: KioskTest.form(["form": "1.00.00", "name": "Kari"])) { KioskTest.text($0) })
                for (index, page) in pages.enumerated() {
                    expectQuietly(page.contains("<html lang=\"\(language)\">"), "page \(index)")
                }
            }
        }
    }

    @Test("the skip link is the first tab stop of every page with a form; in kiosk mode the withdrawal link is there")
    func skipLinkAndWithdrawLink() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node, kiosk: "c1").test(.router) { client in
                let campaign = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                let first = try requireQuietly(Self.firstTabStop(campaign))
                expectQuietly(first.attributes["class"] == "skip" && first.attributes["href"] == "#sign")
                expectQuietly(HTMLTokens(campaign).tags.contains { $0.attributes["id"] == "sign" })
                expectQuietly(HTMLTokens(campaign).tags.contains { $0.name == "a" && $0.attributes["href"] == "/withdraw?lang=en" })
                let withdraw = try await client.execute(uri: "/withdraw?lang=en", method: .get) { KioskTest.text($0) }
                let skip = try requireQuietly(Self.firstTabStop(withdraw))
                expectQuietly(skip.attributes["class"] == "skip" && skip.attributes["href"] == "#withdraw")
                expectQuietly(HTMLTokens(withdraw).tags.contains { $0.attributes["id"] == "withdraw" })
            }
        }
    }

    @Test("the withdrawn page links back to the campaign's form")
    func withdrawnLinksBack() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node, kiosk: "c1").test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=nb", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                let thanks = try await client.execute(uri: "/c/c1/sign?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                      body: KioskTest.form(["form": token, "name": "Kari", "email": "kari@example.org"])) { KioskTest.text($0) }
                let receipt = try requireQuietly(KioskTest.receipt(in: thanks))
                let form = try await client.execute(uri: "/withdraw?lang=nb", method: .get) { KioskTest.text($0) }
                let withdrawToken = try requireQuietly(KioskTest.token(in: form))
                let done = try await client.execute(uri: "/withdraw?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                    body: KioskTest.form(["form": withdrawToken, "receipt": receipt])) { KioskTest.text($0) }
                expectQuietly(done.contains("Underskriften din er trukket tilbake"))
                expectQuietly(HTMLTokens(done).tags.contains { $0.name == "a" && $0.attributes["href"] == "/c/c1?lang=nb" })
            }
        }
    }

    @Test("a campaign that closes while the form is open: nothing recorded, said plainly, and what was typed is kept")
    func closedWhileTyping() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node, kiosk: "c1").test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                try node.close(campaign: "c1")
                let typed = ["name": "Kari Nordmann", "email": "kari@example.org", "display_name": "Kari", "comment": "Free them"]
                let (status, answer) = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                                body: KioskTest.form(typed.merging(["form": token]) { $1 })) { ($0.status, KioskTest.text($0)) }
                expectQuietly(status == .conflict)
                expectQuietly(answer.contains("This campaign closed before your signature was sent. Nothing was recorded."))
                for field in ["name", "email", "display_name", "comment"] {
                    let kept = KioskTest.value(of: field, in: answer) == typed[field]
                    expectQuietly(kept, "\(field) is not kept")
                }
                let tags = HTMLTokens(answer).tags
                expectQuietly(!tags.contains { $0.name == "form" && $0.attributes["method"] == "post" && $0.attributes["action"]?.contains("/sign") == true })
                expectQuietly(tags.first { $0.attributes["id"] == "errors" }?.attributes["tabindex"] == "-1")
                #expect(try KioskTest.recorded(node) == 0)
            }
        }
    }
}
