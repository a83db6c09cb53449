import CSQLite

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A bare SQLite connection for the reference loops: the C API and nothing else.
final class RawDatabase {
    private var handle: OpaquePointer?

    /// SQLite configured as Ledger configures it (memory statistics off, process-wide), so that
    /// the reference runs on the same library settings. Evaluated before the first open.
    static let libraryConfigured: Bool = ledger_sqlite3_disable_memstatus() == SQLITE_OK

    /// Opens or creates the database file at `path`, with the lookaside Ledger's connections use.
    init(path: String) throws {
        _ = Self.libraryConfigured
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw BenchError.sqlite(code: rc, message: message, context: "open \(path)")
        }
        _ = ledger_sqlite3_lookaside(handle, 1200, 500)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs statements that return no rows the caller needs.
    func execute(_ sql: String) throws {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw failure(rc, "execute \(sql.prefix(40))") }
    }

    /// Prepares one statement.
    func prepare(_ sql: String) throws -> RawStatement {
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw failure(rc, "prepare \(sql.prefix(40))") }
        return RawStatement(raw, database: self)
    }

    func failure(_ rc: Int32, _ context: String) -> BenchError {
        BenchError.sqlite(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }
}

/// A prepared statement with positional (1-based) parameters.
final class RawStatement {
    private let raw: OpaquePointer
    private let database: RawDatabase

    init(_ raw: OpaquePointer, database: RawDatabase) {
        self.raw = raw
        self.database = database
    }

    deinit {
        sqlite3_finalize(raw)
    }

    /// Binds a blob; SQLite copies it.
    func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(raw, index, buffer.baseAddress, Int32(buffer.count), transient)
        }
    }

    /// Binds an integer.
    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(raw, index, value)
    }

    /// Steps once; true when a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.failure(rc, "step")
        }
    }

    /// Runs a statement that returns no rows, then resets it for the next bindings.
    func run() throws {
        defer { sqlite3_reset(raw) }
        while try step() {}
    }

    /// The length in bytes of a blob column of the current row, once SQLite has loaded it.
    func blobLength(_ column: Int32) -> Int {
        guard sqlite3_column_blob(raw, column) != nil else { return 0 }
        return Int(sqlite3_column_bytes(raw, column))
    }

    /// An integer column of the current row.
    func int(_ column: Int32) -> Int64 {
        sqlite3_column_int64(raw, column)
    }

    /// A text column of the current row; nil when it is NULL.
    func text(_ column: Int32) -> String? {
        sqlite3_column_text(raw, column).map { String(cString: $0) }
    }

    /// Resets the statement so it can run again.
    func reset() {
        sqlite3_reset(raw)
    }
}
