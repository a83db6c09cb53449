import Foundation
import HTTPTypes
import Hummingbird
import Ledger

extension KioskController {
    /// `POST /withdraw`. Every refusal shows the form again with the code as typed; attempts,
    /// which test receipt codes, have a rate limit of their own, apart from signing.
    @Sendable func withdraw(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        guard Self.sameOrigin(request) else { return Self.html(KioskPages.message(.crossSite, language: language), status: .forbidden) }
        let fields = try await Self.fields(request, limit: 16 * 1024)
        let typed = fields.values["receipt"] ?? ""
        let token = fields.values["form"] ?? ""
        let erase = fields.values["erase"] == "yes"
        let keep = fields.values["keep"] == "yes"
        let kioskReturn = kioskCampaign == nil ? nil : returnAfter
        func again(_ status: HTTPResponse.Status, error: KioskText? = nil, notice: KioskText? = nil, token: String? = nil,
                   retryAfter: Int? = nil) -> Response {
            Self.html(KioskPages.withdraw(language: language, code: typed, error: error, notice: notice, token: token ?? tokens.issue(), erase: erase,
                                          returnAfter: kioskReturn, keep: keep),
                      status: status, retryAfter: retryAfter)
        }
        func withdrawn(_ campaign: String) -> Response {
            Self.html(KioskPages.withdrawn(language: language, campaign: campaign.isEmpty ? kioskCampaign : campaign,
                                           returnAfter: kioskReturn, erased: erase, keep: keep))
        }

        let code = fields.malformed.contains("receipt") ? nil : ReceiptCode(parsing: typed)
        switch try await claim(token, submission: tokens.submissionDigest(of: [("withdraw", code?.symbols ?? typed), ("erase", erase ? "yes" : "")])) {
        case .invalid:
            return again(.badRequest, notice: .expiredForm)
        case .otherSubmission:
            return again(.conflict, notice: .withdrawFormAlreadySent)
        case .pending:
            return again(.serviceUnavailable, notice: .stillWithdrawing, retryAfter: 2)
        case .used(let campaign):
            return withdrawn(campaign)
        case .answeredBefore:
            return withdrawn("")  // nothing secret on this page; nothing done again
        case .fresh:
            break
        }
        guard let code else {
            tokens.release(token)
            return again(.unprocessableContent, error: .errReceipt, token: token)
        }
        if case .wait(let seconds) = withdrawLimiter.take(client: Self.client(context)) {
            tokens.release(token)
            return again(.tooManyRequests, notice: .tooManyWithdrawals(wait: seconds), retryAfter: seconds)
        }
        let campaign: String
        do {
            campaign = try await Blocking.run {
                let entry = try node.withdraw(receipt: code, erase: erase)
                let signature = try entry.decodeBody(SignatureWithdrawn.self).signature
                return try Digest(hex: signature).flatMap { try node.store.signature(id: $0) }?.campaign ?? ""
            }
        } catch NodeError.unknownReceipt {
            // The code may be right and its signature recorded on a laptop that has not synced
            // with this node yet: say so rather than blame the code.
            tokens.release(token)
            return again(.unprocessableContent, error: node.role == .hq ? .errReceiptNotAtHQ : .errReceiptNotHere, token: token)
        } catch NodeError.alreadyWithdrawn {
            tokens.release(token)
            return again(.unprocessableContent, error: .errAlreadyWithdrawn, token: token)
        } catch where error.isWriterBusy {
            tokens.release(token)
            context.logger.warning("Kiosk: the store was busy with another program; the withdrawal was not stored, the signer is asked to try again")
            return again(.serviceUnavailable, notice: .laptopBusy, retryAfter: Self.busyRetryAfter)
        } catch {
            tokens.release(token)
            context.logger.error("Kiosk: recording a withdrawal failed, nothing was stored: \(Self.describe(error))")
            return again(.internalServerError, notice: .withdrawFailed)
        }
        tokens.finish(token, result: campaign)
        return withdrawn(campaign)
    }
}
