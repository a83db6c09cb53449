/// What `sign` hands back: the entry and the receipt code for the signer.
public struct SigningReceipt: Sendable {
    public let entry: Entry
    public let code: ReceiptCode
}

extension LedgerNode {
    private func requireWriter() throws {
        if role == .observer { throw NodeError.readOnlyNode }
    }

    private func requireHQ(_ operation: String) throws {
        guard role == .hq else { throw NodeError.notHQ(operation: operation) }
    }

    private func openCampaign(_ id: String) throws -> CampaignSummary {
        guard let campaign = try store.campaign(id) else { throw NodeError.unknownCampaign(id) }
        guard campaign.isOpen(at: store.wallClock.nowMillis()) else { throw NodeError.campaignClosed(id) }
        return campaign
    }

    /// Publishes a campaign (HQ only). Fails if a campaign with the same id exists.
    @discardableResult
    public func publish(_ campaign: CampaignPublished) throws -> Entry {
        try requireHQ("publish campaigns")
        if try store.campaign(campaign.campaign) != nil { throw NodeError.campaignExists(campaign.campaign) }
        return try store.append(campaign, signer: key)
    }

    /// Closes a campaign (HQ only): "the action is over".
    @discardableResult
    public func close(campaign id: String, reason: String? = nil) throws -> Entry {
        try requireHQ("close campaigns")
        _ = try openCampaign(id)
        return try store.append(CampaignClosed(campaign: id, reason: reason), signer: key)
    }

    /// Records a signature: seals the personal data to HQ, stores only its digest, coarse public
    /// facts and a pseudonym, and returns the signer's receipt code.
    public func sign(campaign id: String, signer: SignerDetails, channel: Channel = .manual, paperList: Int64? = nil) throws -> SigningReceipt {
        try sign(campaign: id, signer: signer, comment: nil, channel: channel, paperList: paperList)
    }

    /// Records a signature and, when given, the comment the signer left with it, in one append:
    /// both are stored or neither. Every rule (the signer's fields, the comment's, the campaign
    /// being open, the entries' size) is checked before anything is written.
    ///
    /// The comment is the next entry of the same log and names the signature (its `signature`
    /// field), so withdrawing the signature also hides the comment (docs/READMODELS.md).
    ///
    /// For example:
    /// ```swift
    /// let receipt = try node.sign(campaign: "free-the-press", signer: details,
    ///                             comment: SignerComment(displayName: "Kari", text: "Free them!"), channel: .kiosk)
    /// ```
    public func sign(campaign id: String, signer: SignerDetails, comment: SignerComment?, channel: Channel = .manual, paperList: Int64? = nil) throws -> SigningReceipt {
        try requireWriter()
        let campaign = try openCampaign(id)
        let details = try signer.validated()
        let note = try comment?.validated()
        let ledger = try ledgerID
        let code = ReceiptCode()
        let sealed = try Sealing.seal(try details.sealedPlaintext(), to: try sealingPublicKey(), ledger: ledger)
        let body = SignatureRecorded(
            campaign: id, campaignVersion: campaign.version, channel: channel, paperList: paperList,
            country: details.country, postcodeArea: details.postcodeArea, consentContact: details.consentContact,
            signer: try heldPseudonymKey().map { details.pseudonym(key: $0, campaign: id).hex }, receiptHash: code.hash(ledger: ledger).hex)
        var items = [try Appendable(body, payload: sealed)]
        if let note {
            items.append(try Appendable.comment(following: CommentPosted(campaign: id, displayName: note.displayName, text: note.text, signature: nil)))
        }
        if let large = items.first(where: { $0.body.count > Entry.maxBodySize }) {
            throw NodeError.invalidSigner(field: large.type == .commentPosted ? "comment" : "signature", reason: "makes an entry larger than \(Entry.maxBodySize) bytes")
        }
        // Signers who send at the same moment share one transaction and one fsync; each returns
        // once its own entries are durable.
        let entries = try groupCommit.append(items, signer: key, to: store)
        guard let entry = entries.first else { throw StoreError.notInitialised(path: store.path) }
        return SigningReceipt(entry: entry, code: code)
    }

    /// Posts a public comment under a display name (limits in bytes: ``SignerComment``).
    @discardableResult
    public func comment(campaign id: String, displayName: String, text: String, signature: Digest? = nil) throws -> Entry {
        try requireWriter()
        _ = try openCampaign(id)
        let note = try SignerComment(displayName: displayName, text: text).validated()
        return try store.append(CommentPosted(campaign: id, displayName: note.displayName, text: note.text, signature: signature?.hex), signer: key)
    }

    /// Withdraws the signature a receipt code belongs to. With `erase`, the signer also asks HQ
    /// to erase their personal data: HQ writes `payload.erased` when the withdrawal reaches it (at
    /// once when this node is HQ). Like a signing, it waits at most ``GroupCommit/busyWait`` for
    /// another process's write lock.
    @discardableResult
    public func withdraw(receipt: ReceiptCode, erase: Bool = false) throws -> Entry {
        try requireWriter()
        let matches = try store.signatures(receiptHash: receipt.hash(ledger: try ledgerID).bytes)
        guard let signature = matches.first else { throw NodeError.unknownReceipt }
        guard signature.state != "withdrawn" else {
            guard erase else { throw NodeError.alreadyWithdrawn(signature: signature.id.short) }
            // Withdrawn before: the signer now asks for erasure too.
            let entry = try store.append(SignatureWithdrawn(signature: signature.id.hex, receipt: receipt.symbols, reason: nil, erase: true), signer: key,
                                         busyWait: GroupCommit.busyWait)
            eraseDueAfterWithdrawal()
            return entry
        }
        let entry = try store.append(SignatureWithdrawn(signature: signature.id.hex, receipt: receipt.symbols, reason: nil, erase: erase ? true : nil), signer: key,
                                     busyWait: GroupCommit.busyWait)
        if erase { eraseDueAfterWithdrawal() }
        return entry
    }

    /// HQ's erasure pass right after a withdrawal that asks for erasure: best effort, because the
    /// withdrawal is recorded already and an error now would tell the signer it was not. A pass
    /// that fails (another process held the store's writer) leaves the erasure due, and HQ's next
    /// pass after arrivals writes it: ledgerd's every 5 minutes, or the next sync or import.
    private func eraseDueAfterWithdrawal() {
        _ = try? eraseDue()
    }
}

import Foundation
