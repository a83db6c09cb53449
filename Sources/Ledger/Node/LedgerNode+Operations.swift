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
        guard campaign.isOpen else { throw NodeError.campaignClosed(id) }
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
        try requireWriter()
        let campaign = try openCampaign(id)
        let details = try signer.validated()
        let ledger = try ledgerID
        let code = ReceiptCode()
        let sealed = try Sealing.seal(try details.sealedPlaintext(), to: try sealingPublicKey(), ledger: ledger)
        let body = SignatureRecorded(
            campaign: id, campaignVersion: campaign.version, channel: channel, paperList: paperList,
            country: details.country, postcodeArea: details.postcodeArea, consentContact: details.consentContact,
            signer: details.pseudonym(key: try pseudonymKey(), campaign: id).hex, receiptHash: code.hash(ledger: ledger).hex)
        let entry = try store.append(body, payload: sealed, signer: key)
        return SigningReceipt(entry: entry, code: code)
    }

    /// Posts a public comment under a display name.
    @discardableResult
    public func comment(campaign id: String, displayName: String, text: String, signature: Digest? = nil) throws -> Entry {
        try requireWriter()
        _ = try openCampaign(id)
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count) else { throw NodeError.invalidSigner(field: "display name", reason: "must be 1 to 80 characters") }
        guard (1...2000).contains(body.count) else { throw NodeError.invalidSigner(field: "comment", reason: "must be 1 to 2000 characters") }
        return try store.append(CommentPosted(campaign: id, displayName: name, text: body, signature: signature?.hex), signer: key)
    }

    /// Withdraws the signature a receipt code belongs to.
    @discardableResult
    public func withdraw(receipt: ReceiptCode) throws -> Entry {
        try requireWriter()
        let matches = try store.signatures(receiptHash: receipt.hash(ledger: try ledgerID).bytes)
        guard let signature = matches.first else { throw NodeError.unknownReceipt }
        guard signature.state != "withdrawn" else { throw NodeError.alreadyWithdrawn(signature: signature.id.short) }
        return try store.append(SignatureWithdrawn(signature: signature.id.hex, receipt: receipt.symbols, reason: nil), signer: key)
    }
}

import Foundation
