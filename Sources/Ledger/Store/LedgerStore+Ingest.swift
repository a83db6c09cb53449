/// How much of a received batch is checked cryptographically (docs/FORMAT.md, "Verifying a log").
public enum VerificationMode: String, Sendable, Codable {
    /// Every signature.
    case full
    /// Every link and id, and the signature of the last entry of each author's segment (and of
    /// every branch entry).
    case fast
}

/// What ``LedgerStore/ingest(_:payloads:verification:)`` did.
public struct IngestReport: Sendable, Equatable, Codable {
    /// Entries stored now (log and branch entries).
    public var added = 0
    /// Entries this store already held.
    public var known = 0
    /// Payloads stored now.
    public var payloadsAdded = 0
    /// Payloads refused because HQ erased them (`payload.erased`).
    public var payloadsRefused = 0
    /// Payloads deleted by the `payload.erased` entries stored now.
    public var payloadsErased = 0
    /// Branch entries of forked logs stored now (docs/FORMAT.md section 8, "Forks"), one fault each.
    public var forks: [EntryFault] = []
    /// Entries refused and not stored: branch entries beyond the bounds (`fork-limit`).
    public var refused: [EntryFault] = []
    /// Entries stored as evidence that do not count: their author was revoked before their
    /// sequence number (`unauthorised`).
    public var outsideRights: [EntryFault] = []
}

/// The bounds on branch entries (docs/FORMAT.md section 8, "Forks").
public enum ForkLimits {
    /// Most different entries held at one (author, sequence).
    public static let entriesPerSequence = 4
    /// Most branch entries held per author, except HQ's root key.
    public static let branchEntriesPerAuthor = 10_000
}

extension LedgerStore {
    /// Verifies and stores received entries and payloads in one transaction: all or nothing (except
    /// branch entries over the bounds, which are refused one by one and reported).
    ///
    /// Entries this store already holds are skipped, so ingesting the same batch twice adds nothing.
    /// An entry that links to a held entry other than its log's head (a fork) is verified like any
    /// entry and stored as a branch entry. Any other fault (bad signature, gap, broken link, wrong
    /// ledger, unknown author, invalid body, payload matching no entry) rejects the whole batch
    /// with that entry named. `progress` hears "checking entries", "checking signatures" and
    /// "storing entries".
    public func ingest(_ incoming: [Entry], payloads: [[UInt8]] = [], verification: VerificationMode = .full,
                       progress: (WorkProgress) -> Void = { _ in }) throws -> IngestReport {
        try locked {
            let report = try connection.writeTransaction {
                try ingestLocked(incoming, payloads: payloads, verification: verification, progress: progress)
            }
            truncateWALIfDue()
            return report
        }
    }

    /// The `meta` key that says an erasure's WAL is still to be truncated (docs/PRIVACY.md,
    /// "Erasure"). It is written in the erasing transaction, so a crash before the truncation
    /// leaves it for the next open.
    static let walTruncateKey = "wal.truncate.due"

    /// Records, in the erasing transaction, that the WAL must be truncated once it commits.
    func markWALTruncateDue() throws {
        try setMeta(Self.walTruncateKey, [1])
        walTruncateDue = true
    }

    /// After payloads were erased: copies the WAL into the database and truncates it, so the
    /// erased bytes are in no file of the data folder (docs/PRIVACY.md, "Erasure"). It does not
    /// wait: while another connection (a `ledgerctl` in another process, a reader of ledgerd)
    /// holds a read snapshot, SQLite cannot truncate, and waiting for it held the writer, and
    /// every kiosk, for the 30-second busy timeout. Then it stays due: tried again after every
    /// later write of this process, at every open, and by ledgerd every few minutes
    /// (``truncateWALAfterErasure()``). Runs inside `locked`, outside any transaction.
    func truncateWALIfDue() {
        guard walTruncateDue, connection.truncateWAL() else { return }
        // Cleared after the truncation: a new frame of `meta` only, which holds no payload.
        let cleared: Bool? = try? connection.writeTransaction {
            let statement = try connection.statement("DELETE FROM meta WHERE key = ?")
            statement.bind(1, Self.walTruncateKey)
            try statement.run()
            return true
        }
        if cleared == true { walTruncateDue = false }
    }

    /// Truncates the WAL if an erasure left it due and no other connection is in the way;
    /// ledgerd calls it every few minutes. Returns true when nothing is left due.
    @discardableResult
    public func truncateWALAfterErasure() throws -> Bool {
        try locked {
            if !walTruncateDue { walTruncateDue = try meta(Self.walTruncateKey) != nil }
            truncateWALIfDue()
            return !walTruncateDue
        }
    }

    /// True when an authorised `payload.erased` names this payload digest.
    func isErased(_ digest: Digest) throws -> Bool {
        try isErased(digest, in: connection)
    }

    /// ``isErased(_:)``, read through `db`.
    func isErased(_ digest: Digest, in db: SQLiteConnection) throws -> Bool {
        let statement = try db.statement("SELECT 1 FROM erasures WHERE payload = ? AND authorised = 1 LIMIT 1")
        statement.bind(1, digest.bytes)
        defer { statement.reset() }
        return try statement.step()
    }

    private struct Placed {
        var entry: Entry
        var branch: Bool
        var conflictsWith: Digest?
        /// The typed body the content check decoded, for the projector.
        var decoded: (any EventBody)?
    }

    /// The outcome of one entry's content check (``EntryVerifier/checkContent(_:ledger:hq:decoded:)``).
    private struct ContentCheck: Sendable {
        var fault: EntryFault?
        var decoded: (any EventBody)?
    }

    private func ingestLocked(_ incoming: [Entry], payloads: [[UInt8]], verification: VerificationMode,
                              progress: (WorkProgress) -> Void) throws -> IngestReport {
        var report = IngestReport()
        let (ledger, hq, genesis) = try identity(for: incoming)
        var policy = ledgerID == nil ? TrustPolicy(hq: hq) : try Projector.loadPolicy(connection, hq: hq)
        var fresh: [Entry] = []
        var position: [Digest: Int] = [:]
        for entry in incoming where position[entry.id] == nil {
            position[entry.id] = position.count
            if try holds(entry.id) { report.known += 1 } else { fresh.append(entry) }
        }
        // Content checks (the body's JSON above all) need no store: all of them on every core
        // first, each fault then raised where the loop below meets its entry, as before.
        let contentChecks = ParallelSignatures.map(fresh) { entry in
            var decoded: (any EventBody)?
            let fault = EntryVerifier.checkContent(entry, ledger: ledger, hq: hq, decoded: &decoded)
            return ContentCheck(fault: fault, decoded: decoded)
        }
        var checkIndex: [Digest: Int] = [:]
        checkIndex.reserveCapacity(fresh.count)
        for (index, entry) in fresh.enumerated() { checkIndex[entry.id] = index }
        let byAuthor = Dictionary(grouping: fresh, by: \.author)
        // HQ's log first, so the genesis entry and enrolments are stored before what they admit.
        let authors = byAuthor.keys.sorted { ($0 == hq ? 0 : 1, $0) < ($1 == hq ? 0 : 1, $1) }
        var placed: [Placed] = []
        var signatureChecks: [Entry] = []
        var accepted: [Digest: EntryVerifier.LinkPoint] = [:]
        for author in authors {
            // Ascending sequence, so every entry comes after the one it links to; at one sequence,
            // in the order given (a bundle lists the exporter's log before its branch entries, so
            // the importer keeps the same log).
            let entries = byAuthor[author, default: []].sorted { ($0.sequence, position[$0.id] ?? 0) < ($1.sequence, position[$1.id] ?? 0) }
            if policy.role(of: author) == nil, let first = entries.first {
                throw StoreError.rejected(EntryFault(.unknownAuthor, entry: first, detail: "author is neither HQ nor an enrolled device"))
            }
            var head = try headPoint(of: author)
            var branchEntries = try branchCount(of: author)
            var addedAt: [UInt64: Int] = [:]
            var refusedIDs: Set<Digest> = []
            var lastOnLog: Entry?
            for entry in entries {
                WorkProgress.report(progress, "checking entries", placed.count + report.refused.count + 1, of: fresh.count, every: 1000)
                if refusedIDs.contains(entry.previous) {
                    refusedIDs.insert(entry.id)
                    report.refused.append(EntryFault(.forkLimit, entry: entry, detail: "builds on a branch entry refused over the bounds"))
                    continue
                }
                let content = checkIndex[entry.id].map { contentChecks[$0] }
                if entry.id == genesis?.id && head == nil {
                    // Checked by identity(for:).
                } else if let fault = content?.fault {
                    throw StoreError.rejected(fault)
                }
                let predecessor: EntryVerifier.LinkPoint?
                if entry.sequence == 1 {
                    predecessor = nil
                } else if let point = try accepted[entry.previous] ?? heldLinkPoint(id: entry.previous, author: author),
                          point.sequence == entry.sequence - 1 {
                    predecessor = point
                } else {
                    // Not linked to anything held: a gap above the log's head, else a broken link.
                    let top = head?.sequence ?? 0
                    throw StoreError.rejected(entry.sequence > top + 1
                        ? EntryFault(.sequenceGap, entry: entry, detail: "sequence \(entry.sequence) follows \(top), the last this node holds")
                        : EntryFault(.brokenLink, entry: entry, detail: "previous id \(entry.previous.short) is not the id of an entry this node holds at sequence \(entry.sequence - 1)"))
                }
                if let fault = EntryVerifier.checkLink(entry, after: predecessor) { throw StoreError.rejected(fault) }
                let extendsLog = predecessor?.id == head?.id && (head?.sequence ?? 0) == entry.sequence - 1
                if extendsLog {
                    placed.append(Placed(entry: entry, branch: false, decoded: content?.decoded))
                    head = EntryVerifier.LinkPoint(entry)
                    lastOnLog = entry
                    if verification == .full { signatureChecks.append(entry) }
                } else {
                    let atSequence = try heldCount(author: author, sequence: entry.sequence) + addedAt[entry.sequence, default: 0]
                    if atSequence >= ForkLimits.entriesPerSequence || (author != hq && branchEntries >= ForkLimits.branchEntriesPerAuthor) {
                        refusedIDs.insert(entry.id)
                        report.refused.append(EntryFault(.forkLimit, entry: entry, detail: atSequence >= ForkLimits.entriesPerSequence
                            ? "already \(atSequence) different entries at this sequence (at most \(ForkLimits.entriesPerSequence) are kept)"
                            : "this author already has \(branchEntries) branch entries (at most \(ForkLimits.branchEntriesPerAuthor) are kept)"))
                        continue
                    }
                    let conflictsWith = try storedID(author: author, sequence: entry.sequence)
                    placed.append(Placed(entry: entry, branch: true, conflictsWith: conflictsWith, decoded: content?.decoded))
                    branchEntries += 1
                    signatureChecks.append(entry)  // a branch is short: check every signature
                }
                addedAt[entry.sequence, default: 0] += 1
                accepted[entry.id] = EntryVerifier.LinkPoint(entry)
                if author == hq { policy.learn(from: entry) }
                if policy.isRevoked(author, at: entry.sequence) {
                    report.outsideRights.append(EntryFault(.unauthorised, entry: entry, detail: "the device was revoked before this sequence number; kept as evidence, not counted"))
                }
            }
            // Fast mode: the last log entry's signature authenticates the linked run below it.
            if verification == .fast, let lastOnLog { signatureChecks.append(lastOnLog) }
        }
        progress(WorkProgress(phase: "checking signatures", done: 0, total: signatureChecks.count))
        if let bad = ParallelSignatures.invalidIndices(signatureChecks).first {
            throw StoreError.rejected(EntryFault(.badSignature, entry: signatureChecks[bad], detail: "Ed25519 signature does not verify under the author's key"))
        }
        // Payloads must each belong to an entry in the batch or the store.
        let wanted = Set(placed.compactMap(\.entry.payloadDigest))
        let refusedPayloads = Set(fresh.filter { entry in report.refused.contains { $0.id == entry.id.hex } }.compactMap(\.payloadDigest))
        var newPayloads: [[UInt8]] = []
        for payload in payloads {
            let digest = Digest.sha256(payload)
            if try !wanted.contains(digest) && !storedEntryCarries(payload: digest) {
                if refusedPayloads.contains(digest) { continue }  // its entry was refused over the bounds
                throw StoreError.orphanPayload(digest: digest)
            }
            newPayloads.append(payload)
        }

        try syncClockFromDisk()
        if let genesis, ledgerID == nil { try adopt(genesis: genesis) }
        let projector = try makeProjector()
        progress(WorkProgress(phase: "checking signatures", done: signatureChecks.count, total: signatureChecks.count))
        for (index, item) in placed.enumerated() {
            WorkProgress.report(progress, "storing entries", index + 1, of: placed.count, every: 1000)
            if item.branch {
                try insertBranch(item.entry, conflictsWith: item.conflictsWith)
                report.forks.append(EntryFault(.fork, entry: item.entry, detail: item.conflictsWith.map { "conflicts with entry \($0.short) of the same author and sequence" }
                    ?? "extends a branch of a forked log"))
            } else {
                try insert(item.entry)
            }
            try projector.apply(item.entry, decoded: item.decoded, branch: item.branch)
            clock.observe(item.entry.timestamp)
            report.added += 1
        }
        try projector.finish()
        report.payloadsErased = projector.erasedPayloads
        if report.payloadsErased > 0 { try markWALTruncateDue() }
        var arriving = Set<Digest>()
        for payload in newPayloads {
            let digest = Digest.sha256(payload)
            arriving.insert(digest)
            if try isErased(digest) {
                report.payloadsRefused += 1  // erased: it never comes back
            } else if try !payloadStored(digest) {
                try insertPayload(payload)
                report.payloadsAdded += 1
            }
        }
        // What the new entries name but did not bring is wanted (`GET /v1/payloads/wanted`).
        for item in placed {
            guard let digest = item.entry.payloadDigest, !arriving.contains(digest) else { continue }
            if try !payloadStored(digest), try !isErased(digest) { try wantPayload(digest) }
        }
        try persistClock()
        return report
    }

    /// The ledger id and HQ key to check a batch against: the store's, or those of the batch's
    /// genesis entry when the store holds no ledger yet.
    private func identity(for incoming: [Entry]) throws -> (Digest, PublicKey, Entry?) {
        if let ledgerID, let hqKey {
            if let stranger = incoming.first(where: { !($0.ledger == ledgerID || ($0.id == ledgerID)) }) {
                throw StoreError.wrongLedger(expected: ledgerID, found: stranger.ledger.isZero ? stranger.id : stranger.ledger)
            }
            return (ledgerID, hqKey, nil)
        }
        guard let genesis = incoming.first(where: { $0.sequence == 1 && $0.ledger.isZero && $0.type == EventType.ledgerCreated.rawValue }) else {
            throw StoreError.noGenesis
        }
        if let expected = try meta("setting.expected.ledger").flatMap({ Digest(hex: String(decoding: $0, as: UTF8.self)) }), expected != genesis.id {
            throw StoreError.wrongLedger(expected: expected, found: genesis.id)
        }
        if let fingerprint = try meta("setting.expected.hq").map({ String(decoding: $0, as: UTF8.self) }), fingerprint != genesis.author.fingerprint {
            throw StoreError.rejected(EntryFault(.badGenesis, entry: genesis, detail: "HQ's key fingerprint is not the one in the join token"))
        }
        if let fault = EntryVerifier.checkContent(genesis, ledger: nil, hq: genesis.author)
            ?? EntryVerifier.checkLink(genesis, after: nil) ?? EntryVerifier.checkSignature(genesis) {
            throw StoreError.rejected(fault)
        }
        return (genesis.id, genesis.author, genesis)
    }

    /// True when the store holds the entry, on a log or as a branch entry.
    func holds(_ id: Digest) throws -> Bool {
        try holds(id, in: connection)
    }

    /// ``holds(_:)``, read through `db`.
    func holds(_ id: Digest, in db: SQLiteConnection) throws -> Bool {
        let statement = try db.statement("SELECT 1 FROM entries WHERE id = ?1 UNION ALL SELECT 1 FROM forks WHERE id = ?1 LIMIT 1")
        statement.bind(1, id.bytes)
        defer { statement.reset() }
        return try statement.step()
    }

    /// Sequence, id and timestamp of a held entry of `author` (log or branch), nil when not held.
    func heldLinkPoint(id: Digest, author: PublicKey) throws -> EntryVerifier.LinkPoint? {
        try heldLinkPoint(id: id, author: author, in: connection)
    }

    /// ``heldLinkPoint(id:author:)``, read through `db`.
    func heldLinkPoint(id: Digest, author: PublicKey, in db: SQLiteConnection) throws -> EntryVerifier.LinkPoint? {
        let statement = try db.statement("""
            SELECT sequence, hlc_wall, hlc_counter FROM entries WHERE id = ?1 AND author = ?2
            UNION ALL SELECT sequence, hlc_wall, hlc_counter FROM forks WHERE id = ?1 AND author = ?2 LIMIT 1
            """)
        statement.bind(1, id.bytes)
        statement.bind(2, author.bytes)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return EntryVerifier.LinkPoint(sequence: statement.uint64(0), id: id,
                                       timestamp: HLCTimestamp(wall: statement.uint64(1), counter: statement.uint32(2)))
    }

    /// How many different entries of `author` the store holds at `sequence`.
    private func heldCount(author: PublicKey, sequence: UInt64) throws -> Int {
        let statement = try connection.statement("""
            SELECT (SELECT COUNT(*) FROM entries WHERE author = ?1 AND sequence = ?2) + (SELECT COUNT(*) FROM forks WHERE author = ?1 AND sequence = ?2)
            """)
        statement.bind(1, author.bytes)
        statement.bind(2, Int64(sequence))
        defer { statement.reset() }
        _ = try statement.step()
        return Int(statement.int64(0))
    }

    /// How many branch entries of `author` the store holds.
    private func branchCount(of author: PublicKey) throws -> Int {
        let statement = try connection.statement("SELECT COUNT(*) FROM forks WHERE author = ?")
        statement.bind(1, author.bytes)
        defer { statement.reset() }
        _ = try statement.step()
        return Int(statement.int64(0))
    }

    private func storedID(author: PublicKey, sequence: UInt64) throws -> Digest? {
        let statement = try connection.statement("SELECT id FROM entries WHERE author = ? AND sequence = ?")
        statement.bind(1, author.bytes)
        statement.bind(2, Int64(sequence))
        defer { statement.reset() }
        return try statement.step() ? Digest(statement.blob(0)) : nil
    }

    /// True when an entry held here names the payload: it is wanted, stored or erased (an entry
    /// is stored with its payload, or its payload is listed as wanted, or an erasure removed it).
    private func storedEntryCarries(payload digest: Digest) throws -> Bool {
        let statement = try connection.statement("""
            SELECT 1 FROM payloads_wanted WHERE digest = ?1 UNION ALL SELECT 1 FROM payloads WHERE digest = ?1
            UNION ALL SELECT 1 FROM erasures WHERE payload = ?1 AND authorised = 1 LIMIT 1
            """)
        statement.bind(1, digest.bytes)
        defer { statement.reset() }
        return try statement.step()
    }

    private func payloadStored(_ digest: Digest) throws -> Bool {
        let statement = try connection.statement("SELECT 1 FROM payloads WHERE digest = ?")
        statement.bind(1, digest.bytes)
        defer { statement.reset() }
        return try statement.step()
    }

    private func insertBranch(_ entry: Entry, conflictsWith: Digest?) throws {
        let statement = try connection.statement("""
            INSERT INTO forks (id, author, sequence, previous, hlc_wall, hlc_counter, type, payload_digest, conflicts_with, bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(1, entry.id.bytes)
        statement.bind(2, entry.author.bytes)
        statement.bind(3, Int64(entry.sequence))
        statement.bind(4, entry.previous.bytes)
        statement.bind(5, Int64(entry.timestamp.wall))
        statement.bind(6, Int64(entry.timestamp.counter))
        statement.bind(7, entry.type)
        statement.bind(8, entry.payloadDigest?.bytes)
        statement.bind(9, conflictsWith?.bytes)
        statement.bind(10, entry.bytes)
        try statement.run()
        try appendLeaf(.branch(id: entry.id), data: entry.bytes)
    }

    /// After the schema upgrade to version 4: fork evidence stored by earlier versions without
    /// checks is ingested again, one entry at a time, through today's checks; what fails them is
    /// dropped. Runs once, when the store is opened.
    func recheckOldForks() throws {
        let exists = try connection.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'forks_unchecked'")
        let found = try exists.step()
        exists.reset()
        guard found else { return }
        var old: [Entry] = []
        try connection.writeTransaction {
            let rows = try connection.statement("SELECT bytes FROM forks_unchecked ORDER BY author, sequence, id")
            while try rows.step() { if let entry = try? Entry(bytes: rows.blob(0)) { old.append(entry) } }
            rows.reset()
            try connection.execute("DROP TABLE forks_unchecked")
        }
        guard ledgerID != nil else { return }
        for entry in old {
            _ = try? connection.writeTransaction { try ingestLocked([entry], payloads: [], verification: .full, progress: { _ in }) }
        }
    }
}
