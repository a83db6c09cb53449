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
    /// Signing, withdrawing and checking a receipt have buckets of their own (docs/KIOSK.md, "Rate limits").
    let signLimiter: RateLimiter
    let withdrawLimiter: RateLimiter
    let checkLimiter: RateLimiter
    let returnAfter: Int

    /// - Parameters:
    ///   - signLimiter: by default ``RateLimiter/Limits/stallSigning`` in kiosk mode, else
    ///     ``RateLimiter/Limits/publicSigning``.
    ///   - withdrawLimiter: by default ``RateLimiter/Limits/withdrawing``.
    ///   - checkLimiter: "Check my signature"; by default ``RateLimiter/Limits/withdrawing`` too (each
    ///     check tests a receipt code), in a bucket of its own.
    init(node: LedgerNode, kioskCampaign: String?, tokens: FormTokens = FormTokens(), signLimiter: RateLimiter? = nil,
         withdrawLimiter: RateLimiter? = nil, checkLimiter: RateLimiter? = nil, returnAfter: Int = 20) {
        self.node = node
        self.kioskCampaign = kioskCampaign
        self.tokens = tokens
        self.signLimiter = signLimiter ?? RateLimiter(limits: kioskCampaign == nil ? .publicSigning : .stallSigning)
        self.withdrawLimiter = withdrawLimiter ?? RateLimiter(limits: .withdrawing)
        self.checkLimiter = checkLimiter ?? RateLimiter(limits: .withdrawing)
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
        routes.get("/check", use: checkForm)
        routes.post("/check", use: check)
        routes.post("/check/proof", use: checkProof)
        routes.get("/paper", use: paperIndex)
        routes.get("/paper.css", use: paperStylesheet)
        routes.get("/paper/:campaign/:list", use: paperList)
        return routes
    }

    // MARK: - Pages

    @Sendable func index(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        if let kioskCampaign {
            return Self.redirect("/c/\(kioskCampaign)?lang=\(language.rawValue)")
        }
        let pairs = try await Blocking.run { () -> [(CampaignSummary, CampaignView)] in
            try node.store.campaigns().filter { $0.isOpen(at: SystemClock().nowMillis()) }.compactMap { summary in
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
        guard let view = try await Blocking.run({ try view(id) }) else {
            return Self.html(KioskPages.message(.unknownCampaign, language: language), status: .notFound)
        }
        // Say at once when this laptop cannot record signatures, before anyone types.
        let notice: KioskText? = try await Blocking.run { [node] in
            if try node.ownFork() != nil && node.key.publicKey != node.store.hqKey { return .laptopForked }
            if try node.store.setting("catch-up") != nil { return .laptopCatchingUp }
            return nil
        }
        return Self.html(KioskPages.campaign(view, language: language, notice: notice, token: tokens.issue(), kiosk: kioskCampaign != nil,
                                             returnAfter: returnAfter))
    }

    @Sendable func withdrawForm(_ request: Request, context: Context) async throws -> Response {
        Self.html(KioskPages.withdraw(language: Self.language(request), code: "", error: nil, token: tokens.issue(),
                                      returnAfter: kioskCampaign == nil ? nil : returnAfter))
    }

    // MARK: - Helpers

    /// The campaign page's data, or nil for an unknown campaign.
    ///
    /// The count shown is every signature recorded and not withdrawn, late or unauthorised,
    /// duplicates included: leaving a duplicate out would tell a stranger who typed someone's
    /// e-mail address that this person had signed. HQ's delivered count leaves them out.
    func view(_ id: String) throws -> CampaignView? {
        guard let summary = try node.store.campaign(id), let version = try node.store.campaignVersions(id).last else { return nil }
        let counts = try node.store.signatureCounts(campaign: id)
        let shown = counts["counted", default: 0] + counts["duplicate", default: 0] + counts["unchecked", default: 0]
        return CampaignView(summary: summary, version: version, counted: shown, comments: try node.store.comments(campaign: id, limit: 10),
                            paperLists: try offeredPaperLists(campaign: id).count)
    }

    /// The form body as fields, read within `limit` bytes.
    static func fields(_ request: Request, limit: Int) async throws -> FormFields {
        let buffer = try await request.body.collect(upTo: limit)
        return FormBody.parse(Array(buffer.readableBytesView))
    }

    static func language(_ request: Request) -> KioskLanguage {
        KioskLanguage.choose(query: request.uri.queryParameters.get("lang"), acceptLanguage: request.headers[.acceptLanguage])
    }

    /// Seconds a page tells the browser to wait (`Retry-After`) when the store was busy with
    /// another program.
    static var busyRetryAfter: Int { 10 }

    /// The client the rate limits key on: the address a trusted proxy forwarded, else the connection's.
    static func client(_ context: Context) -> String {
        (context as? any ClientAddressContext)?.clientAddress ?? (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? "unknown"
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

    static func html(_ page: String, status: HTTPResponse.Status = .ok, retryAfter: Int? = nil) -> Response {
        var headers = securityHeaders
        // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on the
        // form's own POST, which the same-origin check must refuse.
        headers[HTTPField.Name("Referrer-Policy") ?? .cacheControl] = "same-origin"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
