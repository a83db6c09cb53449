import Foundation
import HTTPTypes
import Hummingbird
import Ledger

/// "Check my signature" (docs/KIOSK.md): a receipt code gives its signature's state, and at HQ a
/// receipt proof to download (docs/FORMAT.md section 11). Every attempt tests a code, so it has
/// the withdrawal's rate limit, in a bucket of its own (a queue of signers checking their codes at
/// a stall never blocks a withdrawal); the code travels in POST bodies only, never in a URL.
extension KioskController {
    @Sendable func checkForm(_ request: Request, context: Context) async throws -> Response {
        Self.html(KioskPages.check(language: Self.language(request), code: "", error: nil))
    }

    /// `POST /check`: the state of the code's signature.
    @Sendable func check(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        let code: ReceiptCode, typed: String
        switch try await receiptAttempt(request, context: context, language: language) {
        case .refused(let response): return response
        case .code(let parsed, let text): (code, typed) = (parsed, text)
        }
        guard let status = try await Blocking.run({ try node.receiptStatus(code) }) else {
            return Self.html(KioskPages.check(language: language, code: typed, error: .errCheckUnknown), status: .unprocessableContent)
        }
        return Self.html(KioskPages.checked(status, code: code, language: language))
    }

    /// `POST /check/proof`: the receipt proof as a JSON download (HQ only).
    @Sendable func checkProof(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        let code: ReceiptCode, typed: String
        switch try await receiptAttempt(request, context: context, language: language) {
        case .refused(let response): return response
        case .code(let parsed, let text): (code, typed) = (parsed, text)
        }
        let proof: [UInt8]
        do {
            proof = try await Blocking.run { try node.receiptProof(for: code).encoded() }
        } catch NodeError.unknownReceipt {
            return Self.html(KioskPages.check(language: language, code: typed, error: .errCheckUnknown), status: .unprocessableContent)
        } catch NodeError.notHQ {
            return Self.html(KioskPages.message(.checkNoProofHere, language: language), status: .notFound)
        }
        var headers = Self.securityHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"receipt-proof.json\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: proof)))
    }

    /// What a check request brought: a well-formed code within the rate limit, or the answer
    /// that refuses it (cross-site, malformed, too many attempts), with the form again.
    enum ReceiptAttempt {
        case code(ReceiptCode, typed: String)
        case refused(Response)
    }

    /// The shared start of both check routes: same origin, the body's code, the rate limit.
    func receiptAttempt(_ request: Request, context: Context, language: KioskLanguage) async throws -> ReceiptAttempt {
        guard Self.sameOrigin(request) else { return .refused(Self.html(KioskPages.message(.crossSite, language: language), status: .forbidden)) }
        let fields = try await Self.fields(request, limit: 16 * 1024)
        let typed = fields.values["receipt"] ?? ""
        guard !fields.malformed.contains("receipt"), let code = ReceiptCode(parsing: typed) else {
            return .refused(Self.html(KioskPages.check(language: language, code: typed, error: .errReceipt), status: .unprocessableContent))
        }
        if case .wait(let seconds) = checkLimiter.take(client: Self.client(context)) {
            return .refused(Self.html(KioskPages.check(language: language, code: typed, error: nil, notice: .tooManyChecks(wait: seconds)),
                                      status: .tooManyRequests, retryAfter: seconds))
        }
        return .code(code, typed: typed)
    }
}

extension KioskPages {
    /// The check form: the code as typed, its error, and a notice.
    static func check(language: KioskLanguage, code: String, error: KioskText?, notice: KioskText? = nil) -> String {
        let t = language.text
        let errors = error.map { [("receipt", $0)] } ?? []
        let body = """
            <h1>\(t(.checkHeading))</h1>
            <p>\(t(.checkText))</p>
            <form id="check" method="post" action="/check?lang=\(language.rawValue)#errors" autocomplete="off">
            \(errorSummary(notice: notice, errors: errors, language: language))
            \(receiptInput(code: code, error: error, language: language))
            <button type="submit">\(t(.checkButton))</button>
            </form>
            """
        return HTML.page(title: t(.checkHeading), language: language, switchPath: "/check", skip: ("check", .skipToCheck), body: body)
    }

    /// The state of the signature, and the proof to download where this node can give one.
    static func checked(_ status: ReceiptStatus, code: ReceiptCode, language: KioskLanguage) -> String {
        let t = language.text
        var body = "<h1>\(t(.checkHeading))</h1><div role=\"status\">"
        switch status.shown {
        case .counted: body += "<p>\(t(.checkCounted))</p>"
        case .recorded: body += "<p>\(t(.checkRecorded))</p>"
        case .withdrawn: body += "<p>\(t(.checkWithdrawn))</p>"
        }
        if status.erased { body += "<p>\(t(.checkErased))</p>" }
        body += "</div>"
        if status.provable {
            body += """
                <p>\(t(.checkProof))</p>
                <form method="post" action="/check/proof?lang=\(language.rawValue)">
                <input type="hidden" name="receipt" value="\(HTML.escape(code.description))">
                <button type="submit">\(t(.checkProofButton))</button>
                </form>
                """
        } else {
            body += "<p class=\"note\">\(t(.checkNoProofHere))</p>"
        }
        body += "<p><a href=\"/c/\(HTML.escape(status.campaign))?lang=\(language.rawValue)\">\(t(.backToCampaign))</a></p>"
        return HTML.page(title: t(.checkHeading), language: language, switchPath: "/check", body: body)
    }
}
