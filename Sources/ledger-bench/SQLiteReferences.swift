import Crypto
import Foundation

/// Raw SQLite rates through the C API, on a table shaped like Ledger's `entries` table
/// (`id BLOB UNIQUE, author BLOB, sequence INTEGER, UNIQUE (author, sequence), bytes BLOB`),
/// with the pragmas Ledger uses: WAL and `synchronous = FULL`.
struct SQLiteReferences: Sendable {
    /// Rows inserted through one prepared statement, ``batchSize`` rows per transaction.
    var insert: Rate
    /// Rows per insert transaction.
    var batchSize: Int
    /// Bytes SQLite wrote (WAL frames, checkpoints) per inserted row; nil when unknown.
    var insertBytesWritten: Double?
    /// Bytes of the `bytes` column of each row.
    var rowSize: Int
    /// Every row read back in (author, sequence) order, blob included: the auditor's scan.
    var scan: Rate
    /// One-row transactions, each committed and fsynced before the next starts.
    var durableCommit: Rate
    /// Latency of each one-row transaction.
    var durableLatencies: Latencies

    static let schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        CREATE TABLE entries (
            rowid    INTEGER PRIMARY KEY,
            id       BLOB NOT NULL UNIQUE,
            author   BLOB NOT NULL,
            sequence INTEGER NOT NULL,
            bytes    BLOB NOT NULL,
            UNIQUE (author, sequence)
        );
        """

    /// Inserts `rows` rows in batches, scans them, then times `commits` one-row transactions,
    /// in database files under `directory`.
    static func measure(rows: Int, batchSize: Int, commits: Int, rowSize: Int = 300, in directory: URL) throws -> SQLiteReferences {
        let author = [UInt8](repeating: 0xA5, count: 32)
        let blob = [UInt8]((0..<rowSize).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        // Ids are SHA-256 values, as in Ledger, so the unique index sees random keys.
        let ids = (0..<(rows + commits)).map { index in
            withUnsafeBytes(of: UInt64(index)) { Array(SHA256.hash(data: $0)) }
        }

        let database = try RawDatabase(path: directory.appendingPathComponent("raw.sqlite").path)
        try database.execute(schema)
        let insertSQL = "INSERT INTO entries (id, author, sequence, bytes) VALUES (?, ?, ?, ?)"
        let insert = try database.prepare(insertSQL)
        let bytesBefore = IOMeter.bytesWritten()
        let (_, insertSeconds) = try Stopwatch.time {
            var next = 0
            while next < rows {
                try database.execute("BEGIN IMMEDIATE")
                for index in next..<min(rows, next + batchSize) {
                    insert.bind(1, ids[index])
                    insert.bind(2, author)
                    insert.bind(3, Int64(index + 1))
                    insert.bind(4, blob)
                    try insert.run()
                }
                try database.execute("COMMIT")
                next += batchSize
            }
        }
        let insertBytesWritten = IOMeter.perOperation(since: bytesBefore, operations: rows)

        let select = try database.prepare("SELECT bytes FROM entries ORDER BY author, sequence")
        let (scanned, scanSeconds) = try Stopwatch.time { () throws -> (rows: Int, bytes: Int) in
            var count = 0
            var bytes = 0
            while try select.step() {
                bytes += select.blobLength(0)
                count += 1
            }
            select.reset()
            return (count, bytes)
        }
        guard scanned.rows == rows, scanned.bytes == rows * rowSize else {
            throw BenchError.referenceFailed("the raw SQLite scan read \(scanned.rows) rows, expected \(rows)")
        }

        var latencies: [Double] = []
        latencies.reserveCapacity(commits)
        let (_, commitSeconds) = try Stopwatch.time {
            for index in rows..<(rows + commits) {
                let (_, seconds) = try Stopwatch.time {
                    try database.execute("BEGIN IMMEDIATE")
                    insert.bind(1, ids[index])
                    insert.bind(2, author)
                    insert.bind(3, Int64(index + 1))
                    insert.bind(4, blob)
                    try insert.run()
                    try database.execute("COMMIT")
                }
                latencies.append(seconds)
            }
        }

        return SQLiteReferences(
            insert: Rate(count: rows, seconds: insertSeconds), batchSize: batchSize,
            insertBytesWritten: insertBytesWritten, rowSize: rowSize,
            scan: Rate(count: rows, seconds: scanSeconds),
            durableCommit: Rate(count: commits, seconds: commitSeconds),
            durableLatencies: Latencies(latencies))
    }
}
