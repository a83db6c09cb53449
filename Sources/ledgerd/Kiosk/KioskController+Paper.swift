import Foundation
import HTTPTypes
import Hummingbird
import Ledger

/// Paper lists at the kiosk (docs/KIOSK.md, "Paper lists"): the lists HQ issued to this node
/// (at HQ: its own), not yet back, each as a printable page. Nothing here writes to the ledger;
/// lists are issued with `ledgerctl paper print`.
extension KioskController {
    /// The issued lists of `campaign` this node offers: those issued to its key, or at HQ's root
    /// node those issued to no device; not yet back.
    func offeredPaperLists(campaign: String) throws -> [IssuedPaperList] {
        let holder: String? = node.key.publicKey == node.store.hqKey ? nil : node.key.publicKey.hex
        return try node.store.paperLists(campaign: campaign).filter { $0.device == holder && !$0.returned }
    }

    @Sendable func paperIndex(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        let offered = try await Blocking.run { () -> [(title: String, campaign: String, lists: [IssuedPaperList])] in
            try node.store.campaigns().filter { $0.isOpen(at: SystemClock().nowMillis()) }.compactMap { summary in
                guard let view = try view(summary.campaign), let (text, _) = view.text(for: language) else { return nil }
                return (text.title, summary.campaign, try offeredPaperLists(campaign: summary.campaign))
            }
        }
        return Self.html(KioskPages.paper(offered, language: language))
    }

    @Sendable func paperList(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        let campaign = context.parameters.get("campaign") ?? ""
        guard let number = context.parameters.get("list").flatMap(Int64.init) else {
            return Self.html(KioskPages.notFound(language: language), status: .notFound)
        }
        let document = try await Blocking.run { () -> String? in
            guard let view = try view(campaign), view.summary.isOpen(at: SystemClock().nowMillis()),
                  let list = try offeredPaperLists(campaign: campaign).first(where: { $0.list == number }) else { return nil }
            // The campaign's text in the interface language when it has one, else its first.
            let chosen = view.text(for: language)?.1
            return try node.paperListDocument(campaign: campaign, lists: [list], language: chosen).html(stylesheet: "/paper.css")
        }
        guard let document else { return Self.html(KioskPages.notFound(language: language), status: .notFound) }
        return Self.html(document)
    }

    @Sendable func paperStylesheet(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: PaperListDocument.css)))
    }
}
