/// Derived state: each function recomputes its rows from the base facts alone.
extension Projector {
    /// A signature's effective signer reference: its own (`signer` in its body), else the one
    /// in HQ's earliest authorised `signer.referenced` that names it, else none (not yet checked).
    static let refreshSignerSQL = """
        UPDATE signatures SET signer = COALESCE(body_signer, (SELECT r.signer FROM signer_references r
            WHERE r.signature = signatures.id AND r.authorised = 1 ORDER BY r.hlc_wall, r.hlc_counter, r.sequence, r.id LIMIT 1))
        """

    /// Recomputes the effective signer of every signature in ``dirtySigners``, and marks what to
    /// recount: the signer groups it leaves and joins, or the signature alone while unchecked.
    func refreshSigners() throws {
        guard !dirtySigners.isEmpty else { return }
        let read = try connection.statement("SELECT campaign, signer FROM signatures WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
        let update = try connection.statement(Self.refreshSignerSQL + " WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
        func current(_ id: Digest) throws -> (String, [UInt8]?)? {
            read.bind(1, id.bytes)
            defer { read.reset() }
            guard try read.step() else { return nil }
            return (read.text(0), read.isNull(1) ? nil : read.blob(1))
        }
        for id in dirtySigners {
            let before = try current(id)
            update.bind(1, id.bytes)
            try update.run()
            guard let (campaign, signer) = try current(id) else { continue }
            if let before, let old = before.1, old != signer { dirtyGroups.insert(SignatureGroup(campaign: campaign, signer: old)) }
            if let signer { dirtyGroups.insert(SignatureGroup(campaign: campaign, signer: signer)) } else { dirtyUnchecked.insert(id) }
        }
        dirtySigners.removeAll()
    }

    /// The `authorised` flag of a row of `table` (whose entries are of `type`) under the current
    /// trust policy and the held entries of forked logs: HQ's root key may write anything; another
    /// author only what its role allows, up to its revocation point, and nothing held.
    private func authorisedFlag(_ table: String, _ type: EventType) -> String {
        // The roles come from the rights table (Role.rights), never written out here.
        """
        (author = x'\(Hex.encode(policy.hq.bytes))' OR (author IN (SELECT device FROM devices WHERE role IN (\(Role.sqlList(mayWrite: type)))
            AND (revoked_after IS NULL OR \(table).sequence <= revoked_after))
            AND id NOT IN (SELECT id FROM held_entries)))
        """
    }

    /// Every row's `authorised` flag (the rebuild's: ``finishAll()`` recomputes everything that
    /// depends on the flags afterwards). Only the rows whose flag changes are written.
    func refreshAllAuthorisation() throws {
        for (table, types, _) in Self.authoredRows {
            let flag = authorisedFlag(table, types[0])
            try connection.execute("UPDATE \(table) SET authorised = \(flag) WHERE authorised IS NOT \(flag)")
        }
    }

    /// Recomputes the `authorised` flag of the rows the given authors wrote (after their
    /// enrolment, revocation, or a change in their forked region), and marks for recomputation
    /// only what a changed flag feeds: the signer group of a signature (or the signature alone,
    /// while unchecked), the signature a withdrawal names, a comment, a campaign. `rightfulChanged`
    /// are the authors whose role or revocation point changed: their held signatures may move
    /// between `forked` and `unauthorised` without any flag changing.
    ///
    /// Each author's rows are found through the `(author, sequence)` index of `entries` and of
    /// `forks` and the tables' id keys: proportional to what the author wrote, never to the whole
    /// ledger. (Every campaign was recomputed whole after each enrolment: about a second per
    /// 100,000 signatures, with the writer held, so minutes at ten million.)
    func refreshAuthorisation(authors: Set<PublicKey>, rightfulChanged: Set<PublicKey>) throws {
        guard !authors.isEmpty || !rightfulChanged.isEmpty else { return }
        let ordered = authors.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        for (table, types, returning) in Self.authoredRows {
            let statement = try connection.statement(authorisationSQL(table, types: types, returning: returning))
            for author in ordered {
                statement.bind(1, author.bytes)
                while try statement.step() { markChanged(table, statement) }
                statement.reset()
            }
        }
        guard !rightfulChanged.isEmpty else { return }
        let held = try connection.statement("""
            SELECT sg.campaign, sg.signer, sg.id FROM held_entries h JOIN signatures sg ON \(ReadModelSchema.signatureLookup("sg", id: "h.id"))
            WHERE h.author = ?1
            """)
        for author in rightfulChanged {
            held.bind(1, author.bytes)
            while try held.step() { markChanged("signatures", held) }
            held.reset()
        }
    }

    /// Each read-model table with an `authorised` flag that non-root authors may write, the entry
    /// types of its rows (the first gives the rights: `campaign_versions` holds
    /// `campaign.updated` too, with the same rights), and what its changed rows return for
    /// ``markChanged(_:_:)``.
    static let authoredRows: [(table: String, types: [EventType], returning: String)] = [
        ("signatures", [.signatureRecorded], "campaign, signer, id"),
        ("withdrawals", [.signatureWithdrawn], "signature"),
        ("comments", [.commentPosted], "id"),
        ("comment_hides", [.commentHidden], "comment"),
        ("campaign_versions", [.campaignPublished, .campaignUpdated], "campaign"),
        ("campaign_closes", [.campaignClosed], "campaign"),
    ]

    /// `UPDATE table` of the rows that author `?1` wrote (log entries of `types`, and branch
    /// entries of a forked log) whose flag changes, returning `returning` of each.
    private func authorisationSQL(_ table: String, types: [EventType], returning: String) -> String {
        let key = "authorised " + table
        if let known = statesSQL[key] { return known }
        let flag = authorisedFlag(table, types[0])
        let lookup = { (id: String) in
            table == "signatures" ? ReadModelSchema.signatureLookup("t", id: id) : "t.id = \(id)"
        }
        let text = """
            UPDATE \(table) SET authorised = \(flag)
            WHERE rowid IN (
                SELECT t.rowid FROM entries e JOIN \(table) t ON \(lookup("e.id"))
                WHERE e.author = ?1 AND e.type IN (\(types.map { "'\($0.rawValue)'" }.joined(separator: ", ")))
                UNION ALL
                SELECT t.rowid FROM forks f JOIN \(table) t ON \(lookup("f.id")) WHERE f.author = ?1
            ) AND authorised IS NOT \(flag)
            RETURNING \(returning)
            """
        statesSQL[key] = text
        return text
    }

    /// Marks what a row of `table` whose flag changed feeds (the columns of ``authoredRows``).
    private func markChanged(_ table: String, _ row: Statement) {
        switch table {
        case "signatures":
            guard let id = Digest(row.blob(2)) else { return }
            if row.isNull(1) { dirtyUnchecked.insert(id) } else { dirtyGroups.insert(SignatureGroup(campaign: row.text(0), signer: row.blob(1))) }
        case "withdrawals":
            if let id = Digest(row.blob(0)) { dirtySignatures.insert(id) }
        case "comments", "comment_hides":
            if let id = Digest(row.blob(0)) { dirtyComments.insert(id) }
        default:
            dirtyCampaigns.insert(row.text(0))
        }
    }

    /// Recomputes the validity of every withdrawal of one signature: authorised, and either the
    /// receipt hashes to the signature's receipt hash, or HQ (the trust root) withdrew it.
    /// Returns the signature's group, when the signature is known.
    func refreshWithdrawals(of signature: Digest) throws -> [SignatureGroup] {
        let target = try connection.statement("SELECT campaign, signer, receipt_hash FROM signatures WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
        target.bind(1, signature.bytes)
        guard try target.step() else {
            target.reset()
            return []
        }
        let unchecked = target.isNull(1)
        let group = SignatureGroup(campaign: target.text(0), signer: target.blob(1))
        let receiptHash = target.blob(2)
        target.reset()
        if unchecked { dirtyUnchecked.insert(signature) }
        let rows = try connection.statement("SELECT id, author, receipt, authorised FROM withdrawals WHERE signature = ?")
        rows.bind(1, signature.bytes)
        var verdicts: [([UInt8], Int64)] = []
        while try rows.step() {
            let authorised = rows.int64(3) == 1
            let valid: Bool
            if !authorised {
                valid = false
            } else if !rows.isNull(2) {
                valid = ReceiptCode(parsing: rows.text(2)).map { $0.hash(ledger: ledger).bytes == receiptHash } ?? false
            } else {
                valid = rows.blob(1) == policy.hq.bytes
            }
            verdicts.append((rows.blob(0), valid ? 1 : 0))
        }
        rows.reset()
        let update = try connection.statement("UPDATE withdrawals SET valid = ? WHERE id = ? AND valid <> ?1")
        for (id, valid) in verdicts {
            update.bind(1, valid)
            update.bind(2, id)
            try update.run()
        }
        return unchecked ? [] : [group]
    }

    /// What a campaign's signatures' states read of its row (``preStateSQL``): that it exists
    /// (else `orphan`), its close and its deadline (`late`).
    struct LatenessInput: Equatable {
        var closedAt: Int64?
        var closedCounter: Int64?
        var deadline: Int64?

        /// The lowest `hlc_wall` a late signature can have: the close's wall (a signature at that
        /// wall with a higher counter is late) or one past the deadline; nil when neither is set.
        var firstLateWall: Int64? {
            let afterDeadline = deadline.map { $0 == .max ? $0 : $0 + 1 }
            switch (closedAt, afterDeadline) {
            case let (close?, after?): return min(close, after)
            case let (close?, nil): return close
            case let (nil, after?): return after
            case (nil, nil): return nil
            }
        }
    }

    /// How a campaign's new row changes its signatures' states.
    enum CampaignChange {
        /// No state reads what changed (texts, goal, link, retention).
        case none
        /// The close or the deadline moved: only signatures whose lateness can change.
        case lateness(from: LatenessInput, to: LatenessInput)
        /// The row appeared or went: every signature of the campaign.
        case whole
    }

    /// Recomputes a campaign's row: current version (the latest authorised version by
    /// (HLC, author, sequence)), state (closed when any authorised close exists; the earliest
    /// close counts), goal, deadline, first publication and last update; and says what that
    /// changes for its signatures. A new version of its texts or goal changes none of them.
    @discardableResult
    func refreshCampaign(_ campaign: String) throws -> CampaignChange {
        let before = try latenessInput(of: campaign)
        try writeCampaign(campaign)
        let after = try latenessInput(of: campaign)
        switch (before, after) {
        case (nil, nil): return .none
        case let (old?, new?): return old == new ? .none : .lateness(from: old, to: new)
        default: return .whole
        }
    }

    private func latenessInput(of campaign: String) throws -> LatenessInput? {
        let row = try connection.statement("SELECT closed_at, closed_counter, deadline FROM campaigns WHERE campaign = ?")
        row.bind(1, campaign)
        defer { row.reset() }
        guard try row.step() else { return nil }
        func value(_ column: Int32) -> Int64? { row.isNull(column) ? nil : row.int64(column) }
        return LatenessInput(closedAt: value(0), closedCounter: value(1), deadline: value(2))
    }

    /// Marks for re-ranking the signatures of `campaign` whose lateness can differ between `old`
    /// and `new`: those in a state that lateness decides or overrides (`late`, `unchecked`,
    /// `counted`, `duplicate`), with an `hlc_wall` from the lower of the two first late walls up to
    /// the higher one (a signature past both is late under both; one before both under neither).
    /// Their groups are ranked whole afterwards, so a later signature that takes over the count
    /// is found too. Through `signatures_by_state`: proportional to those signatures, not to the
    /// campaign.
    static let latenessCandidatesSQL = """
        SELECT campaign, signer, id FROM signatures
        WHERE campaign = ?1 AND state IN ('late', 'unchecked', 'counted', 'duplicate') AND hlc_wall BETWEEN ?2 AND ?3
        """

    func markLatenessChange(campaign: String, from old: LatenessInput, to new: LatenessInput) throws {
        let low = min(old.firstLateWall ?? .max, new.firstLateWall ?? .max)
        let high = max(old.firstLateWall ?? .max, new.firstLateWall ?? .max)
        let statement = try connection.statement(Self.latenessCandidatesSQL)
        statement.bind(1, campaign)
        statement.bind(2, low)
        statement.bind(3, high)
        defer { statement.reset() }
        while try statement.step() { markChanged("signatures", statement) }
    }

    private func writeCampaign(_ campaign: String) throws {
        let versions = try connection.statement("""
            SELECT id, title, goal, deadline, hlc_wall, retention_days FROM campaign_versions
            WHERE campaign = ? AND authorised = 1 ORDER BY hlc_wall, hlc_counter, author, sequence
            """)
        versions.bind(1, campaign)
        var first: UInt64?
        var latest: (id: [UInt8], title: String, goal: Int64?, deadline: Int64?, wall: UInt64, retention: Int64?)?
        var count: Int64 = 0
        while try versions.step() {
            let wall = versions.uint64(4)
            if first == nil { first = wall }
            latest = (versions.blob(0), versions.text(1), versions.isNull(2) ? nil : versions.int64(2),
                      versions.isNull(3) ? nil : versions.int64(3), wall, versions.isNull(5) ? nil : versions.int64(5))
            count += 1
        }
        versions.reset()
        let delete = try connection.statement("DELETE FROM campaigns WHERE campaign = ?")
        delete.bind(1, campaign)
        try delete.run()
        guard let latest, let first else { return }
        let close = try connection.statement("""
            SELECT hlc_wall, hlc_counter FROM campaign_closes WHERE campaign = ? AND authorised = 1
            ORDER BY hlc_wall, hlc_counter, author, sequence LIMIT 1
            """)
        close.bind(1, campaign)
        let closed: (Int64, Int64)? = try close.step() ? (close.int64(0), close.int64(1)) : nil
        close.reset()
        let insert = try connection.statement("""
            INSERT INTO campaigns (campaign, version, versions, title, state, goal, deadline, published_at, updated_at, closed_at, closed_counter, retention_days)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, campaign)
        insert.bind(2, latest.id)
        insert.bind(3, count)
        insert.bind(4, latest.title)
        insert.bind(5, closed == nil ? "open" : "closed")
        insert.bind(6, latest.goal)
        insert.bind(7, latest.deadline)
        insert.bind(8, Int64(first))
        insert.bind(9, Int64(latest.wall))
        insert.bind(10, closed?.0)
        insert.bind(11, closed?.1)
        insert.bind(12, latest.retention)
        try insert.run()
    }

    /// Recomputes signature states for a campaign, one signer's group in it, or one signature
    /// without a signer reference, with ``signatureStatesSQL(scope:)``: the one computation of states.
    func refreshSignatures(campaign: String, signer: [UInt8]?, only: Digest? = nil) throws {
        if let only {
            // A signature with a signer reference is ranked in its group; one without is never ranked.
            let lookup = try connection.statement("SELECT signer FROM signatures WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
            lookup.bind(1, only.bytes)
            let ownSigner: [UInt8]? = try lookup.step() && !lookup.isNull(0) ? lookup.blob(0) : nil
            lookup.reset()
            if let ownSigner { return try refreshSignatures(campaign: campaign, signer: ownSigner) }
            let statement = try connection.statement(signatureStatesSQL(scope: ReadModelSchema.signatureLookup("sg", id: "?1")))
            statement.bind(1, only.bytes)
            try statement.run()
            return
        }
        guard let signer else {
            let statement = try connection.statement(signatureStatesSQL(scope: "sg.campaign = ?1"))
            statement.bind(1, campaign)
            try statement.run()
            return
        }
        try refreshGroup(campaign: campaign, signer: signer)
    }

    /// One (campaign, signer) group's states: ``preStateSQL`` for each of its signatures, then the
    /// ranking of ``signatureStatesSQL(scope:)`` (the first `active` one in (HLC, author,
    /// sequence, id) order is counted, the later ones are duplicates) done here rather than by a
    /// window function, whose temporary table cost more than the rest of an append. The property
    /// tests check that this gives the states of the whole-table statement a rebuild runs.
    private func refreshGroup(campaign: String, signer: [UInt8]) throws {
        if statesSQL["group"] == nil {
            statesSQL["group"] = """
                SELECT sg.id, \(preStateSQL) AS pre, sg.state, sg.hlc_wall, sg.hlc_counter, sg.author, sg.sequence,
                       sg.day, sg.channel, sg.country, sg.rowid
                FROM signatures sg LEFT JOIN campaigns c ON c.campaign = sg.campaign
                WHERE \(ReadModelSchema.signerLookup("sg", campaign: "?1", signer: "?2"))
                """
        }
        let read = try connection.statement(statesSQL["group"] ?? "")
        read.bind(1, campaign)
        read.bind(2, signer)
        var rows: [GroupRow] = []
        var counted: [(day: String, channel: String, country: String)] = []
        while try read.step() {
            rows.append(GroupRow(row: read.int64(10), id: read.blob(0), pre: read.text(1), state: read.text(2), wall: read.int64(3),
                                 counter: read.int64(4), author: read.blob(5), sequence: read.int64(6)))
            if countDeltas != nil { counted.append((read.text(7), read.text(8), read.isNull(9) ? "" : read.text(9))) }
        }
        read.reset()
        let states = Self.rank(rows)
        if countDeltas != nil {
            // The group's part of every count, taken away as it was and added as it is (the count
            // triggers stand aside: ``countingGroups(_:)``).
            countGroup(campaign: campaign, rows: rows, states: rows.map(\.state), counted: counted, sign: -1)
            countGroup(campaign: campaign, rows: rows, states: states, counted: counted, sign: 1)
        }
        // By rowid, read just above: no second lookup in the random-keyed index of ids.
        let update = try connection.statement("UPDATE signatures SET state = ?1 WHERE rowid = ?2")
        for (row, state) in zip(rows, states) where state != row.state {
            update.bind(1, state)
            update.bind(2, row.row)
            try update.run()
        }
    }

    /// Below this many groups in a transaction the triggers count them: holding the triggers back
    /// costs two writes of `meta` and an upsert per count key, more than the triggers of a few
    /// signatures (a durable single append took 0.64 ms at p50 instead of 0.43 with it).
    static let groupsCountedTogether = 8

    /// A key of `signature_counts`: campaign, dimension and value (text, or the device's key).
    struct CountKey: Hashable {
        var campaign: String
        var dimension: String
        var text: String
        var device: [UInt8]?

        /// The device's bytes in one call, not one by one as the synthesized hash does.
        func hash(into hasher: inout Hasher) {
            hasher.combine(campaign)
            hasher.combine(dimension)
            hasher.combine(text)
            if let device {
                hasher.combine(true)
                device.withUnsafeBytes { hasher.combine(bytes: $0) }
            } else {
                hasher.combine(false)
            }
        }
    }

    /// Refreshes the states of `groups` with the count triggers standing aside (`meta` holds
    /// `ReadModelSchema.countsDeferredKey` meanwhile), each group's change of the counts summed in
    /// ``countDeltas``, then written once per key: a batch of new signatures in one campaign
    /// writes a few dozen count rows, where the triggers ran six upserts per signature. The
    /// counts stay what `countsDrift` recounts: a (campaign, signer) group is all that its
    /// signatures' part of the counts depends on, "unique" included.
    func countingGroups(_ groups: [SignatureGroup]) throws {
        guard groups.count >= Self.groupsCountedTogether else {
            for group in groups { try refreshSignatures(campaign: group.campaign, signer: group.signer) }
            return
        }
        let hold = try connection.statement("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, x'01')")
        hold.bind(1, ReadModelSchema.countsDeferredKey)
        try hold.run()
        countDeltas = [:]
        defer { countDeltas = nil }
        for group in groups { try refreshSignatures(campaign: group.campaign, signer: group.signer) }
        let release = try connection.statement("DELETE FROM meta WHERE key = ?1")
        release.bind(1, ReadModelSchema.countsDeferredKey)
        try release.run()
        let add = try connection.statement("""
            INSERT INTO signature_counts (campaign, dimension, value, n) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (campaign, dimension, value) DO UPDATE SET n = n + excluded.n
            """)
        for (key, delta) in countDeltas ?? [:] where delta != 0 {
            add.bind(1, key.campaign)
            add.bind(2, key.dimension)
            if let device = key.device { add.bind(3, device) } else { add.bind(3, key.text) }
            add.bind(4, delta)
            try add.run()
        }
    }

    /// Adds `sign` times one group's part of the counts, with these `states`, to ``countDeltas``:
    /// what the count triggers add for its rows (`ReadModelSchema.countRow`).
    private func countGroup(campaign: String, rows: [GroupRow], states: [String], counted: [(day: String, channel: String, country: String)], sign: Int64) {
        var unique = false
        for index in rows.indices {
            let state = states[index]
            if state != "pending" { countDeltas?[CountKey(campaign: campaign, dimension: "state", text: state), default: 0] += sign }
            if state == "counted" {
                countDeltas?[CountKey(campaign: campaign, dimension: "day", text: counted[index].day), default: 0] += sign
                countDeltas?[CountKey(campaign: campaign, dimension: "channel", text: counted[index].channel), default: 0] += sign
                countDeltas?[CountKey(campaign: campaign, dimension: "device", text: "", device: rows[index].author), default: 0] += sign
                countDeltas?[CountKey(campaign: campaign, dimension: "country", text: counted[index].country), default: 0] += sign
            }
            if !Self.notUnique.contains(state) { unique = true }
        }
        if unique { countDeltas?[CountKey(campaign: campaign, dimension: "unique", text: ""), default: 0] += sign }
    }

    /// A signature of one (campaign, signer) group, with its pre-state (``preStateSQL``).
    struct GroupRow {
        var row: Int64
        var id: [UInt8]
        var pre: String
        var state: String
        var wall: Int64
        var counter: Int64
        var author: [UInt8]
        var sequence: Int64
    }

    /// The states of one (campaign, signer) group's signatures, in the order given: the pre-state,
    /// except that of the `active` ones the first in (HLC, author, sequence, id) order is
    /// `counted` and the others are `duplicate` (the ranking of ``signatureStatesSQL(scope:)``).
    static func rank(_ rows: [GroupRow]) -> [String] {
        func precedes(_ a: GroupRow, _ b: GroupRow) -> Bool {
            if a.wall != b.wall { return a.wall < b.wall }
            if a.counter != b.counter { return a.counter < b.counter }
            if a.author != b.author { return a.author.lexicographicallyPrecedes(b.author) }
            if a.sequence != b.sequence { return a.sequence < b.sequence }
            return a.id.lexicographicallyPrecedes(b.id)
        }
        var first: Int?
        for index in rows.indices where rows[index].pre == "active" {
            if let current = first, !precedes(rows[index], rows[current]) { continue }
            first = index
        }
        return rows.indices.map { index in
            rows[index].pre != "active" ? rows[index].pre : index == first ? "counted" : "duplicate"
        }
    }

    /// Every state ``rank(_:)`` can give (docs/READMODELS.md), by index.
    static let finalStates = ["counted", "duplicate", "forked", "unauthorised", "orphan", "withdrawn", "late", "unchecked"]

    /// States that keep a signer out of the "unique" count (`ReadModelSchema.notUnique`).
    static let notUnique: Set<String> = ["unauthorised", "forked", "pending"]

    /// Every signature's state (the rebuild's): the signatures read group by group in the order of
    /// the `(campaign, signer)` index with their pre-states, each group ranked by ``rank(_:)``, and
    /// the changed states written in rowid order. On the way it counts the distinct signers of
    /// each campaign (``uniqueSigners``), which the rebuild's counts take. The whole-table statement
    /// (``refreshAllSignaturesSQL``) sorted every signature by its window's long key and wrote in
    /// that order, a third of a rebuild; the property tests check both give one digest.
    func refreshAllStates() throws {
        let read = try connection.statement("""
            SELECT sg.rowid, sg.id, \(preStateSQL) AS pre, sg.state, sg.hlc_wall, sg.hlc_counter, sg.author, sg.sequence,
                   sg.campaign, sg.signer
            FROM signatures sg LEFT JOIN campaigns c ON c.campaign = sg.campaign
            ORDER BY sg.campaign, \(ReadModelSchema.key8("sg.signer")), sg.signer
            """)
        // Each change packed in 8 bytes, rowid above the state's index (a rebuild's rowids are
        // 1 ... count): ten million signatures hold 80 MB here, not 240.
        var changes: [Int64] = []
        var group: [GroupRow] = []
        var key: (campaign: String, signer: [UInt8]?)?
        uniqueSigners = [:]
        func flush() throws {
            let states = Self.rank(group)
            for (row, state) in zip(group, states) where state != row.state {
                guard let index = Self.finalStates.firstIndex(of: state), (0..<(1 << 59)).contains(row.row) else {
                    // 11 is SQLITE_CORRUPT: the store reports the database as damaged.
                    throw SQLiteError(code: 11, message: "signature row \(row.row) with state \(state) cannot be stored", context: "rebuilding states")
                }
                changes.append(row.row << 4 | Int64(index))
            }
            if let key, key.signer != nil, states.contains(where: { !Self.notUnique.contains($0) }) {
                uniqueSigners[key.campaign, default: 0] += 1
            }
            group.removeAll(keepingCapacity: true)
        }
        while try read.step() {
            let campaign = read.text(8)
            let signer: [UInt8]? = read.isNull(9) ? nil : read.blob(9)
            if let current = key, current.campaign != campaign || current.signer != signer { try flush() }
            key = (campaign, signer)
            group.append(GroupRow(row: read.int64(0), id: read.blob(1), pre: read.text(2), state: read.text(3), wall: read.int64(4),
                                  counter: read.int64(5), author: read.blob(6), sequence: read.int64(7)))
        }
        read.reset()
        try flush()
        changes.sort()
        let update = try connection.statement("UPDATE signatures SET state = ?1 WHERE rowid = ?2")
        for change in changes {
            update.bind(1, Self.finalStates[Int(change & 15)])
            update.bind(2, change >> 4)
            try update.run()
        }
    }

    /// Every signature's state in one statement: the reference definition, which the tests compare
    /// with ``refreshAllStates()``.
    var refreshAllSignaturesSQL: String { signatureStatesSQL(scope: nil) }

    /// The signature states of docs/READMODELS.md, for the signatures `scope` selects (an SQL
    /// condition on `sg` that takes whole (campaign, signer) groups, or only signatures without a
    /// signer reference): forked (held, by an author who may record signatures) → unauthorised →
    /// orphan (campaign unknown) → withdrawn (a valid withdrawal exists) → late (timestamp after the
    /// close, or after the current version's deadline) → unchecked (no signer reference yet) → the first active signature of each (campaign,
    /// signer) in (HLC, author, sequence, id) order is counted, the later ones are duplicates.
    func signatureStatesSQL(scope: String?) -> String {
        if let known = statesSQL["scope " + (scope ?? "")] { return known }
        let text = makeSignatureStatesSQL(scope: scope)
        statesSQL["scope " + (scope ?? "")] = text
        return text
    }

    /// A signature's state before ranking, for the row `sg` of `signatures` joined with its
    /// campaign `c` (docs/READMODELS.md): `active`, or the state that keeps it from counting.
    var preStateSQL: String {
        if let known = statesSQL["pre"] { return known }
        let rightful = """
            (sg.author = x'\(Hex.encode(policy.hq.bytes))' OR sg.author IN (SELECT device FROM devices
                WHERE role IN (\(Role.sqlList(mayWrite: .signatureRecorded))) AND (revoked_after IS NULL OR sg.sequence <= revoked_after)))
            """
        let text = """
            CASE
                    WHEN EXISTS (SELECT 1 FROM held_entries h WHERE h.id = sg.id) AND \(rightful) THEN 'forked'
                    WHEN sg.authorised = 0 THEN 'unauthorised'
                    WHEN c.campaign IS NULL THEN 'orphan'
                    WHEN EXISTS (SELECT 1 FROM withdrawals w WHERE w.signature = sg.id AND w.valid = 1) THEN 'withdrawn'
                    WHEN c.closed_at IS NOT NULL AND (sg.hlc_wall, sg.hlc_counter) > (c.closed_at, c.closed_counter) THEN 'late'
                    WHEN c.deadline IS NOT NULL AND sg.hlc_wall > c.deadline THEN 'late'
                    WHEN sg.signer IS NULL THEN 'unchecked'
                    ELSE 'active'
                END
            """
        statesSQL["pre"] = text
        return text
    }

    private func makeSignatureStatesSQL(scope: String?) -> String {
        """
        WITH base AS (
            SELECT sg.rowid AS row, sg.id, sg.campaign, sg.signer, sg.hlc_wall, sg.hlc_counter, sg.author, sg.sequence,
                \(preStateSQL) AS pre
            FROM signatures sg LEFT JOIN campaigns c ON c.campaign = sg.campaign\(scope.map { "\n            WHERE \($0)" } ?? "")
        ), ranked AS (
            SELECT row, CASE
                WHEN pre <> 'active' THEN pre
                WHEN ROW_NUMBER() OVER (PARTITION BY campaign, signer, pre ORDER BY hlc_wall, hlc_counter, author, sequence, id) = 1 THEN 'counted'
                ELSE 'duplicate'
            END AS state
            FROM base
        )
        UPDATE signatures SET state = ranked.state FROM (SELECT row, state FROM ranked ORDER BY row) AS ranked
            WHERE signatures.rowid = ranked.row AND signatures.state <> ranked.state
        """
    }

    /// One signature's `erased` flag (`?1`, its id): set when an authorised `payload.erased` names
    /// it and its payload digest. The row is written only when the flag changes: the projector
    /// runs this for every new signature, whose flag is almost always 0.
    static let refreshErasedSQL = """
        UPDATE signatures SET erased = \(erasedSQL)
            WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1")) AND erased IS NOT \(erasedSQL)
        """

    /// A signature row's `erased` flag as its erasures give it (0 or 1).
    private static let erasedSQL = """
        EXISTS (SELECT 1 FROM erasures e WHERE e.signature = signatures.id AND e.payload = signatures.payload AND e.authorised = 1)
        """

    static let refreshAllCommentsSQL = """
        UPDATE comments SET
            withdrawn = EXISTS (SELECT 1 FROM withdrawals w WHERE w.signature = comments.signature AND w.valid = 1),
            hidden = EXISTS (SELECT 1 FROM comment_hides h WHERE h.comment = comments.id AND h.authorised = 1),
            hidden_reason = (SELECT h.reason FROM comment_hides h WHERE h.comment = comments.id AND h.authorised = 1
                             ORDER BY h.hlc_wall, h.hlc_counter, h.author, h.sequence LIMIT 1)
        """

    /// Recomputes one comment's visibility: hidden when an authorised `comment.hidden` names it;
    /// the earliest hide gives the reason.
    func refreshComment(_ comment: Digest) throws {
        let statement = try connection.statement(Self.refreshAllCommentsSQL + " WHERE id = ?")
        statement.bind(1, comment.bytes)
        try statement.run()
    }
}
