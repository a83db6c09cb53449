import Foundation
import HTTPTypes
import Hummingbird
import Ledger

extension KioskController {
    /// `POST /c/ID/sign`. Every refusal shows the form again with what was typed (escaped) and
    /// says what happened; only the submission that used a token ever sees its receipt.
    @Sendable func sign(_ request: Request, context: Context) async throws -> Response {
        let language = Self.language(request)
        let id = context.parameters.get("id") ?? ""
        guard Self.sameOrigin(request) else { return Self.html(KioskPages.message(.crossSite, language: language), status: .forbidden) }
        let form = SignForm(try await Self.fields(request, limit: 64 * 1024))
        guard let view = try await Blocking.run({ try view(id) }) else {
            return Self.html(KioskPages.message(.unknownCampaign, language: language), status: .notFound)
        }
        let kiosk = kioskCampaign != nil
        func again(_ status: HTTPResponse.Status, errors: [(String, KioskText)] = [], notice: KioskText? = nil,
                   token: String? = nil, retryAfter: Int? = nil) -> Response {
            Self.html(KioskPages.campaign(view, language: language, form: form, errors: errors, notice: notice,
                                          token: token ?? tokens.issue(), kiosk: kiosk, returnAfter: returnAfter), status: status, retryAfter: retryAfter)
        }
        func thanks(_ receipt: String) -> Response {
            Self.html(KioskPages.thanks(campaign: id, title: view.text(for: language)?.0.title ?? id, receipt: receipt,
                                        language: language, returnAfter: kiosk ? returnAfter : nil, keep: form.keep))
        }

        let submission = tokens.submissionDigest(of: [("campaign", id)] + form.submission)
        switch try await claim(form.token, submission: submission) {
        case .invalid:
            return again(.badRequest, notice: .expiredForm)
        case .otherSubmission:
            // Someone sent a used form again with other details (the Back button at a stall):
            // nothing of the first submission is theirs.
            return again(.conflict, notice: .formAlreadySent)
        case .pending:
            return Self.html(KioskPages.message(.stillRecording, language: language, back: "/c/\(id)?lang=\(language.rawValue)"),
                             status: .serviceUnavailable, retryAfter: 2)
        case .used(let receipt):
            // A double click: the same submission signed; its receipt again.
            return thanks(receipt)
        case .answeredBefore:
            // The same form resent from the browser's history (Back, then Reload, maybe by the
            // next person at the stall): recorded once already; its receipt code is shown once.
            return Self.html(KioskPages.message(.alreadyRecorded, language: language, back: "/c/\(id)?lang=\(language.rawValue)"),
                             status: .conflict)
        case .fresh:
            break
        }
        guard view.summary.isOpen(at: SystemClock().nowMillis()) else {
            tokens.release(form.token)
            return again(.conflict, notice: .closedWhileTyping)
        }
        let (details, note, errors) = form.validate()
        guard let details else {
            tokens.release(form.token)
            return again(.unprocessableContent, errors: errors, token: form.token)
        }
        if case .wait(let seconds) = signLimiter.take(client: Self.client(context)) {
            tokens.release(form.token)
            return again(.tooManyRequests, notice: .tooManySignatures(wait: seconds), retryAfter: seconds)
        }
        let receipt: String
        do {
            receipt = try await Blocking.run {
                try node.sign(campaign: id, signer: details, comment: note, channel: .kiosk).code.description
            }
        } catch NodeError.campaignClosed {
            tokens.release(form.token)
            return again(.conflict, notice: .closedWhileTyping)
        } catch StoreError.forkedLog {
            // This laptop's data folder was copied and both copies wrote: it records nothing more
            // under its key (docs/FORMAT.md section 8, "Forks"); what was typed stays on screen.
            tokens.release(form.token)
            return again(.serviceUnavailable, notice: .laptopForked)
        } catch StoreError.catchingUp {
            tokens.release(form.token)
            return again(.serviceUnavailable, notice: .laptopCatchingUp)
        } catch where error.isWriterBusy {
            // Another process (a long import or rebuild) held the store for GroupCommit.busyWait.
            tokens.release(form.token)
            context.logger.warning("Kiosk: the store was busy with another program; nothing was stored, the signer is asked to try again")
            return again(.serviceUnavailable, notice: .laptopBusy, retryAfter: Self.busyRetryAfter)
        } catch {
            // The signature and its comment are one append: nothing was stored.
            tokens.release(form.token)
            context.logger.error("Kiosk: recording a signature failed, nothing was stored: \(Self.describe(error))")
            return again(.internalServerError, notice: .recordFailed)
        }
        tokens.finish(form.token, result: receipt)
        return thanks(receipt)
    }

    /// Claims a form token; while the same submission is being worked on (a double click whose
    /// first request is still signing), waits for it, up to 10 seconds.
    func claim(_ token: String, submission: [UInt8]) async throws -> FormTokens.Claim {
        var outcome = tokens.claim(token, submission: submission)
        for _ in 0..<200 where outcome == .pending {
            try await Task.sleep(for: .milliseconds(50))
            outcome = tokens.claim(token, submission: submission)
        }
        return outcome
    }

    /// An error for the log: the library's errors name entries and fields, never a signer's values.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NodeError: return error.description
        case let error as StoreError: return error.description
        case let error as FormatError: return error.description
        default: return String(describing: type(of: error))
        }
    }
}
