import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// What the thank-you and withdrawal pages say is true, and tells a stranger nothing about
/// whether someone had signed (issue 9, items 6 and 8).
@Suite("Kiosk receipts")
struct KioskReceiptTests {
    func sign(_ client: some TestClientProtocol, _ fields: [String: String], language: String = "en") async throws -> TestResponse {
        let page = try await client.execute(uri: "/c/c1?lang=\(language)", method: .get) { KioskTest.text($0) }
        let token = try requireQuietly(KioskTest.token(in: page))
        return try await client.execute(uri: "/c/c1/sign?lang=\(language)", method: .post, headers: KioskTest.formHeaders,
                                        body: KioskTest.form(fields.merging(["form": token]) { $1 })) { $0 }
    }

    /// A response with its receipt code replaced, to compare two answers' structure.
    static func shape(_ response: TestResponse) -> (HTTPResponse.Status, [String], String) {
        var page = KioskTest.text(response)
        if let receipt = KioskTest.receipt(in: page) { page = page.replacingOccurrences(of: receipt, with: "XXXX-XXXX-XXXX-XXXX") }
        let headers = response.headers.map { "\($0.name.canonicalName): \($0.value)" }.sorted()
        return (response.status, headers, page)
    }

    @Test("the thank-you page says the signature is recorded and what the code is for; it promises no count", arguments: ["en", "nb"])
    func thanksWording(language: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let page = KioskTest.text(try await sign(client, ["name": "Kari", "email": "kari@example.org"], language: language))
                expectQuietly(KioskTest.receipt(in: page) != nil)
                if language == "en" {
                    expectQuietly(!page.contains("proves") && !page.contains("counted"))
                    expectQuietly(page.contains("Your signature is recorded"))
                    expectQuietly(page.contains("Keep this code: you need it to withdraw your signature"))
                } else {
                    expectQuietly(!page.contains("viser at") && !page.contains("talt"))
                    expectQuietly(page.contains("Underskriften din er registrert"))
                    expectQuietly(page.contains("Ta vare på koden: du trenger den for å trekke underskriften tilbake"))
                }
            }
        }
    }

    @Test("a duplicate signer's answer is the first-time signer's, byte for byte but the receipt code", arguments: ["en", "nb"])
    func duplicateLooksTheSame(language: String) async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node, kiosk: "c1").test(.router) { client in
                let first = try await sign(client, ["name": "Kari Nordmann", "email": "kari@example.org", "country": "NO"], language: language)
                // Someone else types Kari's e-mail address, or Kari signs again.
                let again = try await sign(client, ["name": "Stranger", "email": "KARI@example.org", "country": "NO"], language: language)
                // A first-time signer.
                let fresh = try await sign(client, ["name": "Ola Hansen", "email": "ola@example.org", "country": "NO"], language: language)
                #expect(try node.store.signatureCounts(campaign: "c1")["duplicate"] == 1)
                let (againShape, freshShape) = (Self.shape(again), Self.shape(fresh))
                #expect(againShape.0 == freshShape.0)
                #expect(againShape.1 == freshShape.1)
                let samePage = againShape.2 == freshShape.2
                expectQuietly(samePage, "the duplicate's page differs from a first-time signer's")
                let firstReceipt = KioskTest.receipt(in: KioskTest.text(first))
                expectQuietly(firstReceipt != nil && firstReceipt != KioskTest.receipt(in: KioskTest.text(again)))
            }
        }
    }

    @Test("the count on the page moves the same for a duplicate as for a first-time signer")
    func countHidesDuplicates() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                func shown() async throws -> String? {
                    let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                    return page.range(of: "<strong id=\"count\">").map { String(page[$0.upperBound...].prefix { $0 != "<" }) }
                }
                _ = try await sign(client, ["name": "Kari Nordmann", "email": "kari@example.org"])
                #expect(try await shown() == "1")
                _ = try await sign(client, ["name": "Stranger", "email": "kari@example.org"])
                #expect(try await shown() == "2")
                _ = try await sign(client, ["name": "Ola Hansen", "email": "ola@example.org"])
                #expect(try await shown() == "3")
            }
        }
    }

    @Test("a code this node has not seen: no blame on the code, but why it cannot be withdrawn here yet", arguments: ["en", "nb"])
    func notSyncedYet(language: String) async throws {
        try await KioskTest.withNode { hq in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-laptop-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let laptop = try LedgerNode.createFromToken(at: directory.path, token: try hq.invite(name: "Stall laptop", url: "http://127.0.0.1:1"))
            for (node, expected) in [(laptop, language == "en" ? "This laptop has not received that signature yet" : "Denne PC-en har ikke fått den underskriften ennå"),
                                     (hq, language == "en" ? "HQ has not received that signature yet" : "Hovedkontoret har ikke fått den underskriften ennå")] {
                try await KioskTest.app(node).test(.router) { client in
                    let page = try await client.execute(uri: "/withdraw?lang=\(language)", method: .get) { KioskTest.text($0) }
                    let token = try requireQuietly(KioskTest.token(in: page))
                    let code = ReceiptCode().description
                    let (status, answer) = try await client.execute(uri: "/withdraw?lang=\(language)", method: .post, headers: KioskTest.formHeaders,
                                                                    body: KioskTest.form(["form": token, "receipt": code])) { ($0.status, KioskTest.text($0)) }
                    expectQuietly(status == .unprocessableContent)
                    expectQuietly(answer.contains(expected))
                    expectQuietly(!answer.contains("No signature has this receipt code") && !answer.contains("Ingen underskrift har denne kvitteringskoden"))
                    expectQuietly(KioskTest.value(of: "receipt", in: answer) == code)
                }
            }
        }
    }
}
