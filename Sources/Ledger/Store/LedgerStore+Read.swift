/// The head of one author's log, and the tips of its other branches when it forked.
public struct LogHead: Codable, Sendable, Equatable {
    public var author: String
    public var sequence: UInt64
    public var id: String
    /// Tips of the branches beside the log (docs/FORMAT.md section 8, "Forks"), by sequence and
    /// id; absent when the log has not forked.
    public var branches: [BranchTip]?

    public init(author: String, sequence: UInt64, id: String, branches: [BranchTip]? = nil) {
        self.author = author
        self.sequence = sequence
        self.id = id
        self.branches = branches
    }
}

/// The last entry of a branch of a forked log.
public struct BranchTip: Codable, Sendable, Equatable {
    public var sequence: UInt64
    public var id: String

    public init(sequence: UInt64, id: String) {
        self.sequence = sequence
        self.id = id
    }
}

/// A campaign as the read model holds it now.
public struct CampaignSummary: Codable, Sendable, Equatable {
    public var campaign: String
    public var version: String
    public var title: String
    public var state: String
    public var goal: Int64?
    public var deadline: UInt64?
    public var publishedAt: UInt64
    public var updatedAt: UInt64
    public var closedAt: UInt64?
    /// Not closed by HQ (`campaign.closed`). Whether it takes signatures now also depends on the
    /// deadline: ``isOpen(at:)``.
    public var isOpen: Bool { state == "open" }

    /// Takes signatures at `now` (ms): not closed, and the deadline (if any) not passed. A signature
    /// after the deadline is late, exactly as one after a close (docs/READMODELS.md).
    public func isOpen(at now: UInt64) -> Bool {
        isOpen && deadline.map { now <= $0 } ?? isOpen
    }
}

/// A signature as the read model holds it now.
public struct SignatureSummary: Sendable, Equatable {
    public var id: Digest
    public var campaign: String
    public var state: String
}

/// Which entries ``LedgerStore/entries(matching:)`` lists.
public struct EntryFilter: Sendable {
    public var author: PublicKey?
    public var type: String?
    public var limit: Int?

    public init(author: PublicKey? = nil, type: String? = nil, limit: Int? = nil) {
        self.author = author
        self.type = type
        self.limit = limit
    }
}

extension LedgerStore {
    /// The head (last sequence and id) of every log, ordered by author key, with the tips of the
    /// other branches of forked logs.
    public func heads() throws -> [LogHead] {
        try reading { db in
            let tips = try db.statement("""
                SELECT author, sequence, id FROM forks f WHERE NOT EXISTS (SELECT 1 FROM forks g WHERE g.previous = f.id)
                ORDER BY author, sequence, id
                """)
            var branches: [String: [BranchTip]] = [:]
            while try tips.step() {
                branches[Hex.encode(tips.blob(0)), default: []].append(BranchTip(sequence: tips.uint64(1), id: Hex.encode(tips.blob(2))))
            }
            tips.reset()
            // A skip scan of the (author, sequence) index: one seek per log to the next author and
            // one to its head, so `/v1/heads` costs the same on an HQ of ten million entries as on a
            // laptop (a GROUP BY read every entry: 0.7 s at a million).
            let statement = try db.statement("""
                WITH RECURSIVE authors (author) AS (
                    SELECT MIN(author) FROM entries
                    UNION ALL
                    SELECT (SELECT MIN(e.author) FROM entries e WHERE e.author > authors.author) FROM authors WHERE authors.author IS NOT NULL
                )
                SELECT head.author, head.sequence, head.id FROM authors
                JOIN entries head ON head.author = authors.author
                    AND head.sequence = (SELECT MAX(e.sequence) FROM entries e WHERE e.author = authors.author)
                ORDER BY head.author
                """)
            defer { statement.reset() }
            var heads: [LogHead] = []
            while try statement.step() {
                let author = Hex.encode(statement.blob(0))
                heads.append(LogHead(author: author, sequence: statement.uint64(1), id: Hex.encode(statement.blob(2)), branches: branches[author]))
            }
            return heads
        }
    }

    /// Entries in log order (author, then sequence), filtered.
    public func entries(matching filter: EntryFilter = EntryFilter()) throws -> [Entry] {
        try reading { db in
            var sql = "SELECT bytes FROM entries WHERE 1 = 1"
            if filter.author != nil { sql += " AND author = ?" }
            if filter.type != nil { sql += " AND type = ?" }
            sql += " ORDER BY author, sequence"
            if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
            let statement = try db.statement(sql)
            defer { statement.reset() }
            var index: Int32 = 1
            if let author = filter.author { statement.bind(index, author.bytes); index += 1 }
            if let type = filter.type { statement.bind(index, type) }
            var entries: [Entry] = []
            while try statement.step() {
                entries.append(try Entry(bytes: statement.blob(0)))
            }
            return entries
        }
    }

    /// The number of entries stored (forks excluded).
    ///
    /// Read as the highest `rowid`, one B-tree seek however large the store (`/healthz`, `/metrics`
    /// and `status` ask often): entries are never deleted (triggers forbid it) and each gets the
    /// next rowid, so the rowids are exactly 1...count (docs/STORE.md).
    public func entryCount() throws -> Int {
        try reading { db in
            let statement = try db.statement("SELECT COALESCE(max(rowid), 0) FROM entries")
            defer { statement.reset() }
            _ = try statement.step()
            return Int(statement.int64(0))
        }
    }

    /// The number of branch entries of forked logs held (without reading them).
    public func forkEntryCount() throws -> Int {
        try reading { db in
            let statement = try db.statement("SELECT COUNT(*) FROM forks")
            defer { statement.reset() }
            _ = try statement.step()
            return Int(statement.int64(0))
        }
    }

    /// One entry by id.
    public func entry(id: Digest) throws -> Entry? {
        try reading { db in
            let statement = try db.statement("SELECT bytes FROM entries WHERE id = ?")
            statement.bind(1, id.bytes)
            defer { statement.reset() }
            return try statement.step() ? try Entry(bytes: statement.blob(0)) : nil
        }
    }

    /// A stored payload by digest; nil when absent (never received, or erased).
    public func payload(digest: Digest) throws -> [UInt8]? {
        try reading { db in
            let statement = try db.statement("SELECT bytes FROM payloads WHERE digest = ?")
            statement.bind(1, digest.bytes)
            defer { statement.reset() }
            return try statement.step() ? statement.blob(0) : nil
        }
    }

    /// Every stored payload, ordered by digest.
    public func payloads() throws -> [[UInt8]] {
        try reading { db in
            let statement = try db.statement("SELECT bytes FROM payloads ORDER BY digest")
            defer { statement.reset() }
            var out: [[UInt8]] = []
            while try statement.step() { out.append(statement.blob(0)) }
            return out
        }
    }

    /// Fork evidence: entries that conflict with a stored entry of the same author and sequence.
    public func forkEntries() throws -> [Entry] {
        try reading { db in
            let statement = try db.statement("SELECT bytes FROM forks ORDER BY author, sequence, id")
            defer { statement.reset() }
            var out: [Entry] = []
            while try statement.step() { out.append(try Entry(bytes: statement.blob(0))) }
            return out
        }
    }

    /// Every campaign, ordered by publication time.
    public func campaigns() throws -> [CampaignSummary] {
        try reading { db in
            let statement = try db.statement("""
                SELECT campaign, version, title, state, goal, deadline, published_at, closed_at, updated_at
                FROM campaigns ORDER BY published_at, campaign
                """)
            defer { statement.reset() }
            var out: [CampaignSummary] = []
            while try statement.step() {
                out.append(CampaignSummary(
                    campaign: statement.text(0), version: Hex.encode(statement.blob(1)), title: statement.text(2),
                    state: statement.text(3), goal: statement.isNull(4) ? nil : statement.int64(4),
                    deadline: statement.isNull(5) ? nil : statement.uint64(5),
                    publishedAt: statement.uint64(6), updatedAt: statement.uint64(8),
                    closedAt: statement.isNull(7) ? nil : statement.uint64(7)))
            }
            return out
        }
    }

    /// One campaign by id.
    public func campaign(_ id: String) throws -> CampaignSummary? {
        try campaigns().first { $0.campaign == id }
    }

    /// Signatures whose receipt hash matches.
    public func signatures(receiptHash: [UInt8]) throws -> [SignatureSummary] {
        try reading { db in
            let statement = try db.statement("SELECT id, campaign, state FROM signatures WHERE \(ReadModelSchema.receiptLookup)")
            statement.bind(1, receiptHash)
            defer { statement.reset() }
            var out: [SignatureSummary] = []
            while try statement.step() {
                if let id = Digest(statement.blob(0)) {
                    out.append(SignatureSummary(id: id, campaign: statement.text(1), state: statement.text(2)))
                }
            }
            return out
        }
    }

    /// Count of signatures per state for one campaign.
    public func signatureCounts(campaign: String) throws -> [String: Int] {
        try reading { db in
            let statement = try db.statement("SELECT state, signatures FROM counts_by_campaign WHERE campaign = ?")
            statement.bind(1, campaign)
            defer { statement.reset() }
            var out: [String: Int] = [:]
            while try statement.step() { out[statement.text(0)] = Int(statement.int64(1)) }
            return out
        }
    }
}
