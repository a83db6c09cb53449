/// One version of a campaign's texts.
public struct CampaignVersion: Sendable {
    public var id: Digest
    public var kind: String
    public var timestamp: UInt64
    public var body: CampaignPublished
}

/// A comment as the public list shows it.
public struct CommentSummary: Codable, Sendable, Equatable {
    public var id: String
    public var campaign: String
    public var displayName: String
    public var text: String
    public var postedAt: UInt64
    public var hidden: Bool
    public var hiddenReason: String?
}

/// A counted signature, for delivery: the public facts and the payload digest to open.
public struct CountedSignature: Sendable {
    public var id: Digest
    public var payload: Digest
    public var channel: String
    public var country: String?
    public var signedAt: UInt64
    public var version: Digest
    /// The paper list and row a `paper` signature was typed in from; nil for other channels.
    public var paperList: Int64? = nil
    public var paperRow: Int64? = nil
}

/// Signature counts for one campaign (docs/READMODELS.md, "Counts").
public struct CampaignStats: Codable, Sendable, Equatable {
    public var campaign: String
    public var title: String
    public var state: String
    public var goal: Int64?
    /// Valid, unique, non-withdrawn, on-time signatures: what is delivered.
    public var counted: Int
    /// Distinct signers among all signatures that are not unauthorised or held in a forked log.
    public var unique: Int
    public var withdrawn: Int
    public var duplicates: Int
    public var late: Int
    public var unauthorised: Int
    /// Held in a forked log until HQ adopts it (docs/FORMAT.md section 8, "Forks").
    public var forked: Int
    /// Recorded on a field laptop and not yet given a signer reference by HQ, so not yet
    /// checked for duplicates (docs/PRIVACY.md).
    public var unchecked: Int
    public var byChannel: [String: Int]
    public var byDay: [String: Int]
    public var byDevice: [String: Int]
    public var byCountry: [String: Int]
}

extension LedgerStore {
    /// Every version of a campaign, oldest first (HLC order).
    public func campaignVersions(_ campaign: String) throws -> [CampaignVersion] {
        try reading { db in
            let statement = try db.statement("""
                SELECT id, kind, hlc_wall, body FROM campaign_versions WHERE campaign = ? AND authorised = 1
                ORDER BY hlc_wall, hlc_counter, author, sequence
                """)
            statement.bind(1, campaign)
            defer { statement.reset() }
            var out: [CampaignVersion] = []
            while try statement.step() {
                guard let id = Digest(statement.blob(0)) else { continue }
                let body = try CanonicalJSON.decode(CampaignPublished.self, from: statement.blob(3))
                out.append(CampaignVersion(id: id, kind: statement.text(1), timestamp: statement.uint64(2), body: body))
            }
            return out
        }
    }

    /// Comments of a campaign, newest first; hidden ones only when asked.
    public func comments(campaign: String, includeHidden: Bool = false, limit: Int = 1000) throws -> [CommentSummary] {
        try reading { db in
            let statement = try db.statement("""
                SELECT id, campaign, display_name, text, hlc_wall, MAX(hidden, withdrawn),
                       CASE WHEN hidden = 0 AND withdrawn = 1 THEN 'the signer withdrew their signature' ELSE hidden_reason END FROM comments
                WHERE campaign = ? AND authorised = 1 AND ((hidden = 0 AND withdrawn = 0) OR ?)
                ORDER BY hlc_wall DESC, hlc_counter DESC, author, sequence LIMIT ?
                """)
            statement.bind(1, campaign)
            statement.bind(2, Int64(includeHidden ? 1 : 0))
            statement.bind(3, Int64(limit))
            defer { statement.reset() }
            var out: [CommentSummary] = []
            while try statement.step() {
                out.append(CommentSummary(
                    id: Hex.encode(statement.blob(0)), campaign: statement.text(1), displayName: statement.text(2),
                    text: statement.text(3), postedAt: statement.uint64(4), hidden: statement.int64(5) == 1,
                    hiddenReason: statement.isNull(6) ? nil : statement.text(6)))
            }
            return out
        }
    }

    /// True when a comment with this id exists.
    public func commentExists(_ id: Digest) throws -> Bool {
        try reading { db in
            let statement = try db.statement("SELECT 1 FROM comments WHERE id = ?")
            statement.bind(1, id.bytes)
            defer { statement.reset() }
            return try statement.step()
        }
    }

    /// One signature's state by id.
    public func signature(id: Digest) throws -> SignatureSummary? {
        try reading { db in
            let statement = try db.statement("SELECT id, campaign, state FROM signatures WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
            statement.bind(1, id.bytes)
            defer { statement.reset() }
            guard try statement.step(), let id = Digest(statement.blob(0)) else { return nil }
            return SignatureSummary(id: id, campaign: statement.text(1), state: statement.text(2))
        }
    }

    /// The paper rows of a list already recorded for a campaign.
    public func paperRows(campaign: String, list: Int64) throws -> Set<Int64> {
        try reading { db in
            let statement = try db.statement("""
                SELECT paper_row FROM signatures WHERE campaign = ? AND paper_list = ? AND paper_row IS NOT NULL
                """)
            statement.bind(1, campaign)
            statement.bind(2, list)
            defer { statement.reset() }
            var out: Set<Int64> = []
            while try statement.step() { out.insert(statement.int64(0)) }
            return out
        }
    }

    /// Counted signatures of a campaign in (HLC, author, sequence) order.
    public func countedSignatures(campaign: String) throws -> [CountedSignature] {
        try reading { db in
            let statement = try db.statement("""
                SELECT id, payload, channel, country, hlc_wall, version, paper_list, paper_row FROM signatures
                WHERE campaign = ? AND state = 'counted' ORDER BY hlc_wall, hlc_counter, author, sequence
                """)
            statement.bind(1, campaign)
            defer { statement.reset() }
            var out: [CountedSignature] = []
            while try statement.step() {
                guard let id = Digest(statement.blob(0)), let payload = Digest(statement.blob(1)) else { continue }
                out.append(CountedSignature(
                    id: id, payload: payload, channel: statement.text(2), country: statement.isNull(3) ? nil : statement.text(3),
                    signedAt: statement.uint64(4), version: Digest(statement.blob(5)) ?? .zero,
                    paperList: statement.isNull(6) ? nil : statement.int64(6), paperRow: statement.isNull(7) ? nil : statement.int64(7)))
            }
            return out
        }
    }

    /// Counts for one campaign.
    public func stats(campaign: CampaignSummary) throws -> CampaignStats {
        try reading { db in
            func grouped(_ sql: String) throws -> [String: Int] {
                let statement = try db.statement(sql)
                statement.bind(1, campaign.campaign)
                defer { statement.reset() }
                var out: [String: Int] = [:]
                while try statement.step() {
                    let key = statement.columnType(0) == 4 ? Hex.encode(statement.blob(0)) : statement.text(0)
                    out[key] = Int(statement.int64(1))
                }
                return out
            }
            let states = try grouped("SELECT state, signatures FROM counts_by_campaign WHERE campaign = ?")
            let unique = try grouped("SELECT 'unique', n FROM signature_counts WHERE campaign = ? AND dimension = 'unique' AND value = ''")
            return CampaignStats(
                campaign: campaign.campaign, title: campaign.title, state: campaign.state, goal: campaign.goal,
                counted: states["counted", default: 0], unique: unique["unique", default: 0],
                withdrawn: states["withdrawn", default: 0], duplicates: states["duplicate", default: 0],
                late: states["late", default: 0], unauthorised: states["unauthorised", default: 0],
                forked: states["forked", default: 0], unchecked: states["unchecked", default: 0],
                byChannel: try grouped("SELECT channel, signatures FROM counts_by_channel WHERE campaign = ?"),
                byDay: try grouped("SELECT day, signatures FROM counts_by_day WHERE campaign = ?"),
                byDevice: try grouped("SELECT device, signatures FROM counts_by_device WHERE campaign = ?"),
                byCountry: try grouped("SELECT country, signatures FROM counts_by_country WHERE campaign = ?"))
        }
    }
}
