/// One entry to append to the node's own log: a typed body and, for signatures, the sealed payload.
public struct Appendable: Sendable {
    public var type: EventType
    /// The body; for ``comment(following:)``, a stand-in of the same length until the store
    /// knows the entry it follows.
    public var body: [UInt8]
    public var payload: [UInt8]?
    /// Makes the body from the entry appended just before this one in the same batch.
    var bodyAfter: (@Sendable (Entry) throws -> [UInt8])?

    /// Encodes a typed body canonically.
    public init<Body: EventBody>(_ body: Body, payload: [UInt8]? = nil) throws {
        self.type = Body.eventType
        self.body = try CanonicalJSON.encode(body)
        self.payload = payload
    }

    /// A comment that names the signature appended just before it in the same batch (its
    /// `signature` field), so that withdrawing the signature also hides the comment.
    public static func comment(following comment: CommentPosted) throws -> Appendable {
        var standIn = comment
        standIn.signature = Digest.zero.hex
        var item = try Appendable(standIn)
        item.bodyAfter = { previous in
            var named = comment
            named.signature = previous.id.hex
            return try CanonicalJSON.encode(named)
        }
        return item
    }
}

extension LedgerStore {
    /// Appends one entry to the signer's own log and returns it once it is durable.
    ///
    /// For example:
    /// ```swift
    /// let entry = try store.append(CommentPosted(campaign: "free-press", displayName: "Kari", text: "Yes!", signature: nil), signer: key)
    /// ```
    @discardableResult
    public func append<Body: EventBody>(_ body: Body, payload: [UInt8]? = nil, signer: SigningKey, busyWait: Int32? = nil) throws -> Entry {
        let entries = try appendBatch([try Appendable(body, payload: payload)], signer: signer, busyWait: busyWait)
        guard let entry = entries.first else { throw StoreError.notInitialised(path: path) }
        return entry
    }

    /// Appends entries to the signer's own log in one transaction: all are stored or none.
    ///
    /// Each entry is checked like a received one (content, link, rights, payload digest) except for
    /// its signature, which was made here by the key whose public half is the author.
    ///
    /// - Parameter busyWait: how long to wait, in milliseconds, while another process (an import,
    ///   a rebuild) holds the store's write lock before failing with a busy error (``Error/isWriterBusy``);
    ///   nil waits the connection's 30 seconds.
    public func appendBatch(_ items: [Appendable], signer: SigningKey, busyWait: Int32? = nil) throws -> [Entry] {
        try appendBatch(signer: signer, busyWait: busyWait) { items }
    }

    /// Appends what `compose` returns, composed inside the write transaction: after this
    /// process's writer lock and SQLite's write lock are taken, so no other thread or process
    /// writes between what `compose` reads and what is appended. For entries that write what is
    /// *due* (an erasure asked for, a signer reference), which two passes at once (two pushes
    /// arriving together, ledgerd's pass and `ledgerctl`) would otherwise both write. `compose`
    /// reads through the store's own methods; nothing is appended when it returns no items.
    func appendBatch(signer: SigningKey, busyWait: Int32? = nil, composing compose: () throws -> [Appendable]) throws -> [Entry] {
        try locked {
            let written = try busyWait.map { wait in try connection.withBusyTimeout(wait) { try appendLocked(compose, signer: signer) } }
                ?? appendLocked(compose, signer: signer)
            truncateWALIfDue()
            return written
        }
    }

    private func appendLocked(_ compose: () throws -> [Appendable], signer: SigningKey) throws -> [Entry] {
        try connection.writeTransaction {
            let items = try compose()
            guard !items.isEmpty else { return [] }
            guard let ledgerID, let hqKey else { throw StoreError.notInitialised(path: path) }
            // A node restored from a backup catches up its own log from a peer before it writes.
            if try meta("setting." + LedgerNode.catchUpSetting) != nil { throw StoreError.catchingUp }
            let projector = try makeProjector()
            let author = signer.publicKey
            // A forked device writes nothing more under this key (docs/FORMAT.md section 8, "Forks",
            // rule 6). HQ's root key goes on writing on its own branch (rule 4).
            if author != hqKey, let fork = try firstFork(of: author) { throw StoreError.forkedLog(author: author, sequence: fork) }
            try syncClockFromDisk()
            let start = try headPoint(of: author)
            let stamps = items.map { _ in clock.tick() }
            var written: [Entry] = []
            written.reserveCapacity(items.count)
            func store(_ chunk: SignedChunk) throws {
                for item in chunk.items {
                    let entry = item.entry
                    guard projector.policy.allows(author, toWrite: entry.type, sequence: entry.sequence) else {
                        throw StoreError.rejected(EntryFault(.unauthorised, entry: entry, detail: "this node's role may not write \(entry.type)"))
                    }
                    try insert(entry)
                    if let payload = item.payload { try insertPayload(payload) }
                    try projector.apply(entry, decoded: item.decoded)
                    written.append(entry)
                }
                if let failure = chunk.failure { throw failure }
            }
            // Signing is sequential (each entry names the id of the one before) and needs no
            // store: the next chunk is signed and checked on another core while this one is
            // stored (docs/STORE.md, "Writes").
            let ranges = stride(from: 0, to: items.count, by: Self.signingChunk).map { $0..<min(items.count, $0 + Self.signingChunk) }
            var chunk = Self.sign(items, stamps: stamps, range: ranges.first ?? 0..<0, after: start, previous: nil,
                                  ledger: ledgerID, hq: hqKey, signer: signer, author: author)
            for index in ranges.indices {
                guard index + 1 < ranges.count, chunk.failure == nil else {
                    try store(chunk)
                    continue
                }
                let (head, last, range) = (chunk.head, chunk.last, ranges[index + 1])
                let current = chunk
                chunk = try Overlap.run({
                    Self.sign(items, stamps: stamps, range: range, after: head, previous: last,
                              ledger: ledgerID, hq: hqKey, signer: signer, author: author)
                }, alongside: { try store(current) })
            }
            try projector.finish()
            if projector.erasedPayloads > 0 { try markWALTruncateDue() }
            try persistClock()
            return written
        }
    }

    /// Entries signed per step of ``appendBatch(_:signer:)``'s pipeline.
    static let signingChunk = 64

    /// Entries signed and checked, ready to store, or the fault that stopped the signing.
    private struct SignedChunk: Sendable {
        struct Item: Sendable {
            var entry: Entry
            var decoded: (any EventBody)?
            var payload: [UInt8]?
        }
        var items: [Item] = []
        var failure: (any Error)?
        /// The log's head after these entries, and the last of them.
        var head: EntryVerifier.LinkPoint?
        var last: Entry?
    }

    /// Signs `items[range]` after `head` and checks each like a received entry (link, content)
    /// except for its signature, made here. Reads nothing from the store: it runs beside it.
    private static func sign(_ items: [Appendable], stamps: [HLCTimestamp], range: Range<Int>, after head: EntryVerifier.LinkPoint?,
                             previous: Entry?, ledger: Digest, hq: PublicKey, signer: SigningKey, author: PublicKey) -> SignedChunk {
        var chunk = SignedChunk(head: head, last: previous)
        chunk.items.reserveCapacity(range.count)
        do {
            for index in range {
                let item = items[index]
                var body = item.body
                if let bodyAfter = item.bodyAfter, let previous = chunk.last { body = try bodyAfter(previous) }
                let draft = EntryDraft(
                    ledger: ledger, author: author, sequence: (chunk.head?.sequence ?? 0) + 1,
                    previous: chunk.head?.id ?? .zero, timestamp: stamps[index], type: item.type.rawValue,
                    body: body, payloadDigest: item.payload.map { Digest.sha256($0) })
                let entry = try Entry.sign(draft, with: signer)
                var decoded: (any EventBody)?
                if let fault = EntryVerifier.checkLink(entry, after: chunk.head)
                    ?? EntryVerifier.checkContent(entry, ledger: ledger, hq: hq, decoded: &decoded) {
                    throw StoreError.rejected(fault)
                }
                chunk.items.append(SignedChunk.Item(entry: entry, decoded: decoded, payload: item.payload))
                chunk.head = EntryVerifier.LinkPoint(sequence: entry.sequence, id: entry.id, timestamp: entry.timestamp)
                chunk.last = entry
            }
        } catch {
            chunk.failure = error
        }
        return chunk
    }

    /// Creates a ledger: stores HQ's genesis entry (`ledger.created`) in an empty store.
    public func createLedger(name: String, signer: SigningKey, sealingKey: SealingPublicKey) throws -> Entry {
        try locked {
            try connection.writeTransaction {
                if let ledgerID { throw StoreError.wrongLedger(expected: ledgerID, found: .zero) }
                try syncClockFromDisk()
                let body = LedgerCreated(name: name, hqKey: signer.publicKey.hex, sealingKey: sealingKey.hex)
                let draft = EntryDraft(
                    ledger: .zero, author: signer.publicKey, sequence: 1, previous: .zero,
                    timestamp: clock.tick(), type: EventType.ledgerCreated.rawValue,
                    body: try CanonicalJSON.encode(body))
                let entry = try Entry.sign(draft, with: signer)
                if let fault = EntryVerifier.checkContent(entry, ledger: nil, hq: signer.publicKey) {
                    throw StoreError.rejected(fault)
                }
                try insert(entry)
                try adopt(genesis: entry)
                try persistClock()
                return entry
            }
        }
    }

    // MARK: - Rows

    /// A projector with the trust policy as stored now. Call inside a transaction.
    func makeProjector() throws -> Projector {
        guard let ledgerID, let hqKey else { throw StoreError.notInitialised(path: path) }
        return try Projector(connection: connection, ledger: ledgerID, policy: try Projector.loadPolicy(connection, hq: hqKey))
    }

    func insert(_ entry: Entry) throws {
        let statement = try connection.statement("""
            INSERT INTO entries (id, author, sequence, type, hlc_wall, hlc_counter, payload_digest, bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(1, entry.id.bytes)
        statement.bind(2, entry.author.bytes)
        statement.bind(3, Int64(entry.sequence))
        statement.bind(4, entry.type)
        statement.bind(5, Int64(entry.timestamp.wall))
        statement.bind(6, Int64(entry.timestamp.counter))
        statement.bind(7, entry.payloadDigest?.bytes)
        statement.bind(8, entry.bytes)
        try statement.run()
        try appendLeaf(.entry(rowid: connection.lastInsertRowid), data: entry.bytes)
    }

    /// Stores a payload; it is no longer wanted.
    func insertPayload(_ payload: [UInt8]) throws {
        let digest = Digest.sha256(payload)
        let statement = try connection.statement("INSERT OR IGNORE INTO payloads (digest, bytes) VALUES (?, ?)")
        statement.bind(1, digest.bytes)
        statement.bind(2, payload)
        try statement.run()
        try unwantPayload(digest)
    }

    /// Lists a payload that a stored entry names but that has not arrived (schema 8,
    /// docs/STORE.md "What an entry writes").
    func wantPayload(_ digest: Digest) throws {
        let statement = try connection.statement("INSERT OR IGNORE INTO payloads_wanted (digest) VALUES (?)")
        statement.bind(1, digest.bytes)
        try statement.run()
    }

    /// Takes a payload off the wanted list: it arrived, or it was erased.
    func unwantPayload(_ digest: Digest) throws {
        let statement = try connection.statement("DELETE FROM payloads_wanted WHERE digest = ?")
        statement.bind(1, digest.bytes)
        try statement.run()
    }

    func headPoint(of author: PublicKey) throws -> EntryVerifier.LinkPoint? {
        let statement = try connection.statement(
            "SELECT sequence, id, hlc_wall, hlc_counter FROM entries WHERE author = ? ORDER BY sequence DESC LIMIT 1")
        statement.bind(1, author.bytes)
        defer { statement.reset() }
        guard try statement.step(), let id = Digest(statement.blob(1)) else { return nil }
        return EntryVerifier.LinkPoint(
            sequence: statement.uint64(0), id: id,
            timestamp: HLCTimestamp(wall: statement.uint64(2), counter: statement.uint32(3)))
    }

    /// The lowest sequence number at which `author`'s log has a fork, if any.
    func firstFork(of author: PublicKey) throws -> UInt64? {
        let statement = try connection.statement("SELECT MIN(sequence) FROM forks WHERE author = ?")
        statement.bind(1, author.bytes)
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.uint64(0)
    }
}
