import CSQLite
import Foundation

/// An error from SQLite, with the result code and the library's message.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "\(context): \(message) (SQLite code \(code))" }

    /// SQLITE_BUSY or SQLITE_LOCKED.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
    /// SQLITE_CONSTRAINT (a UNIQUE index or a trigger refused the statement).
    public var isConstraint: Bool { code & 0xff == SQLITE_CONSTRAINT }
    /// SQLITE_NOTADB or SQLITE_CORRUPT.
    public var isCorrupt: Bool { code & 0xff == SQLITE_NOTADB || code & 0xff == SQLITE_CORRUPT }
}

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Process-wide SQLite settings, applied once before the first connection opens.
enum SQLiteLibrary {
    /// Memory statistics off (docs/STORE.md, "Pragmas"): with them on, every allocation SQLite
    /// makes takes a process-wide mutex to update counters that nothing here reads. Returns
    /// false when SQLite was already initialised (by another library in the process, or by
    /// ledger-bench's raw reference, which calls this first for that reason).
    static let configured: Bool = ledger_sqlite3_disable_memstatus() == SQLITE_OK
}

/// Hundreds of SQLite virtual-machine instructions run by the connections that count into it
/// (``SQLiteConnection/countInstructions(into:)``). Its owner keeps it alive while they count.
final class InstructionCounter: @unchecked Sendable {
    // @unchecked: `hundreds` changes only under `lock`.
    private let lock = NSLock()
    private var hundreds: Int64 = 0

    func add() { lock.withLock { hundreds += 1 } }

    /// The count so far, set back to zero.
    func take() -> Int64 {
        lock.withLock {
            defer { hundreds = 0 }
            return hundreds
        }
    }
}

/// A single SQLite connection. Not thread-safe: its owner serialises access.
final class SQLiteConnection {
    private var handle: OpaquePointer?
    private var cache: [StatementKey: Statement] = [:]

    init(path: String, readOnly: Bool = false) throws {
        _ = SQLiteLibrary.configured
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            handle = nil
            throw SQLiteError(code: rc, message: message, context: "open \(path)")
        }
        // 500 lookaside slots of 1,200 bytes (the default is 100): a trigger's statements
        // allocate more small objects than the default holds.
        _ = ledger_sqlite3_lookaside(handle, 1200, 500)
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, Self.busyMilliseconds)
    }

    /// How long a statement waits for another connection's lock before it fails.
    static let busyMilliseconds: Int32 = 30_000

    /// Runs `body` with another connection's write lock waited for at most `milliseconds` (then
    /// SQLITE_BUSY), instead of ``busyMilliseconds``.
    func withBusyTimeout<T>(_ milliseconds: Int32, _ body: () throws -> T) rethrows -> T {
        sqlite3_busy_timeout(handle, milliseconds)
        defer { sqlite3_busy_timeout(handle, Self.busyMilliseconds) }
        return try body()
    }

    /// Copies the whole WAL into the database and truncates it to zero bytes, without waiting:
    /// false when a reader's snapshot or another writer is in the way (SQLite's `TRUNCATE`
    /// checkpoint would otherwise wait the busy timeout for them, holding this connection).
    func truncateWAL() -> Bool {
        sqlite3_busy_timeout(handle, 0)
        defer { sqlite3_busy_timeout(handle, Self.busyMilliseconds) }
        var logFrames: Int32 = 0
        var copied: Int32 = 0
        return sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, &logFrames, &copied) == SQLITE_OK
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The SQL of every statement prepared so far (their cache's keys), for tests that check
    /// each one's query plan.
    var preparedSQL: [String] { cache.keys.map(\.sql) }

    /// For tests: adds the virtual-machine instructions this connection runs, in hundreds, to
    /// `counter` (SQLite's progress handler); nil stops counting. `ScalingTests` compares what a
    /// routine operation runs on a small and on a larger ledger.
    func countInstructions(into counter: InstructionCounter?) {
        guard let counter else {
            sqlite3_progress_handler(handle, 0, nil, nil)
            return
        }
        sqlite3_progress_handler(handle, 100, { context in
            guard let context else { return 0 }
            Unmanaged<InstructionCounter>.fromOpaque(context).takeUnretainedValue().add()
            return 0
        }, Unmanaged.passUnretained(counter).toOpaque())
    }

    func error(_ rc: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text, context: "execute")
        }
    }

    /// A prepared statement, cached by its SQL text.
    func statement(_ sql: String) throws -> Statement {
        if let cached = cache[StatementKey(sql)] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc, "prepare") }
        let statement = Statement(raw, connection: self)
        cache[StatementKey(sql)] = statement
        return statement
    }

    /// Runs `body` in a transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so two
    /// processes appending never interleave. Rolls back when `body` throws.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a read transaction: one consistent snapshot for all of its reads. The
    /// transaction always ends, also when `body` throws or `COMMIT` fails (then by `ROLLBACK`), so
    /// the connection never keeps an old snapshot.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        defer {
            if isInTransaction, (try? execute("COMMIT")) == nil { try? execute("ROLLBACK") }
        }
        return try body()
    }

    /// True while a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last row this connection inserted.
    var lastInsertRowid: Int64 { sqlite3_last_insert_rowid(handle) }
}

/// A prepared statement with positional parameters (1-based).
final class Statement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(raw)
    }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    func bind(_ index: Int32, _ value: [UInt8]?) {
        guard let value else {
            sqlite3_bind_null(raw, index)
            return
        }
        value.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(raw, index, buffer.baseAddress, Int32(buffer.count), SQLITE_TRANSIENT)
        }
    }

    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else {
            sqlite3_bind_null(raw, index)
            return
        }
        sqlite3_bind_int64(raw, index, value)
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(raw, index)
            return
        }
        sqlite3_bind_text(raw, index, value, -1, SQLITE_TRANSIENT)
    }

    /// Steps once; true when a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, "step")
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        while try step() {}
        sqlite3_reset(raw)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    var columnCount: Int32 { sqlite3_column_count(raw) }

    func columnName(_ column: Int32) -> String { String(cString: sqlite3_column_name(raw, column)) }

    func columnType(_ column: Int32) -> Int32 { sqlite3_column_type(raw, column) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    /// The column as an unsigned number (sequence numbers, times, counters). Ledger stores only
    /// values in 0 ... 2^63 - 1 (FORMAT.md), so a value outside the type's range comes only from a
    /// store edited by hand: it reads as the nearest value in range instead of trapping, and the
    /// audit reports the edit.
    func uint64(_ column: Int32) -> UInt64 { UInt64(clamping: sqlite3_column_int64(raw, column)) }

    /// The column as a 32-bit counter, clamped like `uint64(_:)`.
    func uint32(_ column: Int32) -> UInt32 { UInt32(clamping: sqlite3_column_int64(raw, column)) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: pointer)
    }

    /// True when the column holds exactly `bytes` (compared in place, without copying).
    func blobEquals(_ column: Int32, _ bytes: [UInt8]) -> Bool {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count == bytes.count else { return false }
        guard count > 0, let pointer = sqlite3_column_blob(raw, column) else { return count == 0 }
        return bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return false }
            return memcmp(base, pointer, count) == 0
        }
    }

    /// True when the column holds exactly `bytes` (compared in place).
    func blobEquals(_ column: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count == bytes.count else { return false }
        guard count > 0, let pointer = sqlite3_column_blob(raw, column), let base = bytes.baseAddress else { return count == 0 }
        return memcmp(base, pointer, count) == 0
    }

    /// True when the column is text whose UTF-8 bytes are exactly `bytes` (compared in place).
    func textEquals(_ column: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard sqlite3_column_type(raw, column) == SQLITE_TEXT, let pointer = sqlite3_column_text(raw, column) else { return false }
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count == bytes.count else { return false }
        guard count > 0, let base = bytes.baseAddress else { return count == 0 }
        return memcmp(base, pointer, count) == 0
    }

    /// Calls `body` with the column's bytes in place (empty for NULL or an empty blob); the
    /// pointer is only valid inside `body`, and only until the statement steps again.
    func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let pointer = sqlite3_column_blob(raw, column) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let pointer = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

extension Statement {
    /// The current row as one line: each column as `name=value`, separated by tabs, values as
    /// `null`, `i:<decimal>`, `t:<hex of UTF-8>` or `b:<hex>`, then a newline.
    func canonicalRow() -> [UInt8] {
        var out: [UInt8] = []
        let count = columnCount
        for column in 0..<count {
            if column > 0 { out.append(0x09) }
            out.append(contentsOf: Array(columnName(column).utf8))
            out.append(UInt8(ascii: "="))
            switch columnType(column) {
            case SQLITE_NULL: out.append(contentsOf: Array("null".utf8))
            case SQLITE_INTEGER: out.append(contentsOf: Array("i:\(int64(column))".utf8))
            case SQLITE_TEXT: out.append(contentsOf: Array("t:\(Hex.encode(Array(text(column).utf8)))".utf8))
            default: out.append(contentsOf: Array("b:\(Hex.encode(blob(column)))".utf8))
            }
        }
        out.append(0x0a)
        return out
    }
}

/// A statement cache's key: the SQL text, hashed by its length and its first and last 32 bytes.
/// `String`'s own hash (SipHash, the bytes fed one at a time) of statements hundreds of
/// characters long, on every use, was a tenth of an ingest's Swift time (docs/PERFORMANCE.md).
/// Two statements that share length, start and end only share a bucket: equality is the
/// whole text's.
struct StatementKey: Hashable {
    let sql: String

    init(_ sql: String) {
        self.sql = sql
    }

    func hash(into hasher: inout Hasher) {
        var text = sql
        text.withUTF8 { bytes in
            hasher.combine(bytes.count)
            guard bytes.count > 64 else {
                hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
                return
            }
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<32])))
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[(bytes.count - 32)...])))
        }
    }
}
