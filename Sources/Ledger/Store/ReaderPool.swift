import Foundation

/// Read-only connections to a store's file, beside its one writer connection. In WAL mode SQLite
/// lets them read while the writer holds a write transaction open, so a read waits for a free
/// reader, never for a write (docs/STORE.md, "Readers and the writer").
///
/// Promises:
/// - Each read runs in one read transaction on a connection no other thread uses meanwhile, so it
///   sees one snapshot: the last commit before it began, never uncommitted rows.
/// - At most ``size`` reads run at once; more wait for a free connection.
/// - Connections are opened when first needed, so a short-lived store opens one or none.
///
/// For example:
/// ```swift
/// let pool = ReaderPool(path: path)
/// let heads = try pool.read { db in
///     let statement = try db.statement("SELECT COUNT(DISTINCT author) FROM entries")
///     defer { statement.reset() }
///     return try statement.step() ? statement.int64(0) : 0
/// }
/// ```
final class ReaderPool: @unchecked Sendable {
    // @unchecked: `idle` and `opened` change only while `condition` is locked, and a connection
    // taken out of `idle` is used by that one read alone until it is given back.

    /// Readers per store: the daemon's concurrent readers (kiosk pages, health, metrics, sync
    /// requests) rarely exceed this on the 2–4 core machines Ledger runs on.
    static let defaultSize = 4
    /// Page cache per reader, in KiB (the writer has 64 MiB).
    static let cacheKiB = 16_384

    /// Most connections open at once.
    let size: Int
    private let path: String
    private let condition = NSCondition()
    private var idle: [SQLiteConnection] = []
    private var opened = 0

    init(path: String, size: Int = ReaderPool.defaultSize) {
        self.path = path
        self.size = max(1, size)
    }

    /// The SQL of every statement the idle readers have prepared (``SQLiteConnection/preparedSQL``).
    var preparedSQL: [String] {
        condition.withLock { idle.flatMap(\.preparedSQL) }
    }

    /// For tests: opens every reader the pool may have, and makes each count its instructions
    /// into `counter` (``SQLiteConnection/countInstructions(into:)``).
    func countInstructions(into counter: InstructionCounter?) throws {
        try readers(size) { _ in }
        condition.withLock { idle.forEach { $0.countInstructions(into: counter) } }
    }

    /// Runs `body` with a free reader, inside one read transaction (`BEGIN DEFERRED` … `COMMIT`).
    func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let db = try checkOut()
        defer { checkIn(db) }
        return try db.readTransaction { try body(db) }
    }

    /// Runs `body` with `count` readers at once (at most ``size``), taken together so that two
    /// callers never each hold some and wait for more. `body` opens and closes their transactions;
    /// a reader still in a transaction afterwards is closed, not reused.
    func readers<T>(_ count: Int, _ body: ([SQLiteConnection]) throws -> T) throws -> T {
        let count = min(max(1, count), size)
        condition.lock()
        while idle.count + (size - opened) < count { condition.wait() }
        let reused = Array(idle.suffix(min(count, idle.count)))
        idle.removeLast(reused.count)
        let toOpen = count - reused.count
        opened += toOpen
        condition.unlock()
        var dbs = reused
        defer { dbs.forEach(checkIn) }
        do {
            for _ in 0..<toOpen {
                let db = try SQLiteConnection(path: path, readOnly: true)
                try db.execute("PRAGMA cache_size = -\(Self.cacheKiB)")
                dbs.append(db)
            }
        } catch {
            condition.lock()
            opened -= toOpen - (dbs.count - reused.count)
            condition.broadcast()
            condition.unlock()
            throw error
        }
        return try body(dbs)
    }

    private func checkOut() throws -> SQLiteConnection {
        condition.lock()
        while idle.isEmpty && opened >= size { condition.wait() }
        if let db = idle.popLast() {
            condition.unlock()
            return db
        }
        opened += 1
        condition.unlock()
        do {
            let db = try SQLiteConnection(path: path, readOnly: true)
            try db.execute("PRAGMA cache_size = -\(Self.cacheKiB)")
            return db
        } catch {
            condition.lock()
            opened -= 1
            condition.broadcast()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ db: SQLiteConnection) {
        // A connection still inside a transaction would pin an old snapshot: close it instead.
        let reusable = !db.isInTransaction
        condition.lock()
        if reusable { idle.append(db) } else { opened -= 1 }
        condition.broadcast()
        condition.unlock()
    }
}
