import Crypto

extension LedgerStore {
    /// Drops the read models and rebuilds them from every stored entry, in one transaction.
    /// Returns the number of entries projected. `progress` hears "projecting entries".
    @discardableResult
    public func rebuildReadModels(progress: (WorkProgress) -> Void = { _ in }) throws -> Int {
        try locked { try withTempFiles { try connection.writeTransaction { try rebuildLocked(progress: progress) } } }
    }

    /// Runs `body` (a rebuild: statements that each change every row of a table) with SQLite's
    /// temporary storage in files rather than memory, so that their statement journals (a copy of
    /// every page such a statement changes) do not hold the whole store in memory. `temp_store`
    /// cannot change inside a transaction: call this outside one, on the writer.
    func withTempFiles<T>(_ body: () throws -> T) throws -> T {
        try connection.execute("PRAGMA temp_store = FILE")
        defer { try? connection.execute("PRAGMA temp_store = MEMORY") }
        return try body()
    }

    func rebuildLocked(progress: (WorkProgress) -> Void = { _ in }) throws -> Int {
        let counted = try connection.statement("SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM forks)")
        let total = try counted.step() ? Int(counted.int64(0)) : 0
        counted.reset()
        try connection.execute(ReadModelSchema.drop)
        try connection.execute(ReadModelSchema.createTables)
        let projector = try makeProjector()
        projector.bulkInsert = true
        let rows = try connection.statement("SELECT bytes FROM entries ORDER BY rowid")
        // Stepping a finished statement would start it again (SQLite resets it): stop at its end.
        var exhausted = false
        func readChunk() throws -> [[UInt8]] {
            var chunk: [[UInt8]] = []
            chunk.reserveCapacity(Self.rebuildChunk)
            while !exhausted, chunk.count < Self.rebuildChunk {
                guard try rows.step() else {
                    exhausted = true
                    break
                }
                chunk.append(rows.blob(0))
            }
            return chunk
        }
        var count = 0
        // Parsing the entries and decoding their bodies needs no store: the next chunk is
        // decoded on another core while this one is projected (docs/STORE.md, "Writes").
        var parsed = Self.parseForProjection(try readChunk())
        while !parsed.isEmpty {
            let next = try readChunk()
            let current = parsed
            parsed = try Overlap.run({ Self.parseForProjection(next) }, alongside: {
                for item in current {
                    let (entry, body) = try item.get()
                    try projector.apply(entry, decoded: body)
                    count += 1
                    WorkProgress.report(progress, "projecting entries", count, of: total, every: 5000)
                }
                projector.forgetDirtyForRebuild()
            })
        }
        rows.reset()
        projector.bulkInsert = false
        try connection.execute(ReadModelSchema.createIdIndex)
        try connection.execute(ReadModelSchema.deleteRepeatedSignatures)
        let branches = try connection.statement("SELECT bytes FROM forks ORDER BY author, sequence, id")
        while try branches.step() {
            try projector.apply(try Entry(bytes: branches.blob(0)), branch: true)
            count += 1
            WorkProgress.report(progress, "projecting entries", count, of: total, every: 5000)
        }
        branches.reset()
        try connection.execute(ReadModelSchema.createIndexes)
        try projector.finishAll()
        try connection.execute(ReadModelSchema.createStateIndex)
        try connection.execute("DELETE FROM signature_counts")
        try countInOnePass(uniqueSigners: projector.uniqueSigners)
        try connection.execute(ReadModelSchema.countTriggers)
        return count
    }

    /// Fills `signature_counts` (the rebuild's, on the writer): the counts
    /// `ReadModelSchema.createCounts` makes with one grouped query per dimension, here added up in
    /// one pass over `signatures` in table order (the grouped queries were a fifth of a rebuild),
    /// and the "unique" counts the projector found while it ranked the states.
    /// `countsDrift` compares the two definitions in the tests.
    func countInOnePass(uniqueSigners: [String: Int64]) throws {
        enum Value: Hashable {
            case text(String)
            case blob([UInt8])
        }
        struct Key: Hashable {
            let campaign: String
            let dimension: String
            let value: Value
        }
        var counts: [Key: Int64] = [:]
        let rows = try connection.statement("SELECT campaign, state, day, channel, author, country FROM signatures WHERE state <> 'pending'")
        while try rows.step() {
            let campaign = rows.text(0)
            let state = rows.text(1)
            counts[Key(campaign: campaign, dimension: "state", value: .text(state)), default: 0] += 1
            guard state == "counted" else { continue }
            counts[Key(campaign: campaign, dimension: "day", value: .text(rows.text(2))), default: 0] += 1
            counts[Key(campaign: campaign, dimension: "channel", value: .text(rows.text(3))), default: 0] += 1
            counts[Key(campaign: campaign, dimension: "device", value: .blob(rows.blob(4))), default: 0] += 1
            counts[Key(campaign: campaign, dimension: "country", value: .text(rows.isNull(5) ? "" : rows.text(5))), default: 0] += 1
        }
        rows.reset()
        for (campaign, n) in uniqueSigners where n > 0 {
            counts[Key(campaign: campaign, dimension: "unique", value: .text("")), default: 0] += n
        }
        let insert = try connection.statement("INSERT INTO signature_counts (campaign, dimension, value, n) VALUES (?, ?, ?, ?)")
        for (key, n) in counts {
            insert.bind(1, key.campaign)
            insert.bind(2, key.dimension)
            switch key.value {
            case .text(let text): insert.bind(3, text)
            case .blob(let bytes): insert.bind(3, bytes)
            }
            insert.bind(4, n)
            try insert.run()
        }
    }

    /// Entries projected per step of a rebuild (and the projector forgets its marks after each).
    static let rebuildChunk = 4096

    /// Parses stored entries and decodes their bodies as the projector would (nil when the body
    /// does not decode: the projector then decodes it itself and reports why).
    static func parseForProjection(_ rows: [[UInt8]]) -> [Result<(Entry, (any EventBody)?), any Error>] {
        rows.map { bytes in
            Result {
                let entry = try Entry(bytes: bytes)
                let body = EventType(rawValue: entry.type).flatMap { try? CanonicalJSON.decode($0.bodyType, from: entry.body) }
                return (entry, body)
            }
        }
    }

    /// Where the maintained counts (`signature_counts`, schema 9) differ from counting the
    /// `signatures` rows afresh: one line per difference, none when they agree.
    func countsDrift(in db: SQLiteConnection) throws -> [String] {
        let statement = try db.statement("""
            WITH fresh (campaign, dimension, value, n) AS (
                SELECT campaign, 'state', state, COUNT(*) FROM signatures WHERE state <> 'pending' GROUP BY campaign, state
                UNION ALL SELECT campaign, 'day', day, COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, day
                UNION ALL SELECT campaign, 'channel', channel, COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, channel
                UNION ALL SELECT campaign, 'device', author, COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, author
                UNION ALL SELECT campaign, 'country', COALESCE(country, ''), COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, COALESCE(country, '')
                UNION ALL SELECT campaign, 'unique', '', COUNT(*) FROM (SELECT DISTINCT campaign, signer FROM signatures WHERE signer IS NOT NULL AND state NOT IN \(ReadModelSchema.notUnique)) GROUP BY campaign
            ),
            kept AS (SELECT campaign, dimension, value, n FROM signature_counts WHERE n <> 0),
            nonzero AS (SELECT * FROM fresh WHERE n <> 0)
            SELECT campaign, dimension, quote(value), n, 'kept' FROM (SELECT * FROM kept EXCEPT SELECT * FROM nonzero)
            UNION ALL SELECT campaign, dimension, quote(value), n, 'counted afresh' FROM (SELECT * FROM nonzero EXCEPT SELECT * FROM kept)
            """)
        defer { statement.reset() }
        var out: [String] = []
        while try statement.step() {
            out.append("\(statement.text(4)): \(statement.text(0)) \(statement.text(1)) \(statement.text(2)) = \(statement.int64(3))")
        }
        return out
    }

    /// ``countsDrift(in:)`` through a reader.
    func countsDrift() throws -> [String] {
        try reading { db in try countsDrift(in: db) }
    }

    /// SHA-256 over every read-model table in a fixed order, rows ordered by key
    /// (docs/READMODELS.md, "The digest"). Two nodes holding the same entries print the same digest.
    /// It reads every row: seconds on a store of a million entries.
    public func readModelDigest() throws -> Digest {
        try reading { db in try readModelDigest(in: db) }
    }

    /// ``readModelDigest()``, remembered in `meta` with what it covers, so that
    /// ``knownReadModelDigest()`` can give it again without reading every row while nothing changed.
    @discardableResult
    public func rememberReadModelDigest() throws -> Digest {
        let (digest, basis) = try reading { db in (try readModelDigest(in: db), try readModelBasis(in: db)) }
        try locked {
            try connection.writeTransaction { try setMeta(Self.digestKey, digest.bytes + Array(basis.utf8)) }
        }
        return digest
    }

    /// The digest ``rememberReadModelDigest()`` computed last, when the store still holds exactly
    /// the entries it covered (one B-tree seek and a count of branch entries); nil otherwise.
    public func knownReadModelDigest() throws -> Digest? {
        try reading { db in
            guard let raw = try meta(Self.digestKey, in: db), raw.count > 32 else { return nil }
            guard String(decoding: raw.dropFirst(32), as: UTF8.self) == (try readModelBasis(in: db)) else { return nil }
            return Digest(Array(raw.prefix(32)))
        }
    }

    static let digestKey = "readmodels.digest"

    /// What the read models are a function of (docs/READMODELS.md: the entries held, log and
    /// branch, under this software's rules): Ledger's version and schema version, the entries'
    /// highest rowid (they are never deleted) and the number of branch entries. The version is
    /// there so that a release whose projection differs never shows an older digest.
    func readModelBasis(in db: SQLiteConnection) throws -> String {
        let statement = try db.statement("SELECT (SELECT COALESCE(max(rowid), 0) FROM entries), (SELECT COUNT(*) FROM forks)")
        defer { statement.reset() }
        _ = try statement.step()
        return "ledger \(LedgerVersion.string) schema \(Schema.version) entries \(statement.int64(0)) branches \(statement.int64(1))"
    }

    func readModelDigest(in db: SQLiteConnection) throws -> Digest {
        var hasher = SHA256()
        for (table, key) in ReadModelSchema.tables {
            hasher.update(data: Array("table \(table)\n".utf8))
            let statement = try db.statement("SELECT * FROM \(table) ORDER BY \(key)")
            defer { statement.reset() }
            while try statement.step() {
                hasher.update(data: statement.canonicalRow())
            }
        }
        return Digest(unchecked: Array(hasher.finalize()))
    }
}
