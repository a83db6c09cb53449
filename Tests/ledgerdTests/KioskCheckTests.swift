import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// "Check my signature": a receipt code's state and, at HQ, a receipt proof that verifies with
/// HQ's key (docs/KIOSK.md, docs/FORMAT.md section 11).
@Suite("Kiosk: check my signature")
struct KioskCheckTests {
    func check(_ client: some TestClientProtocol, _ code: String, path: String = "/check?lang=en") async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: KioskTest.formHeaders, body: KioskTest.form(["receipt": code])) { $0 }
    }

    @Test("a code shows its own signature's state and gives a proof that verifies with HQ's key and the code")
    func stateAndProof() async throws {
        try await KioskTest.withNode { node in
            let kept = try node.sign(campaign: "c1", signer: SignerDetails(name: "Kari Nordmann", email: "kari@example.org"))
            let again = try node.sign(campaign: "c1", signer: SignerDetails(name: "Kari Again", email: "kari@example.org"))
            let gone = try node.sign(campaign: "c1", signer: SignerDetails(name: "Ola", email: "ola@example.org"))
            try node.withdraw(receipt: gone.code, erase: true)
            try await KioskTest.app(node).test(.router) { client in
                let form = KioskTest.text(try await client.execute(uri: "/check", method: .get) { $0 })
                expectQuietly(form.contains("<form id=\"check\" method=\"post\""))
                let counted = try await check(client, kept.code.description)
                #expect(counted.status == .ok)
                let page = KioskTest.text(counted)
                expectQuietly(page.contains("Your signature is recorded and counted."))
                expectQuietly(!page.contains("Kari") && !page.contains("kari@example.org"))
                expectQuietly(page.contains("action=\"/check/proof?lang=en\""))
                // The duplicate reads as recorded, without saying why.
                let duplicate = KioskTest.text(try await check(client, again.code.description))
                expectQuietly(duplicate.contains("It is not counted at the moment") && !duplicate.contains("already counted.</p><p>"))
                let withdrawn = KioskTest.text(try await check(client, gone.code.description, path: "/check?lang=nb"))
                expectQuietly(withdrawn.contains("trukket tilbake") && withdrawn.contains("er slettet"))

                let download = try await check(client, kept.code.description, path: "/check/proof?lang=en")
                #expect(download.status == .ok)
                #expect(download.headers[.contentDisposition] == "attachment; filename=\"receipt-proof.json\"")
                let proof = try ReceiptProof(json: Array(download.body.readableBytesView))
                let verified = try proof.verify(key: try node.checkpointKey(), code: kept.code)
                #expect(verified.entry.id == kept.entry.id)
            }
        }
    }

    @Test("unknown, malformed and cross-site codes are refused with the form again; guessing hits the rate limit")
    func refusals() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let unknown = try await check(client, ReceiptCode().description)
                #expect(unknown.status == .unprocessableContent)
                expectQuietly(KioskTest.text(unknown).contains("No signature with this code has reached this device yet"))
                let malformed = try await check(client, "not a code")
                #expect(malformed.status == .unprocessableContent)
                let crossSite = try await client.execute(uri: "/check", method: .post,
                                                         headers: KioskTest.formHeaders.merging([.origin: "https://evil.example"]),
                                                         body: KioskTest.form(["receipt": ReceiptCode().description])) { $0 }
                #expect(crossSite.status == .forbidden)
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<8 { statuses.append(try await check(client, ReceiptCode().description).status) }
                #expect(statuses.contains(.tooManyRequests))
                #expect(statuses.first == .unprocessableContent)
            }
        }
    }
}

private extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var out = self
        for field in other { out[field.name] = field.value }
        return out
    }
}
