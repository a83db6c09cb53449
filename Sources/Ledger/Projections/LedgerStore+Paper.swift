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
                    device: holder?.hex, issuedAt: statement.uint64(4), recordedRows: Int(statement.int64(5)), entry: id.hex))
            }
            return out
        }
    }

    /// The list numbers of a campaign that the next lists must not take: the highest authorised
    /// issue (the next list comes after it), and the numbers above it that something else already
    /// carries: a paper signature (typed in before lists were issued, or written by a laptop with
    /// any number it likes) or a `paper.issued` outside its author's rights.
    public func takenPaperLists(campaign: String) throws -> (highestIssued: Int64, alsoTaken: Set<Int64>) {
        try reading { db in
            let highest = try db.statement("SELECT COALESCE(MAX(list), 0) FROM paper_lists WHERE campaign = ? AND authorised = 1")
            highest.bind(1, campaign)
            defer { highest.reset() }
            _ = try highest.step()
            let issued = highest.int64(0)
            let above = try db.statement("""
                SELECT paper_list FROM signatures WHERE campaign = ?1 AND paper_list > ?2
                UNION SELECT list FROM paper_lists WHERE campaign = ?1 AND list > ?2
                """)
            above.bind(1, campaign)
            above.bind(2, issued)
            defer { above.reset() }
            var taken: Set<Int64> = []
            while try above.step() { taken.insert(above.int64(0)) }
            return (issued, taken)
        }
    }
}
