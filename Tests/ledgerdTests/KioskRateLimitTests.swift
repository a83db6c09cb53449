import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Limits that a real stall never hits, withdrawals limited apart from signing and much harder,
/// and a refusal that keeps what was typed (issue 9, item 5).
@Suite("Kiosk rate limits")
struct KioskRateLimitTests {
    static func signer(_ index: Int) -> [String: String] {
        ["name": "Signer \(index)", "email": "signer\(index)@example.org", "postcode": "0150", "country": "NO"]
    }

    func sign(_ client: some TestClientProtocol, _ fields: [String: String]) async throws -> (HTTPResponse.Status, String, String) {
        let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
        let token = try requireQuietly(KioskTest.token(in: page))
        let (status, text) = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                      body: KioskTest.form(fields.merging(["form": token]) { $1 })) { ($0.status, KioskTest.text($0)) }
        return (status, text, token)
    }

    func withdraw(_ client: some TestClientProtocol, code: String, language: String = "en") async throws -> (HTTPResponse.Status, String, String) {
        let page = try await client.execute(uri: "/withdraw?lang=\(language)", method: .get) { KioskTest.text($0) }
        let token = try requireQuietly(KioskTest.token(in: page))
        let (status, text) = try await client.execute(uri: "/withdraw?lang=\(language)", method: .post, headers: KioskTest.formHeaders,
                                                      body: KioskTest.form(["form": token, "receipt": code])) { ($0.status, KioskTest.text($0)) }
        return (status, text, token)
    }

    @Test("at a stall every signer is the same client: twelve people in a row all sign")
    func stallQueue() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node, kiosk: "c1").test(.router) { client in
                var statuses: [HTTPResponse.Status] = []
                for index in 0..<12 { statuses.append(try await sign(client, Self.signer(index)).0) }
                #expect(statuses == Array(repeating: .ok, count: 12))
                #expect(try KioskTest.counted(node) == 12)
            }
        }
    }

    @Test("thirty withdrawal attempts with made-up codes do not stop signing")
    func withdrawalsDoNotLockOutSigning() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node, kiosk: "c1").test(.router) { client in
                for _ in 0..<30 { _ = try await withdraw(client, code: ReceiptCode().description) }
                let (status, page, _) = try await sign(client, Self.signer(1))
                expectQuietly(status == .ok)
                expectQuietly(KioskTest.receipt(in: page) != nil)
            }
        }
    }

    @Test("withdrawal attempts are limited much harder; the refusal keeps the code, says how long to wait, and has a fresh token")
    func withdrawalLimit() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                var statuses: [HTTPResponse.Status] = []
                var last = ("", "", "")
                let code = ReceiptCode().description
                for _ in 0..<RateLimiter.Limits.withdrawing.perClient.burst + 1 {
                    let (status, page, token) = try await withdraw(client, code: code, language: "nb")
                    statuses.append(status)
                    last = (page, token, code)
                }
                #expect(statuses.dropLast().allSatisfy { $0 == .unprocessableContent })
                #expect(statuses.last == .tooManyRequests)
                let (page, used, typed) = last
                expectQuietly(KioskTest.value(of: "receipt", in: page) == typed)
                expectQuietly(page.contains("Vent") && page.contains("sekunder"))
                let fresh = try requireQuietly(KioskTest.token(in: page))
                #expect(fresh != used)
            }
        }
    }

    @Test("a refused signature keeps everything typed: 429, the form filled in, how long to wait, a fresh token, nothing stored")
    func refusalKeepsTyping() async throws {
        try await KioskTest.withNode { node in
            let tight = RateLimiter(limits: .init(perClient: .init(burst: 1, perMinute: 1), overall: .init(burst: 100, perMinute: 100)))
            let controller = KioskController<LedgerRequestContext>(node: node, kioskCampaign: "c1", signLimiter: tight)
            try await KioskTest.app(controller).test(.router) { client in
                #expect(try await sign(client, Self.signer(1)).0 == .ok)
                let typed = Self.signer(2).merging(["consent": "yes", "display_name": "Two", "comment": "Line one\r\nLine <two>"]) { $1 }
                let (status, page, used) = try await sign(client, typed)
                expectQuietly(status == .tooManyRequests)
                for field in ["name", "email", "postcode", "country", "display_name", "comment"] {
                    let kept = KioskTest.value(of: field, in: page) == typed[field]
                    expectQuietly(kept, "\(field) is not kept")
                }
                expectQuietly(HTMLTokens(page).tags.contains { $0.attributes["id"] == "consent" && $0.attributeNames.contains("checked") })
                expectQuietly(page.contains("Please wait") && page.contains("seconds"))
                expectQuietly(page.contains("Nothing was recorded"))
                let fresh = try requireQuietly(KioskTest.token(in: page))
                #expect(fresh != used)
                #expect(try KioskTest.recorded(node) == 1)
            }
        }
    }
}
