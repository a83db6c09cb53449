import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Route tests of the kiosk pages, through HummingbirdTesting.
@Suite("Kiosk pages")
struct KioskRouteTests {
    /// An HQ node with a two-language campaign `c1`.
    func makeNode(_ directory: URL) throws -> LedgerNode {
        let node = try LedgerNode.createHQ(at: directory.appendingPathComponent("kiosk").path, name: "Kiosk")
        let en = CampaignText(title: "Free the press", summary: "Journalists are in jail.", body: "Three journalists.",
                              demands: ["Release them"], letter: CampaignLetter(recipient: "The Minister", text: "Dear Minister"))
        let nb = CampaignText(title: "Fri presse", summary: "Journalister sitter i fengsel.", body: "Tre journalister.",
                              demands: ["Løslat dem"], letter: nil)
        try node.publish(CampaignPublished(campaign: "c1", languages: ["en", "nb"], texts: ["en": en, "nb": nb], goal: 100, deadline: nil))
        return node
    }

    func app(_ node: LedgerNode, kiosk: String? = nil, limiter: RateLimiter? = nil, tokens: FormTokens = FormTokens()) -> some ApplicationProtocol {
        let router = Router(context: LedgerRequestContext.self)
        router.addRoutes(KioskController<LedgerRequestContext>(node: node, kioskCampaign: kiosk, tokens: tokens, signLimiter: limiter).endpoints)
        return Application(router: router)
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// The one-time token of the form in a page.
    static func token(in page: String) -> String? {
        guard let range = page.range(of: "name=\"form\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        let body = fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return ByteBuffer(string: body)
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test("the campaign page shows the text, the count, the form; Accept-Language and ?lang choose the language")
    func campaignPage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try makeNode(directory)
        try await app(node).test(.router) { client in
            try await client.execute(uri: "/c/c1", method: .get, headers: [.acceptLanguage: "nb-NO,nb;q=0.9,en;q=0.5"]) { response in
                let page = Self.text(response)
                expectQuietly(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                expectQuietly(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                // no-referrer would make browsers send `Origin: null` on the form's own POST.
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
                expectQuietly(page.contains("<html lang=\"nb\">"))
                expectQuietly(page.contains("Fri presse"))
                expectQuietly(page.contains("Skriv under"))
                expectQuietly(page.contains("<strong id=\"count\">0</strong>"))
                expectQuietly(page.contains("<label for=\"email\">"))
                expectQuietly(page.contains("autocomplete=\"off\""))
                expectQuietly(!page.contains("<script"))
            }
            try await client.execute(uri: "/c/c1?lang=en", method: .get, headers: [.acceptLanguage: "nb"]) { response in
                let page = Self.text(response)
                expectQuietly(page.contains("Free the press") && page.contains("Letter to The Minister"))
                expectQuietly(page.contains("href=\"/c/c1?lang=nb\""))
            }
            try await client.execute(uri: "/c/nope", method: .get) { response in
                expectQuietly(response.status == .notFound)
            }
            try await client.execute(uri: "/kiosk.css", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
                expectQuietly(Self.text(response).contains(":focus-visible"))
            }
        }
    }

    @Test("signing: errors next to fields with input kept and escaped; success shows a receipt; a double submit signs once")
    func signing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try makeNode(directory)
        // The tokens' clock stands still: on a loaded machine the double submit below may come more
        // than the 5-second double-click window after the first (KioskDoubleSubmitTests covers the window).
        try await app(node, tokens: FormTokens(clock: KioskDoubleSubmitTests.HandClock())).test(.router) { client in
            let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { Self.text($0) }
            let token = try requireQuietly(Self.token(in: page))
            let bad = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: Self.formHeaders,
                                               body: Self.form(["form": token, "name": "<b>Kari</b>", "email": "not-an-email"])) { $0 }
            expectQuietly(bad.status == .unprocessableContent)
            let badPage = Self.text(bad)
            expectQuietly(badPage.contains("Please enter a valid e-mail address"))
            expectQuietly(badPage.contains("value=\"&lt;b&gt;Kari&lt;/b&gt;\""))
            expectQuietly(!badPage.contains("<b>Kari</b>"))
            expectQuietly(badPage.contains("aria-invalid=\"true\""))
            #expect(try node.store.signatureCounts(campaign: "c1")["counted", default: 0] == 0)

            let fields = ["form": token, "name": "Kari Nordmann", "email": "kari@example.org", "postcode": "0150", "country": "NO",
                          "consent": "yes", "display_name": "Kari", "comment": "Free them!"]
            let good = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: Self.formHeaders, body: Self.form(fields)) { $0 }
            expectQuietly(good.status == .ok)
            let thanks = Self.text(good)
            expectQuietly(thanks.contains("Thank you for signing"))
            expectQuietly(!thanks.contains("Kari Nordmann") && !thanks.contains("kari@example.org"))
            let receipt = try requireQuietly(thanks.range(of: "id=\"receipt\">").map { String(thanks[$0.upperBound...].prefix(19)) })
            #expect(ReceiptCode(parsing: receipt) != nil)
            // The same form sent again (a double click) does not sign twice.
            let again = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: Self.formHeaders, body: Self.form(fields)) { $0 }
            expectQuietly(Self.text(again).contains(receipt))
            #expect(try node.store.signatureCounts(campaign: "c1")["counted", default: 0] == 1)
            try expectQuietly(try node.store.comments(campaign: "c1").map(\.text) == ["Free them!"])
            // The next page has an empty form and shows the new count.
            let next = try await client.execute(uri: "/c/c1?lang=en", method: .get) { Self.text($0) }
            expectQuietly(next.contains("<strong id=\"count\">1</strong>"))
            expectQuietly(!next.contains("kari@example.org") && !next.contains("Kari Nordmann"))
            // Withdraw with the receipt code.
            let withdrawPage = try await client.execute(uri: "/withdraw?lang=en", method: .get) { Self.text($0) }
            let withdrawToken = try requireQuietly(Self.token(in: withdrawPage))
            let withdrawn = try await client.execute(uri: "/withdraw?lang=en", method: .post, headers: Self.formHeaders,
                                                     body: Self.form(["form": withdrawToken, "receipt": receipt.lowercased()])) { $0 }
            expectQuietly(Self.text(withdrawn).contains("has been withdrawn"))
            #expect(try node.store.signatureCounts(campaign: "c1")["counted", default: 0] == 0)
        }
    }

    @Test("forged or missing form tokens and cross-site origins are refused; nothing is stored")
    func csrf() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try makeNode(directory)
        try await app(node).test(.router) { client in
            let fields = ["name": "Kari", "email": "kari@example.org"]
            let missing = try await client.execute(uri: "/c/c1/sign", method: .post, headers: Self.formHeaders, body: Self.form(fields)) { $0 }
            expectQuietly(missing.status == .badRequest)
            let forged = try await client.execute(uri: "/c/c1/sign", method: .post, headers: Self.formHeaders,
                                                  body: Self.form(fields.merging(["form": "1.00.00"]) { $1 })) { $0 }
            expectQuietly(forged.status == .badRequest)
            let page = try await client.execute(uri: "/c/c1", method: .get) { Self.text($0) }
            let token = try requireQuietly(Self.token(in: page))
            var headers = Self.formHeaders
            headers[.origin] = "http://evil.example"
            let crossSite = try await client.execute(uri: "/c/c1/sign", method: .post, headers: headers,
                                                     body: Self.form(fields.merging(["form": token]) { $1 })) { $0 }
            expectQuietly(crossSite.status == .forbidden)
            // `Origin: null` (what a browser sends under no-referrer, or from a sandboxed frame) is refused too.
            headers[.origin] = "null"
            let opaque = try await client.execute(uri: "/c/c1/sign", method: .post, headers: headers,
                                                  body: Self.form(fields.merging(["form": token]) { $1 })) { $0 }
            expectQuietly(opaque.status == .forbidden)
            #expect(try node.store.signatureCounts(campaign: "c1").isEmpty)
        }
    }

    @Test("the rate limit answers 429 once a client has signed too often")
    func rateLimit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try makeNode(directory)
        let limiter = RateLimiter(limits: .init(perClient: .init(burst: 2, perMinute: 2), overall: .init(burst: 30, perMinute: 30)))
        try await app(node, limiter: limiter).test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<3 {
                let page = try await client.execute(uri: "/c/c1", method: .get) { Self.text($0) }
                let token = try requireQuietly(Self.token(in: page))
                let response = try await client.execute(uri: "/c/c1/sign", method: .post, headers: Self.formHeaders,
                                                        body: Self.form(["form": token, "name": "Signer \(index)", "email": "s\(index)@example.org"])) { $0 }
                statuses.append(response.status)
            }
            #expect(statuses == [.ok, .ok, .tooManyRequests])
            #expect(try node.store.signatureCounts(campaign: "c1")["counted", default: 0] == 2)
        }
    }

    @Test("kiosk mode: the front page is the campaign; the thank-you page returns to an empty form; a closed campaign shows no form")
    func kioskMode() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try makeNode(directory)
        try await app(node, kiosk: "c1").test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                expectQuietly(response.status == .seeOther)
                #expect(response.headers[.location]?.hasPrefix("/c/c1") == true)
            }
            let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { Self.text($0) }
            let token = try requireQuietly(Self.token(in: page))
            let thanks = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: Self.formHeaders,
                                                  body: Self.form(["form": token, "name": "Ola", "email": "ola@example.org"])) { Self.text($0) }
            expectQuietly(thanks.contains("http-equiv=\"refresh\" content=\"20;url=/c/c1?lang=en\""))
            expectQuietly(thanks.contains("href=\"/c/c1?lang=nb\""))  // the language switch replaces lang, never repeats it
            try node.close(campaign: "c1")
            let closed = try await client.execute(uri: "/c/c1?lang=en", method: .get) { Self.text($0) }
            expectQuietly(closed.contains("This campaign is closed"))
            expectQuietly(!closed.contains("<form method=\"post\" action=\"/c/c1/sign"))
        }
    }
}
