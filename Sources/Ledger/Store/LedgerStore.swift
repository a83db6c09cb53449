import CSQLite
import Foundation

/// A node's store: its copy of every log of the ledger, the payloads and the read models, in one
/// SQLite file in WAL mode.
///
/// Promises:
/// - Every entry is verified before it is stored (``append(_:payload:signer:)`` for entries written
///   here, ``ingest(_:payloads:verification:)`` for received ones).
/// - Entries are immutable: triggers refuse UPDATE and DELETE.
/// - A single append is durable when it returns (`synchronous = FULL`); a batch is atomic.
/// - Appends from several processes on one file never leave a gap or a duplicate sequence number:
///   each takes SQLite's write lock (`BEGIN IMMEDIATE`) before it reads its log's head.
/// - Thread-safe. Writes are serialised by an internal lock on the one writer connection; reads
///   run on a small pool of read-only connections beside it (``ReaderPool``), so a read never
///   waits behind a write. Each read sees one snapshot: the last commit before it began
///   (docs/STORE.md, "Readers and the writer").
///
/// For example:
/// ```swift
/// let store = try LedgerStore.open(at: folder.appending(path: "ledger.sqlite"))
/// let entry = try store.append(CampaignClosed(campaign: "free-press", reason: nil), signer: key)
/// ```
public final class LedgerStore: @unchecked Sendable {
    // @unchecked: `connection` and `clock` are used only inside `locked`, which holds `lock`;
    // `state` only under `stateLock`; `readers` is thread-safe itself. `lock` is recursive so that
    // what an append composes inside its transaction can read through the store's own methods.
    let connection: SQLiteConnection
    let lock = NSRecursiveLock()
    /// True while an erasure's WAL is still to be truncated (guarded by `lock`).
    var walTruncateDue = false
    let readers: ReaderPool
    public let path: String
    var clock: HybridClock
    /// The wall clock the store's hybrid clock reads: safe to read from any thread, unlike `clock`
    /// (which changes with every entry, under `lock`).
    public let wallClock: any WallClock

    /// What is read outside the writer lock, guarded by `stateLock`.
    private struct State {
        var ledgerID: Digest?
        var hqKey: PublicKey?
        var keepsTree = false
    }
    private let stateLock = NSLock()
    private var state = State()

    /// The ledger id, or nil before the genesis entry is stored.
    public var ledgerID: Digest? { stateLock.withLock { state.ledgerID } }
    /// HQ's key (author of the genesis entry), or nil before it is stored.
    public var hqKey: PublicKey? { stateLock.withLock { state.hqKey } }
    /// True when this store keeps the Merkle tree (HQ's; ``enableTree()``).
    var keepsTree: Bool {
        get { stateLock.withLock { state.keepsTree } }
        set { stateLock.withLock { state.keepsTree = newValue } }
    }

    private init(connection: SQLiteConnection, path: String, clock: HybridClock) {
        self.connection = connection
        self.readers = ReaderPool(path: path)
        self.path = path
        self.clock = clock
        self.wallClock = clock.wallClock
    }

    /// The size in bytes the WAL file is cut back to after a checkpoint has copied all of it:
    /// the 64 MiB that `wal_autocheckpoint` lets it reach between checkpoints.
    static let walSizeLimit: Int64 = 64 << 20

    /// Opens (and, with `create`, creates) the store at `path`.
    ///
    /// Fails with ``StoreError/corrupted(path:detail:)`` for a file that is not a Ledger database.
    public static func open(at path: String, create: Bool = false, wallClock: any WallClock = SystemClock()) throws -> LedgerStore {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError.notInitialised(path: path)
        }
        do {
            let connection = try SQLiteConnection(path: path)
            let store = LedgerStore(connection: connection, path: path, clock: HybridClock(wallClock: wallClock))
            try store.configure()
            // An erasure whose WAL was not truncated (a reader was in the way, or the process
            // stopped first): try again now, without waiting.
            _ = try? store.truncateWALAfterErasure()
            return store
        } catch let error as SQLiteError {
            if error.isCorrupt { throw StoreError.corrupted(path: path, detail: error.message) }
            throw StoreError.sqlite(error)
        }
    }

    private func configure() throws {
        try connection.execute("PRAGMA journal_mode = WAL")
        try connection.execute("PRAGMA synchronous = FULL")
        // A 64 MiB page cache and a 64 MiB WAL between checkpoints: far fewer pages written per
        // entry once the indexes outgrow the default 2 MiB (docs/PERFORMANCE.md).
        try connection.execute("PRAGMA cache_size = -65536")
        try connection.execute("PRAGMA wal_autocheckpoint = 16384")
        // A transaction larger than that (a rebuild, a migration: gigabytes at ten million
        // entries) grows the WAL file to its size, and SQLite reuses the file without shrinking
        // it: cut back to this limit once a checkpoint has copied it all (docs/STORE.md, "Pragmas").
        try connection.execute("PRAGMA journal_size_limit = \(Self.walSizeLimit)")
        // Statement journals in memory: a statement that fires the count triggers (an UPDATE of
        // many signatures' states) journals every page it changes so that it could be undone
        // alone; on disk that was 45 KB written per appended entry (docs/PERFORMANCE.md). A
        // rebuild, whose statements change whole tables, switches back to files (`withTempFiles`).
        try connection.execute("PRAGMA temp_store = MEMORY")
        try connection.execute("PRAGMA foreign_keys = ON")
        // Erased payloads are overwritten with zeros, not just unlinked (docs/PRIVACY.md, "Erasure").
        try connection.execute("PRAGMA secure_delete = ON")
        let versionStatement = try connection.statement("PRAGMA user_version")
        _ = try versionStatement.step()
        let version = versionStatement.int64(0)
        versionStatement.reset()
        if version > Schema.version {
            throw StoreError.newerSchema(found: version, supported: Schema.version)
        }
        if version < Schema.version {
            // Temporary files, not memory, for the migrations' sorts: creating an index over ten
            // million signatures (schema 14) sorted them in memory, 991 MB at its peak.
            try withTempFiles { try connection.writeTransaction {
                // Another process may have migrated while we waited for the lock.
                let check = try connection.statement("PRAGMA user_version")
                _ = try check.step()
                let current = check.int64(0)
                check.reset()
                guard current < Schema.version else { return }
                for index in Int(current)..<Schema.migrations.count {
                    try connection.execute(Schema.migrations[index])
                }
                try connection.execute("PRAGMA user_version = \(Schema.version)")
            } }
        }
        try loadIdentity(from: connection)
        keepsTree = try meta("tree") == [1]
        try recheckOldForks()
        if try meta("rebuild") == [1] {
            try withTempFiles {
                try connection.writeTransaction {
                    if ledgerID != nil { _ = try rebuildLocked() }
                    try setMeta("rebuild", [0])
                }
            }
        }
    }

    /// Reads the ledger id and HQ's key through `db` (the writer or a reader), once stored.
    private func loadIdentity(from db: SQLiteConnection) throws {
        guard let rawLedger = try meta("ledger", in: db), let id = Digest(rawLedger),
              let rawHQ = try meta("hq", in: db), let key = PublicKey(rawHQ) else { return }
        stateLock.withLock {
            state.ledgerID = id
            state.hqKey = key
        }
    }

    /// Runs `body` holding the writer lock, on the writer connection, mapping SQLite errors to
    /// ``StoreError``. Every write, and every read that must see a write transaction's own rows,
    /// runs here.
    func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try mappingErrors {
            // Another process (ledgerctl import, a sync) may have stored the genesis entry.
            if ledgerID == nil { try loadIdentity(from: connection) }
            return try body()
        }
    }

    /// Runs `body` on a free reader connection, in one read transaction, without waiting for the
    /// writer lock: it sees the last commit before it began, never a write in progress. Only for
    /// reads; `body` must use `db`, never the writer connection.
    func reading<T>(_ body: (_ db: SQLiteConnection) throws -> T) throws -> T {
        try mappingErrors {
            try readers.read { db in
                if ledgerID == nil { try loadIdentity(from: db) }
                return try body(db)
            }
        }
    }

    func mappingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            if error.isCorrupt { throw StoreError.corrupted(path: path, detail: error.message) }
            throw StoreError.sqlite(error)
        }
    }

    // MARK: - Meta

    /// A meta value through the writer connection (inside `locked`).
    func meta(_ key: String) throws -> [UInt8]? {
        try meta(key, in: connection)
    }

    /// A meta value through `db`.
    func meta(_ key: String, in db: SQLiteConnection) throws -> [UInt8]? {
        let statement = try db.statement("SELECT value FROM meta WHERE key = ?")
        statement.bind(1, key)
        defer { statement.reset() }
        return try statement.step() ? statement.blob(0) : nil
    }

    func setMeta(_ key: String, _ value: [UInt8]) throws {
        let statement = try connection.statement("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        statement.bind(1, key)
        statement.bind(2, value)
        try statement.run()
    }

    /// Reads a node setting stored beside the logs (role, node key); nil when unset.
    public func setting(_ key: String) throws -> String? {
        try reading { db in try meta("setting." + key, in: db).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Stores a node setting.
    public func setSetting(_ key: String, _ value: String) throws {
        try locked { try connection.writeTransaction { try setMeta("setting." + key, Array(value.utf8)) } }
    }

    /// Records the ledger's identity once its genesis entry is stored.
    func adopt(genesis: Entry) throws {
        try setMeta("ledger", genesis.id.bytes)
        try setMeta("hq", genesis.author.bytes)
        stateLock.withLock {
            state.ledgerID = genesis.id
            state.hqKey = genesis.author
        }
    }

    /// The trust policy of this ledger as stored now: HQ, enrolled devices, revocations.
    public func trustPolicy() throws -> TrustPolicy {
        try reading { db in
            guard let hqKey else { throw StoreError.notInitialised(path: path) }
            return try Projector.loadPolicy(db, hq: hqKey)
        }
    }

    // MARK: - Clock

    /// Loads the persisted clock and merges it, so ticks order after every entry any process stored.
    func syncClockFromDisk() throws {
        if let raw = try meta("clock"), raw.count == 12 {
            var reader = ByteReader(raw)
            let wall = try reader.u64("clock")
            let counter = try reader.u32("clock")
            clock.observeStored(HLCTimestamp(wall: wall, counter: counter))
        }
    }

    func persistClock() throws {
        var writer = ByteWriter(capacity: 12)
        writer.u64(clock.last.wall)
        writer.u32(clock.last.counter)
        try setMeta("clock", writer.bytes)
    }
}

extension HybridClock {
    /// Merges a timestamp this node already stored, without the forward-drift bound.
    mutating func observeStored(_ timestamp: HLCTimestamp) {
        if timestamp > last { setLast(timestamp) }
    }
}
