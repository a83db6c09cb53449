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
/// - Thread-safe: calls on one instance are serialised by an internal lock.
///
/// For example:
/// ```swift
/// let store = try LedgerStore.open(at: folder.appending(path: "ledger.sqlite"))
/// let entry = try store.append(CampaignClosed(campaign: "free-press", reason: nil), signer: key)
/// ```
public final class LedgerStore: @unchecked Sendable {
    let connection: SQLiteConnection
    let lock = NSLock()
    public let path: String
    var clock: HybridClock

    /// The ledger id, or nil before the genesis entry is stored.
    public private(set) var ledgerID: Digest?
    /// HQ's key (author of the genesis entry), or nil before it is stored.
    public private(set) var hqKey: PublicKey?
    /// True when this store keeps the Merkle tree (HQ's; ``enableTree()``).
    var keepsTree = false

    private init(connection: SQLiteConnection, path: String, clock: HybridClock) {
        self.connection = connection
        self.path = path
        self.clock = clock
    }

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
            try connection.writeTransaction {
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
            }
        }
        try loadIdentity()
        keepsTree = try meta("tree") == [1]
        try recheckOldForks()
        if try meta("rebuild") == [1] {
            try connection.writeTransaction {
                if ledgerID != nil { _ = try rebuildLocked() }
                try setMeta("rebuild", [0])
            }
        }
    }

    private func loadIdentity() throws {
        if let raw = try meta("ledger"), let id = Digest(raw) { ledgerID = id }
        if let raw = try meta("hq"), let key = PublicKey(raw) { hqKey = key }
    }

    /// Runs `body` holding the instance lock, mapping SQLite errors to ``StoreError``.
    func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            // Another process (ledgerctl import, a sync) may have stored the genesis entry.
            if ledgerID == nil { try loadIdentity() }
            return try body()
        } catch let error as SQLiteError {
            if error.isCorrupt { throw StoreError.corrupted(path: path, detail: error.message) }
            throw StoreError.sqlite(error)
        }
    }

    // MARK: - Meta

    func meta(_ key: String) throws -> [UInt8]? {
        let statement = try connection.statement("SELECT value FROM meta WHERE key = ?")
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
        try locked { try meta("setting." + key).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Stores a node setting.
    public func setSetting(_ key: String, _ value: String) throws {
        try locked { try connection.writeTransaction { try setMeta("setting." + key, Array(value.utf8)) } }
    }

    /// Records the ledger's identity once its genesis entry is stored.
    func adopt(genesis: Entry) throws {
        try setMeta("ledger", genesis.id.bytes)
        try setMeta("hq", genesis.author.bytes)
        ledgerID = genesis.id
        hqKey = genesis.author
    }

    /// The trust policy of this ledger as stored now: HQ, enrolled devices, revocations.
    public func trustPolicy() throws -> TrustPolicy {
        try locked {
            guard let hqKey else { throw StoreError.notInitialised(path: path) }
            return try Projector.loadPolicy(connection, hq: hqKey)
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
