import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Ledger

/// The kiosk: server-rendered pages where people read a campaign and sign it, with no
/// JavaScript, fonts or anything from outside (docs/KIOSK.md).
struct KioskController<Context: RequestContext>: Sendable {
    let node: LedgerNode
    /// `ledgerd --kiosk CAMPAIGN`: the front page is that campaign, and the thank-you page returns
    /// to an empty form after ``returnAfter`` seconds.
    let kioskCampaign: String?
    let tokens: FormTokens
    let limiter: RateLimiter
    let returnAfter: Int

    init(node: LedgerNode, kioskCampaign: String?, tokens: FormTokens = FormTokens(), limiter: RateLimiter = RateLimiter(), returnAfter: Int = 20) {
        self.node = node
        self.kioskCampaign = kioskCampaign
        self.tokens = tokens
        self.limiter = limiter
        self.returnAfter = returnAfter
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("/", use: index)
        routes.get("/kiosk.css", use: stylesheet)
        routes.get("/c/:id", use: show)
        routes.post("/c/:id/sign", use: sign)
        routes.get("/withdraw", use: withdrawForm)
        routes.post("/withdraw", use: withdraw)
        return routes
    }

    // MARK: - Handlers

    @Sendable func index(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        if let kioskCampaign {
            return Self.redirect("/c/\(kioskCampaign)?lang=\(language.rawValue)")
        }
        let pairs = try await blocking { () -> [(CampaignSummary, CampaignView)] in
            try node.store.campaigns().filter(\.isOpen).compactMap { summary in
                try view(summary.campaign).map { (summary, $0) }
            }
        }
        return Self.html(KioskPages.list(pairs, language: language))
    }

    @Sendable func stylesheet(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: KioskStyle.css)))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        let id = context.parameters.get("id") ?? ""
        guard let view = try await blocking({ try view(id) }) else {
            return Self.html(KioskPages.message(.unknownCampaign, language: language), status: .notFound)
        }
        return Self.html(KioskPages.campaign(view, language: language, form: SignForm(), errors: [], token: tokens.issue(), kiosk: kioskCampaign != nil))
    }

    @Sendable func sign(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        let id = context.parameters.get("id") ?? ""
        guard Self.sameOrigin(request) else { return Self.html(KioskPages.message(.expiredForm, language: language), status: .forbidden) }
        var request = request
        let form: SignForm = SignForm(fields: FormBody.parse(String(buffer: try await request.body.collect(upTo: 64 * 1024))))
        guard let view = try await blocking({ try view(id) }) else {
            return Self.html(KioskPages.message(.unknownCampaign, language: language), status: .notFound)
        }
        switch tokens.claim(form.token) {
        case .invalid:
            // Show the form again, with what was typed, and a fresh token.
            return Self.html(KioskPages.campaign(view, language: language, form: form, errors: [("form", .expiredForm)], token: tokens.issue(), kiosk: kioskCampaign != nil), status: .badRequest)
        case .used(let receipt):
            // A double click: the first submission signed; show its receipt again.
            guard !receipt.isEmpty else { return Self.html(KioskPages.message(.tooMany, language: language), status: .conflict) }
            return Self.html(KioskPages.thanks(campaign: id, title: view.text(for: language)?.0.title ?? id, receipt: receipt, language: language, returnAfter: kioskCampaign == nil ? nil : returnAfter))
        case .fresh:
            break
        }
        guard view.summary.isOpen else {
            tokens.release(form.token)
            return Self.html(KioskPages.campaign(view, language: language, form: SignForm(), errors: [], token: tokens.issue(), kiosk: kioskCampaign != nil), status: .conflict)
        }
        let (details, errors) = form.validate()
        guard let details else {
            tokens.release(form.token)
            return Self.html(KioskPages.campaign(view, language: language, form: form, errors: errors, token: form.token, kiosk: kioskCampaign != nil), status: .unprocessableContent)
        }
        guard limiter.allow(client: Self.client(context)) else {
            tokens.release(form.token)
            return Self.html(KioskPages.message(.tooMany, language: language, back: "/c/\(id)"), status: .tooManyRequests)
        }
        let comment = form.comment.trimmingCharacters(in: .whitespacesAndNewlines)
        let receipt = try await blocking { () -> ReceiptCode in
            let receipt = try node.sign(campaign: id, signer: details, channel: .kiosk)
            if !comment.isEmpty {
                try node.comment(campaign: id, displayName: form.displayName, text: comment, signature: receipt.entry.id)
            }
            return receipt.code
        }
        tokens.finish(form.token, result: receipt.description)
        return Self.html(KioskPages.thanks(campaign: id, title: view.text(for: language)?.0.title ?? id, receipt: receipt.description, language: language, returnAfter: kioskCampaign == nil ? nil : returnAfter))
    }

    @Sendable func withdrawForm(_ request: Request, context: Context) async throws -> Response {
        Self.html(KioskPages.withdraw(language: Self.language(request), code: "", error: nil, token: tokens.issue()))
    }

    @Sendable func withdraw(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        guard Self.sameOrigin(request) else { return Self.html(KioskPages.message(.expiredForm, language: language), status: .forbidden) }
        var request = request
        let fields = FormBody.parse(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
        let typed = fields["receipt"] ?? ""
        let token = fields["form"] ?? ""
        guard tokens.check(token) != .invalid else {
            return Self.html(KioskPages.withdraw(language: language, code: typed, error: nil, token: tokens.issue()), status: .badRequest)
        }
        guard let code = ReceiptCode(parsing: typed) else {
            return Self.html(KioskPages.withdraw(language: language, code: typed, error: .errReceipt, token: token), status: .unprocessableContent)
        }
        guard limiter.allow(client: Self.client(context)) else {
            return Self.html(KioskPages.message(.tooMany, language: language, back: "/withdraw"), status: .tooManyRequests)
        }
        do {
            try await blocking { _ = try node.withdraw(receipt: code) }
        } catch NodeError.unknownReceipt {
            return Self.html(KioskPages.withdraw(language: language, code: typed, error: .errUnknownReceipt, token: token), status: .unprocessableContent)
        } catch NodeError.alreadyWithdrawn {
            return Self.html(KioskPages.withdraw(language: language, code: typed, error: .errAlreadyWithdrawn, token: token), status: .unprocessableContent)
        }
        tokens.complete(token, result: "withdrawn")
        return Self.html(KioskPages.withdrawn(language: language))
    }

    // MARK: - Helpers

    /// The campaign page's data, or nil for an unknown campaign.
    func view(_ id: String) throws -> CampaignView? {
        guard let summary = try node.store.campaign(id), let version = try node.store.campaignVersions(id).last else { return nil }
        let counted = try node.store.signatureCounts(campaign: id)["counted", default: 0]
        return CampaignView(summary: summary, version: version, counted: counted, comments: try node.store.comments(campaign: id, limit: 10))
    }

    static func language(_ request: Request) -> KioskLanguage {
        KioskLanguage.choose(query: request.uri.queryParameters.get("lang"), acceptLanguage: request.headers[.acceptLanguage])
    }

    static func client(_ context: Context) -> String {
        (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? "unknown"
    }

    /// A POST whose Origin header names another site is refused (CSRF defence in depth).
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    static var securityHeaders: HTTPFields { [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        .contentSecurityPolicy: "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
    ] }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on the
        // form's own POST, which the same-origin check must refuse.
        headers[HTTPField.Name("Referrer-Policy") ?? .cacheControl] = "same-origin"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// Runs blocking store work off the cooperative thread pool.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
