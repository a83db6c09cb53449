import Foundation

/// What importing a paper list did.
public struct PaperImportReport: Codable, Sendable, Equatable {
    public var recorded = 0
    /// Rows already recorded by an earlier import of the same list.
    public var alreadyRecorded = 0
    /// Bad rows skipped (with `--skip-invalid`).
    public var skipped: [PaperList.Problem] = []
    /// The campaign's issued lists that no row has come back from yet, by number.
    public var notReturned: [Int64] = []
}

extension LedgerNode {
    /// Publishes a new version of a campaign's texts (HQ only).
    @discardableResult
    public func update(_ campaign: CampaignPublished) throws -> Entry {
        guard role == .hq else { throw NodeError.notHQ(operation: "update campaigns") }
        guard let current = try store.campaign(campaign.campaign) else { throw NodeError.unknownCampaign(campaign.campaign) }
        guard current.isOpen else { throw NodeError.campaignClosed(campaign.campaign) }
        return try store.append(CampaignUpdated(
            campaign: campaign.campaign, languages: campaign.languages, texts: campaign.texts,
            goal: campaign.goal, deadline: campaign.deadline, retentionDays: campaign.retentionDays, link: campaign.link), signer: key)
    }

    /// Hides a comment from the public list (HQ only); it stays in the log.
    @discardableResult
    public func hideComment(_ id: Digest, reason: String) throws -> Entry {
        guard role == .hq else { throw NodeError.notHQ(operation: "hide comments") }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw NodeError.invalidSigner(field: "reason", reason: "is required when hiding a comment") }
        guard try store.commentExists(id) else { throw NodeError.unknownComment(id.short) }
        return try store.append(CommentHidden(comment: id.hex, reason: reason), signer: key)
    }

    /// Withdraws a signature by id on a verified request (HQ only).
    @discardableResult
    public func withdraw(signature id: Digest, reason: String) throws -> Entry {
        guard role == .hq else { throw NodeError.notHQ(operation: "withdraw a signature without its receipt code") }
        guard let signature = try store.signature(id: id) else { throw NodeError.unknownSignature(id.short) }
        guard signature.state != "withdrawn" else { throw NodeError.alreadyWithdrawn(signature: id.short) }
        return try store.append(SignatureWithdrawn(signature: id.hex, receipt: nil, reason: reason), signer: key)
    }

    /// Records a paper list's rows as signatures with channel `paper`, in one transaction.
    ///
    /// The list must have been issued (`paper.issued`, docs/PAPER.md) and `check` must be its check
    /// code, else nothing is recorded. Rows already recorded (same campaign, list and row number)
    /// are skipped, so importing the same list twice adds nothing. A row past the rows printed on
    /// the list is a bad row. With bad rows the whole list is refused unless `skipInvalid`.
    /// `progress` hears "sealing rows" (row by row) and "storing entries" (before and after).
    public func importPaper(_ list: PaperList, campaign id: String, listNumber: Int64, check: String, skipInvalid: Bool,
                            progress: (WorkProgress) -> Void = { _ in }) throws -> PaperImportReport {
        if role == .observer { throw NodeError.readOnlyNode }
        guard BodyRules.paperProblem(channel: .paper, paperList: listNumber, paperRow: nil) == nil else {
            throw NodeError.invalidSigner(field: "list", reason: "the list number must be 1 or more")
        }
        guard let campaign = try store.campaign(id) else { throw NodeError.unknownCampaign(id) }
        guard campaign.isOpen(at: store.wallClock.nowMillis()) else { throw NodeError.campaignClosed(id) }
        let issued = try issuedPaperList(campaign: id, number: listNumber, check: check)
        var list = list
        let past = list.rows.filter { $0.number > issued.rows }
        if !past.isEmpty {
            list.rows.removeAll { $0.number > issued.rows }
            list.problems += past.map { PaperList.Problem(line: $0.line, reason: "row \($0.number) is past the \(issued.rows) rows printed on list \(listNumber)") }
            list.problems.sort { $0.line < $1.line }
        }
        if !list.problems.isEmpty && !skipInvalid { throw PaperListError.badRows(list.problems) }
        var report = PaperImportReport(skipped: list.problems)
        let done = try store.paperRows(campaign: id, list: listNumber)
        let ledger = try ledgerID
        let sealing = try sealingPublicKey()
        let pseudonym = try heldPseudonymKey()
        var items: [Appendable] = []
        for (index, row) in list.rows.enumerated() {
            WorkProgress.report(progress, "sealing rows", index + 1, of: list.rows.count, every: 100)
            if done.contains(row.number) {
                report.alreadyRecorded += 1
                continue
            }
            let sealed = try Sealing.seal(try row.signer.sealedPlaintext(), to: sealing, ledger: ledger)
            var body = SignatureRecorded(
                campaign: id, campaignVersion: campaign.version, channel: .paper, paperList: listNumber,
                country: row.signer.country, postcodeArea: row.signer.postcodeArea, consentContact: row.signer.consentContact,
                signer: pseudonym.map { row.signer.pseudonym(key: $0, campaign: id).hex },
                receiptHash: ReceiptCode().hash(ledger: ledger).hex)
            body.paperRow = row.number
            items.append(try Appendable(body, payload: sealed))
        }
        if !items.isEmpty {
            progress(WorkProgress(phase: "storing entries", done: 0, total: items.count))
            _ = try store.appendBatch(items, signer: key)
            progress(WorkProgress(phase: "storing entries", done: items.count, total: items.count))
        }
        report.recorded = items.count
        report.notReturned = try store.paperLists(campaign: id).filter { !$0.returned }.map(\.list)
        return report
    }
}
