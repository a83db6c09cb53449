import Foundation

/// Turns entries into the read models, inside the transaction that stores them.
///
/// Two steps (docs/READMODELS.md):
/// 1. ``apply(_:)`` records each entry's *base facts*: one row keyed by the entry id, a function
///    of that entry alone (and of the trust policy), so arrival order cannot matter;
/// 2. ``finish()`` recomputes the *derived state* (campaign state and version, signature state,
///    withdrawal validity, comment visibility) of everything the batch touched, from the base
///    facts, ordering by (HLC timestamp, author, sequence) where order matters.
/// So the tables are a pure function of the set of entries stored.
final class Projector {
    let connection: SQLiteConnection
    let ledger: Digest
    private(set) var policy: TrustPolicy
    var dirtyGroups: Set<SignatureGroup> = []
    var dirtyCampaigns: Set<String> = []
    var dirtySignatures: Set<Digest> = []
    var dirtyComments: Set<Digest> = []
    /// Payloads deleted by `payload.erased` entries applied so far (the store checkpoints its WAL
    /// after such a transaction, so no copy stays behind).
    private(set) var erasedPayloads = 0
    /// Signatures whose effective signer reference (their own, or HQ's `signer.referenced`) must
    /// be recomputed.
    var dirtySigners: Set<Digest> = []
    /// Signatures without a signer reference whose state must be recomputed, one by one.
    var dirtyUnchecked: Set<Digest> = []
    /// Authors whose forked region (docs/FORMAT.md section 8, "Forks") must be recomputed.
    var dirtyForks: Set<PublicKey> = []
    /// Authors whose log has forked, as stored when the projector was made.
    private var forkedAuthors: Set<PublicKey> = []
    private var policyChanged = false
    /// The trust policy as stored when this projector was made or last finished; ``finish()``
    /// compares it with the one the batch left, key by key.
    private var committedPolicy: TrustPolicy
    /// ``signatureStatesSQL(scope:)`` by scope: the text is the same for the projector's life
    /// (it names HQ's key and the roles' rights), and building it cost more than running it.
    var statesSQL: [String: String] = [:]
    /// Distinct signer references per campaign among signatures not `unauthorised`, `forked` or
    /// `pending` (the "unique" count), found by ``refreshAllStates()`` on its way through the groups.
    var uniqueSigners: [String: Int64] = [:]
    /// While ``countingGroups(_:)`` runs: the change of each count so far, written at its end.
    var countDeltas: [CountKey: Int64]?

    /// A `signature.recorded`'s row, built once (it was built again for every signature).
    static let insertSignatureSQL = """
        \(signatureInsert) SELECT \(signatureValues), 'pending'
        WHERE NOT EXISTS (SELECT 1 FROM signatures other WHERE \(ReadModelSchema.signatureLookup("other", id: "?1")))
        """

    /// The rebuild's insert of a log entry's signature (``bulkInsert``): the log's ids are
    /// unique (`entries.id`), so no row can be there already and no lookup is made; the
    /// rebuild creates `signatures_by_id` after them. The row starts as `counted`, the state
    /// most signatures end in: no count trigger exists yet, nothing reads a state before
    /// ``refreshAllStates()``, and that writes only the rows whose state differs (every row was
    /// written twice when each started as `pending`: a fifth of a rebuild).
    static let bulkInsertSignatureSQL = "\(signatureInsert) VALUES (\(signatureValues), 'counted')"

    /// The columns of both inserts, and the parameters `apply` binds to them (the body's signer,
    /// `?15`, is also the effective one until HQ's reference is looked for); the state follows.
    private static let signatureInsert = """
        INSERT INTO signatures
            (id, campaign, version, author, sequence, hlc_wall, hlc_counter, day, channel, paper_list, paper_row,
             country, postcode_area, consent, body_signer, signer, receipt_hash, payload, authorised, state)
        """
    private static let signatureValues = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17, ?18"

    /// True while a rebuild applies the log's own entries (not branch entries): signatures are
    /// inserted with ``bulkInsertSignatureSQL``.
    var bulkInsert = false

    struct SignatureGroup: Hashable {
        var campaign: String
        var signer: [UInt8]

        /// The signer's bytes in one call, not one by one as the synthesized hash does.
        func hash(into hasher: inout Hasher) {
            hasher.combine(campaign)
            signer.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    init(connection: SQLiteConnection, ledger: Digest, policy: TrustPolicy) throws {
        self.connection = connection
        self.ledger = ledger
        self.policy = policy
        self.committedPolicy = policy
        let forked = try connection.statement("SELECT author FROM forked_logs")
        defer { forked.reset() }
        while try forked.step() { if let key = PublicKey(forked.blob(0)) { forkedAuthors.insert(key) } }
    }

    /// Loads the trust policy from the `devices` table.
    static func loadPolicy(_ connection: SQLiteConnection, hq: PublicKey) throws -> TrustPolicy {
        var policy = TrustPolicy(hq: hq)
        let statement = try connection.statement("""
            SELECT device, role, revoked_after, enrolled_wall, enrolled_counter, enrolled_sequence, enrolled_by FROM devices
            """)
        defer { statement.reset() }
        while try statement.step() {
            guard let key = PublicKey(statement.blob(0)), let role = Role(rawValue: statement.text(1)) else { continue }
            policy.enrol(key, role: role, at: TrustPolicy.EnrolmentOrder(
                wall: statement.uint64(3), counter: statement.uint32(4),
                sequence: statement.uint64(5), id: statement.blob(6)))
            if !statement.isNull(2) { policy.revoke(key, after: statement.uint64(2)) }
        }
        return policy
    }

    private func authorised(_ entry: Entry) -> Int64 {
        policy.allows(entry.author, toWrite: entry.type, sequence: entry.sequence) ? 1 : 0
    }

    // MARK: - Step 1: base facts

    /// Records an entry's base facts. `decoded` is its typed body when the caller already has it;
    /// `branch` is true for a branch entry of a forked log (it counts by the same rules, once its
    /// region is adopted).
    func apply(_ entry: Entry, decoded: (any EventBody)? = nil, branch: Bool = false) throws {
        guard let type = EventType(rawValue: entry.type) else { return }
        if branch || forkedAuthors.contains(entry.author) {
            dirtyForks.insert(entry.author)
            forkedAuthors.insert(entry.author)
        }
        func typed<Body: EventBody>(_ type: Body.Type) throws -> Body {
            if let decoded = decoded as? Body { return decoded }
            return try entry.decodeBody(Body.self)
        }
        switch type {
        case .ledgerCreated:
            return
        case .deviceEnrolled:
            guard entry.author == policy.hq else { return }
            let body = try typed(DeviceEnrolled.self)
            guard let device = PublicKey(hex: body.device) else { return }
            // A key enrolled twice: the earliest enrolment (timestamp order) gives its name and
            // role, whatever the arrival order (docs/READMODELS.md, "Devices").
            let statement = try connection.statement("""
                INSERT INTO devices (device, name, role, enrolled_by, enrolled_wall, enrolled_counter, enrolled_sequence) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (device) DO UPDATE SET name = excluded.name, role = excluded.role, enrolled_by = excluded.enrolled_by,
                    enrolled_wall = excluded.enrolled_wall, enrolled_counter = excluded.enrolled_counter, enrolled_sequence = excluded.enrolled_sequence
                WHERE (excluded.enrolled_wall, excluded.enrolled_counter, excluded.enrolled_sequence, excluded.enrolled_by)
                    < (devices.enrolled_wall, devices.enrolled_counter, devices.enrolled_sequence, devices.enrolled_by)
                """)
            statement.bind(1, device.bytes)
            statement.bind(2, body.name)
            statement.bind(3, body.role.rawValue)
            statement.bind(4, entry.id.bytes)
            statement.bind(5, Int64(entry.timestamp.wall))
            statement.bind(6, Int64(entry.timestamp.counter))
            statement.bind(7, Int64(entry.sequence))
            try statement.run()
            policy.enrol(device, role: body.role, at: TrustPolicy.EnrolmentOrder(entry))
            policyChanged = true
        case .deviceRevoked:
            guard entry.author == policy.hq else { return }
            let body = try typed(DeviceRevoked.self)
            guard let device = PublicKey(hex: body.device) else { return }
            // The lowest revocation point wins, whatever the arrival order.
            let statement = try connection.statement("""
                UPDATE devices SET revoked_after = ?, revoked_by = ?
                WHERE device = ? AND (revoked_after IS NULL OR revoked_after > ?1 OR (revoked_after = ?1 AND revoked_by > ?2))
                """)
            statement.bind(1, max(0, body.afterSequence))
            statement.bind(2, entry.id.bytes)
            statement.bind(3, device.bytes)
            try statement.run()
            policy.revoke(device, after: UInt64(max(0, body.afterSequence)))
            policyChanged = true
        case .campaignPublished, .campaignUpdated:
            let body: CampaignPublished
            if let updated = decoded as? CampaignUpdated {
                body = CampaignPublished(campaign: updated.campaign, languages: updated.languages, texts: updated.texts, goal: updated.goal,
                                         deadline: updated.deadline, retentionDays: updated.retentionDays, link: updated.link)
            } else {
                body = try typed(CampaignPublished.self)
            }
            let title = body.languages.first.flatMap { body.texts[$0]?.title } ?? body.campaign
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO campaign_versions
                    (id, campaign, kind, author, sequence, hlc_wall, hlc_counter, authorised, title, goal, deadline, body, retention_days)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            bindCommon(statement, entry, from: 1, campaign: body.campaign, extra: type == .campaignPublished ? "published" : "updated")
            statement.bind(8, authorised(entry))
            statement.bind(9, title)
            statement.bind(10, body.goal)
            statement.bind(11, body.deadline.flatMap(Timestamps.parse).map { Int64($0) })
            statement.bind(12, entry.body)
            statement.bind(13, body.retentionDays)
            try statement.run()
            dirtyCampaigns.insert(body.campaign)
        case .campaignClosed:
            let body = try typed(CampaignClosed.self)
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO campaign_closes (id, campaign, author, sequence, hlc_wall, hlc_counter, authorised, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, body.campaign)
            bindPosition(statement, entry, from: 3)
            statement.bind(7, authorised(entry))
            statement.bind(8, body.reason)
            try statement.run()
            dirtyCampaigns.insert(body.campaign)
        case .signatureRecorded:
            let body = try typed(SignatureRecorded.self)
            let signer = body.signer.flatMap(Hex.decode)
            // The id is not the table's key (schema 13, `ReadModelSchema.key8`): a
            // signature already projected is left as it is, as `INSERT OR IGNORE` did.
            let statement = try connection.statement(bulkInsert ? Self.bulkInsertSignatureSQL : Self.insertSignatureSQL)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, body.campaign)
            statement.bind(3, Hex.decode(body.campaignVersion) ?? [])
            bindPosition(statement, entry, from: 4)
            statement.bind(8, Timestamps.day(millis: entry.timestamp.wall))
            statement.bind(9, body.channel.rawValue)
            statement.bind(10, body.paperList)
            statement.bind(11, body.paperRow)
            statement.bind(12, body.country)
            statement.bind(13, body.postcodeArea)
            statement.bind(14, Int64(body.consentContact ? 1 : 0))
            statement.bind(15, signer)
            statement.bind(16, Hex.decode(body.receiptHash) ?? [])
            statement.bind(17, entry.payloadDigest?.bytes ?? [])
            statement.bind(18, authorised(entry))
            try statement.run()
            // The effective signer is the body's own when it has one (refreshSignerSQL gives
            // the same), stored with the row; otherwise HQ's reference, found in finish(). The
            // state follows in finish() for the signature's group (refreshWithdrawals names it).
            if signer == nil || connection.changes == 0 { dirtySigners.insert(entry.id) }
            dirtySignatures.insert(entry.id)
        case .signatureWithdrawn:
            let body = try typed(SignatureWithdrawn.self)
            let target = Digest(hex: body.signature) ?? .zero
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO withdrawals (id, signature, author, sequence, hlc_wall, hlc_counter, receipt, authorised, valid, erase)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                """)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, target.bytes)
            bindPosition(statement, entry, from: 3)
            statement.bind(7, body.receipt)
            statement.bind(8, authorised(entry))
            statement.bind(9, Int64(body.erase == true ? 1 : 0))
            try statement.run()
            dirtySignatures.insert(target)
        case .commentPosted:
            let body = try typed(CommentPosted.self)
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO comments
                    (id, campaign, author, sequence, hlc_wall, hlc_counter, display_name, text, signature, authorised, hidden)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                """)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, body.campaign)
            bindPosition(statement, entry, from: 3)
            statement.bind(7, body.displayName)
            statement.bind(8, body.text)
            statement.bind(9, body.signature.flatMap(Hex.decode))
            statement.bind(10, authorised(entry))
            try statement.run()
            dirtyComments.insert(entry.id)
        case .signerReferenced:
            let body = try typed(SignerReferenced.self)
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO signer_references (id, signature, signer, author, sequence, hlc_wall, hlc_counter, authorised)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for reference in body.references {
                guard let signature = Digest(hex: reference.signature), let signer = Hex.decode(reference.signer) else { continue }
                statement.bind(1, entry.id.bytes)
                statement.bind(2, signature.bytes)
                statement.bind(3, signer)
                bindPosition(statement, entry, from: 4)
                statement.bind(8, authorised(entry))
                try statement.run()
                dirtySigners.insert(signature)
            }
        case .payloadErased:
            let body = try typed(PayloadErased.self)
            guard let target = Digest(hex: body.signature), let digest = Digest(hex: body.payload) else { return }
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO erasures (id, signature, payload, author, sequence, hlc_wall, hlc_counter, authorised, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, target.bytes)
            statement.bind(3, digest.bytes)
            bindPosition(statement, entry, from: 4)
            statement.bind(8, authorised(entry))
            statement.bind(9, body.reason)
            try statement.run()
            if authorised(entry) == 1 {
                // The payload goes, on every node this entry reaches; `secure_delete` zeroes it.
                let delete = try connection.statement("DELETE FROM payloads WHERE digest = ?")
                delete.bind(1, digest.bytes)
                try delete.run()
                erasedPayloads += connection.changes
                let unwant = try connection.statement("DELETE FROM payloads_wanted WHERE digest = ?")
                unwant.bind(1, digest.bytes)
                try unwant.run()
            }
            dirtySignatures.insert(target)
        case .forkAdopted:
            let body = try typed(ForkAdopted.self)
            guard let device = PublicKey(hex: body.device) else { return }
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO fork_adoptions (id, head, device, author, sequence, authorised, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for head in body.heads.compactMap(Digest.init(hex:)) {
                statement.bind(1, entry.id.bytes)
                statement.bind(2, head.bytes)
                statement.bind(3, device.bytes)
                statement.bind(4, entry.author.bytes)
                statement.bind(5, Int64(entry.sequence))
                statement.bind(6, authorised(entry))
                statement.bind(7, body.reason)
                try statement.run()
            }
            dirtyForks.insert(device)
            forkedAuthors.insert(device)
        case .commentHidden:
            let body = try typed(CommentHidden.self)
            let target = Digest(hex: body.comment) ?? .zero
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO comment_hides (id, comment, author, sequence, hlc_wall, hlc_counter, authorised, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, target.bytes)
            bindPosition(statement, entry, from: 3)
            statement.bind(7, authorised(entry))
            statement.bind(8, body.reason)
            try statement.run()
            dirtyComments.insert(target)
        case .paperIssued:
            let body = try typed(PaperIssued.self)
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO paper_lists (id, campaign, list, rows, device, author, sequence, hlc_wall, hlc_counter, authorised)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, body.campaign)
            statement.bind(3, body.list)
            statement.bind(4, body.rows)
            statement.bind(5, body.device.flatMap(Hex.decode))
            bindPosition(statement, entry, from: 6)
            statement.bind(10, authorised(entry))
            try statement.run()
        }
    }

    /// Binds id, campaign, kind, then author, sequence, wall, counter at `from`…`from + 6`.
    private func bindCommon(_ statement: Statement, _ entry: Entry, from: Int32, campaign: String, extra: String) {
        statement.bind(from, entry.id.bytes)
        statement.bind(from + 1, campaign)
        statement.bind(from + 2, extra)
        bindPosition(statement, entry, from: from + 3)
    }

    /// Binds author, sequence, wall, counter.
    private func bindPosition(_ statement: Statement, _ entry: Entry, from: Int32) {
        statement.bind(from, entry.author.bytes)
        statement.bind(from + 1, Int64(entry.sequence))
        statement.bind(from + 2, Int64(entry.timestamp.wall))
        statement.bind(from + 3, Int64(entry.timestamp.counter))
    }

    // MARK: - Step 2: derived state

    /// Recomputes the derived state of everything touched since the last call.
    func finish() throws {
        // The trust policy as the devices table resolved it (the earliest enrolment of a key holds,
        // whatever order this batch applied them in), and the devices whose role or revocation
        // point this transaction changed: a flag depends on its own author's policy alone, so
        // only the rows they wrote can change theirs.
        var rightfulChanged: Set<PublicKey> = []
        if policyChanged {
            let loaded = try Projector.loadPolicy(connection, hq: policy.hq)
            rightfulChanged = committedPolicy.keysChanged(in: loaded)
            policy = loaded
            committedPolicy = loaded
            policyChanged = false
        }
        try refreshSigners()
        var authors = rightfulChanged
        for author in dirtyForks.sorted(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) where try refreshFork(author) {
            authors.insert(author)
        }
        dirtyForks.removeAll()
        try refreshAuthorisation(authors: authors, rightfulChanged: rightfulChanged)
        let erased = try connection.statement(Self.refreshErasedSQL)
        let comments = try connection.statement("SELECT id FROM comments WHERE signature = ?")
        for signature in dirtySignatures {
            for group in try refreshWithdrawals(of: signature) { dirtyGroups.insert(group) }
            erased.bind(1, signature.bytes)
            try erased.run()
            // A withdrawn signer's comment leaves the public list with the signature.
            comments.bind(1, signature.bytes)
            while try comments.step() { if let id = Digest(comments.blob(0)) { dirtyComments.insert(id) } }
            comments.reset()
        }
        // A campaign that appeared or went is re-ranked whole (every `orphan` changes); one whose
        // close or deadline moved, only where lateness can change; one with new texts, not at all.
        var reranked: Set<String> = []
        for campaign in dirtyCampaigns.sorted() {
            switch try refreshCampaign(campaign) {
            case .none:
                break
            case .lateness(let old, let new):
                try markLatenessChange(campaign: campaign, from: old, to: new)
            case .whole:
                try refreshSignatures(campaign: campaign, signer: nil)
                reranked.insert(campaign)
            }
        }
        try countingGroups(dirtyGroups.filter { !reranked.contains($0.campaign) })
        if !dirtyUnchecked.isEmpty {
            let campaignOf = try connection.statement("SELECT campaign FROM signatures WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
            for id in dirtyUnchecked {
                campaignOf.bind(1, id.bytes)
                let campaign = try campaignOf.step() ? campaignOf.text(0) : nil
                campaignOf.reset()
                if let campaign, !reranked.contains(campaign) { try refreshSignatures(campaign: campaign, signer: nil, only: id) }
            }
        }
        for comment in dirtyComments { try refreshComment(comment) }
        dirtyGroups.removeAll()
        dirtyCampaigns.removeAll()
        dirtySignatures.removeAll()
        dirtyComments.removeAll()
        dirtyUnchecked.removeAll()
    }

    /// Recomputes every derived value from the base facts (after a rebuild).
    /// During a rebuild: forgets what the entries applied so far marked for recomputation, since
    /// ``finishAll()`` recomputes every derived row anyway. Called every few thousand entries, it
    /// keeps a rebuild's memory flat however many entries it projects (the sets held every
    /// signature id: about 300 MB at a million entries).
    func forgetDirtyForRebuild() {
        dirtyGroups.removeAll()
        dirtyCampaigns.removeAll()
        dirtySignatures.removeAll()
        dirtyComments.removeAll()
        dirtySigners.removeAll()
        dirtyUnchecked.removeAll()
        dirtyForks.removeAll()
    }

    func finishAll() throws {
        policy = try Projector.loadPolicy(connection, hq: policy.hq)
        // apply() stored each body's own signer with its row: only the rows without one look
        // for HQ's reference (rewriting every row cost a tenth of a rebuild).
        try connection.execute(Self.refreshSignerSQL + " WHERE body_signer IS NULL")
        dirtySigners.removeAll()
        let forked = try connection.statement("SELECT DISTINCT author FROM forks UNION SELECT device FROM fork_adoptions")
        var authors: [PublicKey] = []
        while try forked.step() { if let key = PublicKey(forked.blob(0)) { authors.append(key) } }
        forked.reset()
        for author in authors { _ = try refreshFork(author) }
        dirtyForks.removeAll()
        try refreshAllAuthorisation()
        committedPolicy = policy
        policyChanged = false
        let withdrawals = try connection.statement("SELECT DISTINCT signature FROM withdrawals")
        var targets: [Digest] = []
        while try withdrawals.step() { if let id = Digest(withdrawals.blob(0)) { targets.append(id) } }
        withdrawals.reset()
        for target in targets { _ = try refreshWithdrawals(of: target) }
        let campaigns = try connection.statement("""
            SELECT campaign FROM campaign_versions UNION SELECT campaign FROM campaign_closes
            UNION SELECT campaign FROM signatures ORDER BY 1
            """)
        var names: [String] = []
        while try campaigns.step() { names.append(campaigns.text(0)) }
        campaigns.reset()
        for campaign in names { try refreshCampaign(campaign) }
        try refreshAllStates()
        // Every row was inserted with erased = 0: only those an erasure names are written.
        try connection.execute("""
            UPDATE signatures SET erased = 1 WHERE erased = 0 AND EXISTS (SELECT 1 FROM erasures e
                WHERE e.signature = signatures.id AND e.payload = signatures.payload AND e.authorised = 1)
            """)
        try connection.execute(Self.refreshAllCommentsSQL)
        dirtyGroups.removeAll()
        dirtyCampaigns.removeAll()
        dirtySignatures.removeAll()
        dirtyComments.removeAll()
    }
}
