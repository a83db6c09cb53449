import Foundation

extension LedgerNode {
    /// Most lists issued by one call.
    public static let maxListsPerIssue = 1000

    /// Issues `count` numbered paper lists of an open campaign (HQ only): one `paper.issued` entry
    /// each, numbered after the highest list issued so far, skipping numbers that paper signatures
    /// or refused issues already carry (``LedgerStore/takenPaperLists(campaign:)``), in one transaction
    /// (docs/PAPER.md, "Issuing lists"). `device` names the enrolled device whose kiosk offers them.
    public func issuePaperLists(campaign id: String, count: Int, rows: Int64, device: PublicKey? = nil) throws -> [IssuedPaperList] {
        guard role == .hq else { throw NodeError.notHQ(operation: "issue paper lists") }
        guard (1...Self.maxListsPerIssue).contains(count) else {
            throw NodeError.invalidSigner(field: "lists", reason: "the number of lists must be 1 to \(Self.maxListsPerIssue)")
        }
        guard (1...PaperIssued.maxRows).contains(rows) else {
            throw NodeError.invalidSigner(field: "rows", reason: "the rows per list must be 1 to \(PaperIssued.maxRows)")
        }
        guard let campaign = try store.campaign(id) else { throw NodeError.unknownCampaign(id) }
        guard campaign.isOpen(at: store.wallClock.nowMillis()) else { throw NodeError.campaignClosed(id) }
        if let device {
            guard try store.devices().contains(where: { $0.device == device.hex && $0.revokedAfter == nil && $0.role != .observer }) else {
                throw NodeError.ambiguous("device \(device.short) is not enrolled to record signatures (or is revoked); see 'ledgerctl device list'")
            }
        }
        let (highest, taken) = try store.takenPaperLists(campaign: id)
        var numbers: [Int64] = []
        var candidate = highest
        while numbers.count < count {
            guard candidate < Int64.max else {
                throw NodeError.ambiguous("campaign \(id) has no list numbers left above \(highest) (a list or paper signature carries the largest number)")
            }
            candidate += 1
            if !taken.contains(candidate) { numbers.append(candidate) }
        }
        let bodies = numbers.map { PaperIssued(campaign: id, list: $0, rows: rows, device: device?.hex) }
        let entries = try store.appendBatch(try bodies.map { try Appendable($0) }, signer: key)
        return zip(bodies, entries).map { body, entry in
            IssuedPaperList(campaign: id, list: body.list, rows: body.rows, check: PaperCheckCode.of(issuance: entry.id), device: body.device,
                            issuedAt: entry.timestamp.wall, recordedRows: 0, entry: entry.id.hex)
        }
    }

    /// The issued list that `number` and the typed `check` code name, for recording its rows.
    ///
    /// Fails with ``PaperListError/notIssued(campaign:list:)`` when no authorised `paper.issued`
    /// names that number here (it may not have synced yet), and with
    /// ``PaperListError/wrongCheck(list:)`` when the code is none of its issuances' codes.
    public func issuedPaperList(campaign id: String, number: Int64, check: String) throws -> IssuedPaperList {
        let issued = try store.paperLists(campaign: id).filter { $0.list == number }
        if issued.isEmpty { throw PaperListError.notIssued(campaign: id, list: number) }
        guard let code = PaperCheckCode.normalised(check), let list = issued.first(where: { $0.check == code }) else {
            throw PaperListError.wrongCheck(list: number)
        }
        return list
    }
}
