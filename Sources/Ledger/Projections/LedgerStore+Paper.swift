/// A paper list HQ issued (`paper.issued`, docs/PAPER.md), as the read models hold it.
public struct IssuedPaperList: Codable, Sendable, Equatable {
    public var campaign: String
    public var list: Int64
    /// Rows printed on it.
    public var rows: Int64
    /// The check code printed beside its number (``PaperCheckCode``).
    public var check: String
    /// The device it was issued to (hex key); nil: HQ's own.
    public var device: String?
    /// When HQ issued it (milliseconds since 1970, UTC).
    public var issuedAt: UInt64
    /// Signatures recorded from it so far (any state); 0 until it comes back and is typed in.
    public var recordedRows: Int
    /// The `paper.issued` entry id (hex).
    public var entry: String

    /// True once any row of it has been recorded.
    public var returned: Bool { recordedRows > 0 }
}

extension LedgerStore {
    /// The authorised issuances of a campaign's paper lists, by list number (then issue time: a
    /// number issued twice, by two HQ devices offline, is listed twice, each with its own check code).
    public func paperLists(campaign: String) throws -> [IssuedPaperList] {
        try reading { db in
            let statement = try db.statement("""
                SELECT p.id, p.list, p.rows, p.device, p.hlc_wall,
                       (SELECT COUNT(*) FROM signatures s WHERE s.campaign = p.campaign AND s.paper_list = p.list)
                FROM paper_lists p WHERE p.campaign = ? AND p.authorised = 1
                ORDER BY p.list, p.hlc_wall, p.hlc_counter, p.author, p.sequence
                """)
            statement.bind(1, campaign)
            defer { statement.reset() }
            var out: [IssuedPaperList] = []
            while try statement.step() {
                guard let id = Digest(statement.blob(0)) else { continue }
                let holder = statement.isNull(3) ? nil : PublicKey(statement.blob(3))
                out.append(IssuedPaperList(
                    campaign: campaign, list: statement.int64(1), rows: statement.int64(2), check: PaperCheckCode.of(issuance: id),
                    device: holder?.hex, issuedAt: UInt64(max(0, statement.int64(4))), recordedRows: Int(statement.int64(5)), entry: id.hex))
            }
            return out
        }
    }

    /// The highest list number of a campaign that is issued (authorised or not) or that any
    /// signature names; 0 when there is none. The next list HQ issues takes the number after it.
    public func highestPaperList(campaign: String) throws -> Int64 {
        try reading { db in
            let statement = try db.statement("""
                SELECT MAX(COALESCE((SELECT MAX(list) FROM paper_lists WHERE campaign = ?1), 0),
                           COALESCE((SELECT MAX(paper_list) FROM signatures WHERE campaign = ?1), 0))
                """)
            statement.bind(1, campaign)
            defer { statement.reset() }
            _ = try statement.step()
            return statement.int64(0)
        }
    }
}
