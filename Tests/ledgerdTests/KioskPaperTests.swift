import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Paper lists and share texts at the kiosk (docs/KIOSK.md, docs/PAPER.md "At the kiosk").
@Suite("Kiosk: paper lists and share texts")
struct KioskPaperTests {
    @Test("HQ's kiosk offers its own lists not yet back, each printable with its check code; others' lists and unknown numbers are 404")
    func offeredLists() async throws {
        try await KioskTest.withNode { node in
            let laptop = SigningKey().publicKey
            try node.enrol(device: laptop, name: "Stall laptop 1", role: .field)
            let own = try node.issuePaperLists(campaign: "c1", count: 2, rows: 12)
            let theirs = try node.issuePaperLists(campaign: "c1", count: 1, rows: 12, device: laptop)
            #expect(own.map(\.list) == [1, 2])
            #expect(theirs.map(\.list) == [3])
            // List 2 comes back.
            let list = try PaperList(text: "name,postcode\nPaper Signer,0150\n")
            let check = try #require(own.last?.check)
            _ = try node.importPaper(list, campaign: "c1", listNumber: 2, check: check.lowercased(), skipInvalid: false)

            try await KioskTest.app(node).test(.router) { client in
                try await client.execute(uri: "/c/c1", method: .get) { response in
                    #expect(KioskTest.text(response).contains("href=\"/paper?lang=en\""))
                }
                try await client.execute(uri: "/paper", method: .get) { response in
                    let page = KioskTest.text(response)
                    #expect(response.status == .ok)
                    #expect(page.contains("href=\"/paper/c1/1?lang=en\""))
                    #expect(!page.contains("/paper/c1/2"), "a list that came back is still offered")
                    #expect(!page.contains("/paper/c1/3"), "a laptop's list is offered at HQ")
                }
                try await client.execute(uri: "/paper/c1/1?lang=nb", method: .get) { response in
                    let page = KioskTest.text(response)
                    #expect(response.status == .ok)
                    #expect(page.contains("Liste 1 · kontrollkode \(own[0].check)"))
                    #expect(page.contains("<link rel=\"stylesheet\" href=\"/paper.css\">"))
                    #expect(!page.contains("<style>"), "an inline style the kiosk's CSP would block")
                    #expect(page.contains("<td>12</td>") && !page.contains("<td>13</td>"), "not the 12 rows issued")
                    expectQuietly(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                }
                for uri in ["/paper/c1/2", "/paper/c1/3", "/paper/c1/99", "/paper/c1/x", "/paper/nope/1", "/paper/c1/-1"] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .notFound, "\(uri)")
                    }
                }
                try await client.execute(uri: "/paper.css", method: .get) { response in
                    #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                    #expect(KioskTest.text(response).contains("@page"))
                }
            }
        }
    }

    @Test("a campaign without lists offered has no paper link; /paper says none were issued here")
    func noLists() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node).test(.router) { client in
                try await client.execute(uri: "/c/c1", method: .get) { response in
                    #expect(!KioskTest.text(response).contains("/paper"))
                }
                try await client.execute(uri: "/paper?lang=en", method: .get) { response in
                    #expect(KioskTest.text(response).contains("No paper lists have been issued to this device"))
                }
            }
        }
    }

    @Test("share texts show with the campaign's link, escaped, in the page's language")
    func shareTexts() async throws {
        try await KioskTest.withNode { node in
            var campaign = try #require(try node.store.campaignVersions("c1").last).body
            campaign.link = "https://example.org/c1?a=1&b=\"2\""
            campaign.texts["en"]?.share = ["Sign <now> & share"]
            campaign.texts["nb"]?.share = ["Skriv under"]
            try node.update(campaign)
            try await KioskTest.app(node).test(.router) { client in
                try await client.execute(uri: "/c/c1?lang=en", method: .get) { response in
                    let page = KioskTest.text(response)
                    #expect(page.contains("<h2>Share this campaign</h2>"))
                    #expect(page.contains("Sign &lt;now&gt; &amp; share <a href=\"https://example.org/c1?a=1&amp;b=&quot;2&quot;\">"))
                    #expect(!page.contains("Skriv under"))
                }
                try await client.execute(uri: "/c/c1?lang=nb", method: .get) { response in
                    let page = KioskTest.text(response)
                    #expect(page.contains("<h2>Del kampanjen</h2>") && page.contains("Skriv under"))
                }
            }
        }
    }
}
