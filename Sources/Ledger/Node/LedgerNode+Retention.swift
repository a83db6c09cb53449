import Foundation

/// Retention (docs/PRIVACY.md, "Retention"): a campaign may say how many days after it closes
/// its signers' personal data is kept; then HQ erases it by itself, with `payload.erased`
/// (reason `retention`), and the entries record that it did.
public struct RetentionPlan: Codable, Sendable, Equatable {
    public var campaign: String
    /// Days after the close, when the campaign sets it.
    public var retentionDays: Int64?
    /// When the campaign closed (Unix ms), if it has.
    public var closedAt: UInt64?
    /// When its signers' data is erased (Unix ms): closed + days; nil while open or without retention.
    public var eraseAt: UInt64?
    /// Signatures whose payload is not erased yet.
    public var payloadsKept: Int
    /// Signatures whose payload is erased.
    public var payloadsErased: Int
    /// True when the erase time has passed (HQ erases at its next check).
    public var due: Bool
}

extension LedgerStore {
    /// The retention plan of every campaign, by campaign id, at `now` (Unix ms).
    public func retentionPlans(now: UInt64) throws -> [RetentionPlan] {
        try retentionPlans(now: now, counting: true)
    }

    /// ``retentionPlans(now:)``; with `counting` false the two counts (which read every signature
    /// of every campaign: about 0.4 s per 100,000 signatures) are left at 0, for the check every
    /// five minutes, which needs only which campaigns are due. Not public: zeros there are not
    /// counts.
    func retentionPlans(now: UInt64, counting: Bool) throws -> [RetentionPlan] {
        try reading { db in
            let counts = counting ? """
                (SELECT COUNT(*) FROM signatures s WHERE s.campaign = c.campaign AND s.erased = 0 AND length(s.payload) = 32),
                       (SELECT COUNT(*) FROM signatures s WHERE s.campaign = c.campaign AND s.erased = 1)
                """ : "0, 0"
            let statement = try db.statement("""
                SELECT c.campaign, c.retention_days, c.closed_at, \(counts)
                FROM campaigns c ORDER BY c.campaign
                """)
            defer { statement.reset() }
            var out: [RetentionPlan] = []
            while try statement.step() {
                let days: Int64? = statement.isNull(1) ? nil : statement.int64(1)
                let closed: UInt64? = statement.isNull(2) ? nil : statement.uint64(2)
                // Body rules keep retentionDays in 1 ... 36500; a store edited outside that range must
                // neither trap nor wrap around to an erasure date in the past.
                let eraseAt = days.flatMap { days in closed.map { closed in
                    let (sum, overflow) = closed.addingReportingOverflow(UInt64(min(max(days, 1), 36_500)) * 86_400_000)
                    return overflow ? UInt64.max : sum
                } }
                out.append(RetentionPlan(campaign: statement.text(0), retentionDays: days, closedAt: closed, eraseAt: eraseAt,
                                         payloadsKept: Int(statement.int64(3)), payloadsErased: Int(statement.int64(4)),
                                         due: eraseAt.map { $0 <= now } ?? false))
            }
            return out
        }
    }

    /// Signatures of a campaign whose payload is not erased yet: id and payload digest.
    func signaturesToErase(campaign: String) throws -> [(Digest, Digest)] {
        try locked {
            let statement = try connection.statement("""
                SELECT id, payload FROM signatures WHERE campaign = ? AND erased = 0 AND length(payload) = 32 ORDER BY id
                """)
            statement.bind(1, campaign)
            defer { statement.reset() }
            var out: [(Digest, Digest)] = []
            while try statement.step() {
                if let id = Digest(statement.blob(0)), let payload = Digest(statement.blob(1)) { out.append((id, payload)) }
            }
            return out
        }
    }
}

extension LedgerNode {
    /// Erases the personal data of every campaign whose retention has run out at `now` (HQ
    /// only; elsewhere nothing). ledgerd calls it at start and every few minutes. Returns the
    /// `payload.erased` entries written.
    @discardableResult
    public func eraseExpired(now: UInt64 = SystemClock().nowMillis()) throws -> [Entry] {
        guard isRootHQ else { return [] }
        var written: [Entry] = []
        // Only the campaigns that are due are read signature by signature.
        for plan in try store.retentionPlans(now: now, counting: false) where plan.due {
            // 500 per transaction; each is checked again inside it, where another pass (a push's,
            // or a ledgerctl erase) can no longer erase it too.
            for batch in try store.signaturesToErase(campaign: plan.campaign).chunked(into: 500) {
                written += try store.appendBatch(signer: key) {
                    try batch.filter { try !store.isErasedLocked($0.1) }.map { signature, payload in
                        try Appendable(PayloadErased(signature: signature.hex, payload: payload.hex, reason: "retention"))
                    }
                }
            }
        }
        return written
    }
}
