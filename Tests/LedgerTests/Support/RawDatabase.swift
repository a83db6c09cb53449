import CSQLite
import Foundation

/// Direct SQLite access behind the store's back, for tamper tests.
final class RawDatabase {
    private var handle: OpaquePointer?

    init(path: String) throws {
        guard sqlite3_open(path, &handle) == SQLITE_OK else { throw RawError(message: "cannot open \(path)") }
        sqlite3_busy_timeout(handle, 5_000)
    }

    deinit {
        sqlite3_close(handle)
    }

    struct RawError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "error"
            sqlite3_free(error)
            throw RawError(message: message)
        }
    }

    /// The first column of the first row of `sql`, an integer.
    func count(_ sql: String) throws -> Int64 {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { throw RawError(message: "prepare") }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw RawError(message: String(cString: sqlite3_errmsg(handle))) }
        return sqlite3_column_int64(statement, 0)
    }

    /// Replaces the bytes of the entry at (author, sequence).
    func setEntryBytes(_ bytes: [UInt8], author: [UInt8], sequence: UInt64, column: String = "bytes") throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, "UPDATE entries SET \(column) = ? WHERE author = ? AND sequence = ?", -1, &statement, nil) == SQLITE_OK else {
            throw RawError(message: "prepare")
        }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        bytes.withUnsafeBytes { _ = sqlite3_bind_blob(statement, 1, $0.baseAddress, Int32($0.count), transient) }
        author.withUnsafeBytes { _ = sqlite3_bind_blob(statement, 2, $0.baseAddress, Int32($0.count), transient) }
        sqlite3_bind_int64(statement, 3, Int64(sequence))
        guard sqlite3_step(statement) == SQLITE_DONE else { throw RawError(message: String(cString: sqlite3_errmsg(handle))) }
    }

    /// Every row of `sql`, each column as text.
    func rows(_ sql: String) throws -> [[String]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { throw RawError(message: "prepare") }
        defer { sqlite3_finalize(statement) }
        var rows: [[String]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            rows.append((0..<sqlite3_column_count(statement)).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
            })
        }
        return rows
    }

    func dropTriggers() throws {
        try execute("DROP TRIGGER entries_immutable_update; DROP TRIGGER entries_immutable_delete;")
    }
}
