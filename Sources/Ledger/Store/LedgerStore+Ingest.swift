/// How much of a received batch is checked cryptographically (docs/FORMAT.md, "Verifying a log").
public enum VerificationMode: String, Sendable, Codable {
    /// Every signature.
    case full
    /// Every link and id, and the signature of the last entry of each author's segment.
    case fast
}

/// What ``LedgerStore/ingest(_:payloads:verification:)`` did.
public struct IngestReport: Sendable, Equatable, Codable {
    /// Entries stored now.
    public var added = 0
    /// Entries this store already held.
    public var known = 0
    /// Payloads stored now.
    public var payloadsAdded = 0
    /// Conflicting entries stored as fork evidence.
    public var forks: [EntryFault] = []
    /// Entries refused because their author was revoked before their sequence number.
    public var refused: [EntryFault] = []
}

extension LedgerStore {
    /// Verifies and stores received entries and payloads in one transaction: all or nothing.
    ///
    /// Entries this store already holds are skipped, so ingesting the same batch twice adds nothing.
    /// An entry that differs from a stored entry of the same author and sequence is fork evidence:
    /// it is kept in the forks table (after its signature is checked), and that author's log is not
    /// extended past the fork. Any other fault (bad signature, gap, broken link, wrong ledger,
    /// unknown author, payload matching no entry) rejects the whole batch with that entry named.
    public func ingest(_ incoming: [Entry], payloads: [[UInt8]] = [], verification: VerificationMode = .full) throws -> IngestReport {
        try locked {
            try connection.writeTransaction {
                try ingestLocked(incoming, payloads: payloads, verification: verification)
            }
        }
    }

    private func ingestLocked(_ incoming: [Entry], payloads: [[UInt8]], verification: VerificationMode) throws -> IngestReport {
        var report = IngestReport()
        let (ledger, hq, genesis) = try identity(for: incoming)
        var policy = ledgerID == nil ? TrustPolicy(hq: hq) : try Projector.loadPolicy(connection, hq: hq)
        var byAuthor: [PublicKey: [UInt64: Entry]] = [:]
        for entry in incoming { byAuthor[entry.author, default: [:]][entry.sequence] = entry }
        // A batch may hold two different entries for one (author, sequence): a fork inside the batch.
        var batchForks: [Entry] = []
        var seen: Set<Digest> = []
        for entry in incoming where seen.insert(entry.id).inserted {
            if byAuthor[entry.author]?[entry.sequence]?.id != entry.id { batchForks.append(entry) }
        }

        var toStore: [Entry] = []
        var evidence: [(entry: Entry, conflictsWith: Digest?)] = batchForks.map {
            ($0, byAuthor[$0.author]?[$0.sequence]?.id)
        }
        var signatureChecks: [Entry] = []
        // HQ's log first, so the genesis entry is stored before anything that names its ledger.
        let authors = byAuthor.keys.sorted { ($0 == hq ? 0 : 1, $0) < ($1 == hq ? 0 : 1, $1) }
        for author in authors {
            let entries = byAuthor[author, default: [:]].values.sorted { $0.sequence < $1.sequence }
            if policy.role(of: author) == nil, let first = entries.first {
                throw StoreError.rejected(EntryFault(.unknownAuthor, entry: first, detail: "author is neither HQ nor an enrolled device"))
            }
            var head = try headPoint(of: author)
            var forkedAt = try firstFork(of: author)
            if let fork = batchForks.first(where: { $0.author == author }) {
                forkedAt = min(forkedAt ?? fork.sequence, fork.sequence)
            }
            var segment: [Entry] = []
            for entry in entries {
                if let head, entry.sequence <= head.sequence {
                    let storedID = try storedID(author: author, sequence: entry.sequence)
                    if storedID == entry.id {
                        report.known += 1
                    } else {
                        evidence.append((entry, storedID))
                        forkedAt = min(forkedAt ?? entry.sequence, entry.sequence)
                    }
                    continue
                }
                if policy.isRevoked(author, at: entry.sequence) {
                    report.refused.append(EntryFault(.unauthorised, entry: entry, detail: "the device was revoked before this sequence number"))
                    continue
                }
                if let forkedAt, entry.sequence >= forkedAt {
                    evidence.append((entry, nil))
                    continue
                }
                if entry.id == genesis?.id && head == nil {
                    // Checked by identity(for:).
                } else if let fault = EntryVerifier.checkLink(entry, after: head)
                    ?? EntryVerifier.checkContent(entry, ledger: ledger, hq: hq) {
                    throw StoreError.rejected(fault)
                }
                if author == hq { policy.learn(from: entry) }
                segment.append(entry)
                head = EntryVerifier.LinkPoint(sequence: entry.sequence, id: entry.id, timestamp: entry.timestamp)
            }
            switch verification {
            case .full: signatureChecks.append(contentsOf: segment)
            case .fast: if let last = segment.last { signatureChecks.append(last) }
            }
            toStore.append(contentsOf: segment)
        }
        signatureChecks.append(contentsOf: evidence.map(\.entry))
        if let bad = ParallelSignatures.invalidIndices(signatureChecks).first {
            throw StoreError.rejected(EntryFault(.badSignature, entry: signatureChecks[bad], detail: "Ed25519 signature does not verify under the author's key"))
        }
        // Payloads must each belong to an entry in the batch or the store.
        var wanted: Set<Digest> = Set(toStore.compactMap(\.payloadDigest))
        wanted.formUnion(evidence.compactMap(\.entry.payloadDigest))
        let refusedPayloads = Set(incoming.filter { entry in report.refused.contains { $0.id == entry.id.hex } }.compactMap(\.payloadDigest))
        var newPayloads: [[UInt8]] = []
        for payload in payloads {
            let digest = Digest.sha256(payload)
            if refusedPayloads.contains(digest) && !wanted.contains(digest) { continue }
            if try !wanted.contains(digest) && !storedEntryCarries(payload: digest) {
                throw StoreError.orphanPayload(digest: digest)
            }
            newPayloads.append(payload)
        }

        try syncClockFromDisk()
        if let genesis, ledgerID == nil { try adopt(genesis: genesis) }
        let projector = try makeProjector()
        for entry in toStore {
            try insert(entry)
            try projector.apply(entry)
            clock.observe(entry.timestamp)
            report.added += 1
        }
        try projector.finish()
        for (entry, conflictsWith) in evidence where try !forkStored(entry.id) {
            try insertFork(entry, conflictsWith: conflictsWith)
            report.forks.append(EntryFault(.fork, entry: entry, detail: conflictsWith.map { "conflicts with stored entry \($0.short)" } ?? "extends a forked log"))
        }
        for payload in newPayloads where try self.payloadStored(Digest.sha256(payload)) == false {
            try insertPayload(payload)
            report.payloadsAdded += 1
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

    private func storedID(author: PublicKey, sequence: UInt64) throws -> Digest? {
        let statement = try connection.statement("SELECT id FROM entries WHERE author = ? AND sequence = ?")
        statement.bind(1, author.bytes)
        statement.bind(2, Int64(sequence))
        defer { statement.reset() }
        return try statement.step() ? Digest(statement.blob(0)) : nil
    }

    private func storedEntryCarries(payload digest: Digest) throws -> Bool {
        let statement = try connection.statement("""
            SELECT 1 FROM entries WHERE payload_digest = ?1 UNION ALL SELECT 1 FROM forks WHERE payload_digest = ?1 LIMIT 1
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

    private func forkStored(_ id: Digest) throws -> Bool {
        let statement = try connection.statement("SELECT 1 FROM forks WHERE id = ?")
        statement.bind(1, id.bytes)
        defer { statement.reset() }
        return try statement.step()
    }

    private func insertFork(_ entry: Entry, conflictsWith: Digest?) throws {
        let statement = try connection.statement("INSERT INTO forks (id, author, sequence, conflicts_with, payload_digest, bytes) VALUES (?, ?, ?, ?, ?, ?)")
        statement.bind(1, entry.id.bytes)
        statement.bind(2, entry.author.bytes)
        statement.bind(3, Int64(entry.sequence))
        statement.bind(4, conflictsWith?.bytes)
        statement.bind(5, entry.payloadDigest?.bytes)
        statement.bind(6, entry.bytes)
        try statement.run()
    }
}
