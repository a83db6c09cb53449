import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// A used form token answers with the first receipt only to the same submission (issue 9, item 1).
@Suite("Kiosk double submissions")
struct KioskDoubleSubmitTests {
    static let first: [String: String] = ["name": "Kari Nordmann", "email": "kari@example.org", "postcode": "0150", "country": "NO"]
    static let second: [String: String] = ["name": "Ola Hansen", "email": "ola@example.org", "postcode": "5003", "country": "NO"]

    @Test("a used token sent with other form data gets no receipt: the form again, with what was typed and a fresh token")
    func otherDataSameToken() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                let signed = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                      body: KioskTest.form(Self.first.merging(["form": token]) { $1 })) { KioskTest.text($0) }
                let receipt = try requireQuietly(KioskTest.receipt(in: signed))

                // The next person uses the browser's Back button and sends the old page's form.
                let other = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                     body: KioskTest.form(Self.second.merging(["form": token]) { $1 })) { $0 }
                let otherPage = KioskTest.text(other)
                expectQuietly(other.status == .conflict)
                let leaksReceipt = otherPage.contains(receipt)
                expectQuietly(!leaksReceipt, "another submission got the first signer's receipt code")
                expectQuietly(KioskTest.receipt(in: otherPage) == nil)
                let keepsName = KioskTest.value(of: "name", in: otherPage) == Self.second["name"]
                let keepsEmail = KioskTest.value(of: "email", in: otherPage) == Self.second["email"]
                expectQuietly(keepsName && keepsEmail, "the form does not keep what the second person typed")
                let showsFirst = otherPage.contains("Kari") || otherPage.contains("kari@")
                expectQuietly(!showsFirst, "the page shows the first signer's details")
                expectQuietly(otherPage.contains("This form was already sent"))
                let fresh = try requireQuietly(KioskTest.token(in: otherPage))
                #expect(fresh != token)
                #expect(try KioskTest.recorded(node) == 1)

                // With the fresh token the second person signs and gets a receipt of their own.
                let again = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                     body: KioskTest.form(Self.second.merging(["form": fresh]) { $1 })) { KioskTest.text($0) }
                let second = try requireQuietly(KioskTest.receipt(in: again))
                #expect(second != receipt)
                #expect(try KioskTest.recorded(node) == 2)
            }
        }
    }

    @Test("a used token with one field changed (the comment, the consent box) gets no receipt either")
    func oneFieldChanged() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=nb", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                var fields = Self.first.merging(["form": token]) { $1 }
                let signed = try await client.execute(uri: "/c/c1/sign?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                      body: KioskTest.form(fields)) { KioskTest.text($0) }
                let receipt = try requireQuietly(KioskTest.receipt(in: signed))
                for change in [["consent": "yes"], ["display_name": "K", "comment": "Hei"], ["email": "KARI@example.org"]] {
                    fields = Self.first.merging(["form": token]) { $1 }.merging(change) { $1 }
                    let response = try await client.execute(uri: "/c/c1/sign?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                            body: KioskTest.form(fields)) { $0 }
                    let leaks = KioskTest.text(response).contains(receipt)
                    expectQuietly(response.status == .conflict && !leaks, "changed \(change.keys.sorted())")
                    expectQuietly(KioskTest.text(response).contains("Skjemaet er allerede sendt"))
                }
                #expect(try KioskTest.recorded(node) == 1)
            }
        }
    }

    @Test("the same submission twice (a double click) signs once and both answers carry the one receipt")
    func sameSubmissionTwice() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                let body = Self.first.merging(["form": token, "display_name": "Kari", "comment": "Free them"]) { $1 }
                // Both at once, as a double click sends them.
                async let one = client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                               body: KioskTest.form(body)) { ($0.status, KioskTest.text($0)) }
                async let two = client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                               body: KioskTest.form(body)) { ($0.status, KioskTest.text($0)) }
                let (first, second) = try await (one, two)
                #expect(first.0 == .ok && second.0 == .ok)
                let receipts = [KioskTest.receipt(in: first.1), KioskTest.receipt(in: second.1)]
                #expect(receipts[0] != nil && receipts[0] == receipts[1])
                #expect(try KioskTest.recorded(node) == 1)
                try expectQuietly(try node.store.comments(campaign: "c1").count == 1)
                // And once more: the same receipt within the double-click window, else none
                // (backAndReloadAtAStall pins the window with a clock); never a second signature.
                let third = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                     body: KioskTest.form(body)) { KioskTest.text($0) }
                expectQuietly(KioskTest.receipt(in: third) == receipts[0] || third.contains("shown only once"))
                #expect(try KioskTest.recorded(node) == 1)
            }
        }
    }

    @Test("FormTokens binds a used token to its submission's digest")
    func tokensBindSubmission() {
        let tokens = FormTokens()
        let token = tokens.issue()
        let mine = tokens.submissionDigest(of: [("name", "A"), ("email", "a@example.org")])
        let same = tokens.submissionDigest(of: [("email", "a@example.org"), ("name", "A")])
        let other = tokens.submissionDigest(of: [("name", "B"), ("email", "a@example.org")])
        // Field boundaries are part of the digest: "ab"+"c" is not "a"+"bc".
        let shifted = tokens.submissionDigest(of: [("name", "A"), ("email=", "a@example.org")])
        #expect(mine == same && mine != other && mine != shifted)
        #expect(tokens.claim(token, submission: mine) == .fresh)
        #expect(tokens.claim(token, submission: mine) == .pending)
        #expect(tokens.claim(token, submission: other) == .otherSubmission)
        tokens.finish(token, result: "R")
        #expect(tokens.claim(token, submission: mine) == .used("R"))
        #expect(tokens.claim(token, submission: other) == .otherSubmission)
        #expect(tokens.claim("1.00.00", submission: mine) == .invalid)
        // Another process's key does not make the same digest.
        #expect(FormTokens().submissionDigest(of: [("name", "A"), ("email", "a@example.org")]) != mine)
    }

    /// A clock the test moves by hand.
    final class HandClock: WallClock, @unchecked Sendable {
        private let lock = NSLock()
        private var millis: UInt64 = 1_800_000_000_000
        func nowMillis() -> UInt64 { lock.withLock { millis } }
        func advance(_ delta: UInt64) { lock.withLock { millis += delta } }
    }

    @Test("a form resent from the browser's history after the double-click window gets no receipt: the next person at a stall cannot see it")
    func historyResendGetsNoReceipt() {
        let clock = HandClock()
        let tokens = FormTokens(clock: clock)
        let token = tokens.issue()
        let mine = tokens.submissionDigest(of: [("name", "A"), ("email", "a@example.org")])
        #expect(tokens.claim(token, submission: mine) == .fresh)
        tokens.finish(token, result: "RECEIPT")
        clock.advance(FormTokens.repeatWindow)
        #expect(tokens.claim(token, submission: mine) == .used("RECEIPT"))  // a double click, at once
        clock.advance(1)
        #expect(tokens.claim(token, submission: mine) == .answeredBefore)  // Back, then Reload
        clock.advance(20_000)
        #expect(tokens.claim(token, submission: mine) == .answeredBefore)
    }

    @Test("at a stall: Back and Reload after the signer left resend their form, and the next person sees no receipt, and nothing is signed twice")
    func backAndReloadAtAStall() async throws {
        let clock = HandClock()
        try await KioskTest.withNode { node in
            let kiosk = KioskController<LedgerRequestContext>(node: node, kioskCampaign: "c1", tokens: FormTokens(clock: clock))
            try await KioskTest.app(kiosk).test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=en", method: .get) { KioskTest.text($0) }
                let token = try requireQuietly(KioskTest.token(in: page))
                let body = Self.first.merging(["form": token]) { $1 }
                let signed = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                      body: KioskTest.form(body)) { KioskTest.text($0) }
                let receipt = try requireQuietly(KioskTest.receipt(in: signed))
                clock.advance(FormTokens.repeatWindow + 15_000)  // the signer has gone; the next person presses Back, Reload
                let (status, resent) = try await client.execute(uri: "/c/c1/sign?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                                body: KioskTest.form(body)) { ($0.status, KioskTest.text($0)) }
                #expect(status == .conflict)
                expectQuietly(!resent.contains(receipt) && !resent.contains(receipt.replacingOccurrences(of: "-", with: "")))
                expectQuietly(resent.contains("shown only once"))
                #expect(try KioskTest.recorded(node) == 1)
            }
        }
    }
}
