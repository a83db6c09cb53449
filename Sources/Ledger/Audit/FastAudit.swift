import Foundation

/// The fast audit on every core (docs/STORE.md, "The fast audit"): the entries table is cut into
/// ranges of (author, sequence), each scanned by its own reader on its own thread, all readers in
/// one snapshot; the ranges' results are merged into the report one scan of the whole table gives.
extension LedgerStore {
    /// The largest store file an audit maps into memory instead of copying its pages through
    /// `read` (SQLite's `mmap_size`): 256 MiB, a laptop's whole store (about 150,000 entries).
    /// Measured: on a store of 100,000 entries mapping made the audit 15-25% faster; on one of a
    /// million (1.7 GB) it gained nothing, and made the process's resident size 2.6 GB (file pages,
    /// which the kernel can drop, but which count as the process's memory); mapping only its first
    /// 256 MiB was slower than either. So a larger store is read without a mapping. Only while an
    /// audit runs: a disk error under a mapping ends the process (SIGBUS) instead of raising an
    /// error, acceptable for a read-only scan, not for the daemon's every read.
    static let auditMapLimit: Int64 = 256 << 20

    /// `mmap_size` for this store's audit readers: the whole file when it is at most
    /// ``auditMapLimit``, else none.
    var auditMapSize: Int64 {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? .max
        return size <= LedgerStore.auditMapLimit ? LedgerStore.auditMapLimit : 0
    }

    func auditFast(segments: Int, progress: (Int) -> Void) throws -> AuditReport {
        guard let ledgerID, let hqKey else {
            // The identity may only be in the file yet (another process created the ledger).
            _ = try reading { _ in }
            guard self.ledgerID != nil else { throw StoreError.notInitialised(path: path) }
            return try auditFast(segments: segments, progress: progress)
        }
        return try mappingErrors {
            try readers.readers(segments) { dbs in
                let mapSize = auditMapSize
                for db in dbs { try db.execute("PRAGMA mmap_size = \(mapSize)") }
                defer {
                    for db in dbs {
                        if db.isInTransaction { try? db.execute("COMMIT") }
                        try? db.execute("PRAGMA mmap_size = 0")
                    }
                }
                let used = try beginOneSnapshot(dbs)
                let ranges = try LogRanges.plan(in: used[0], count: used.count)
                let done = DoneCounter()
                let ledger = ledgerID, hq = hqKey
                // Ranges 1... on threads of their own, range 0 on this one (which reports progress).
                let others: [RangeScan] = ranges.indices.dropFirst().map { index in
                    let db = used[index], range = ranges[index]
                    return RangeScan(range, in: db, path: path, ledger: ledger, hq: hq, done: done)
                }
                let first = Result { try LogScan.scan(ranges[0], in: used[0], path: path, ledger: ledger, hq: hq, done: done, progress: progress) }
                // Every thread is done with its reader before any error goes up.
                let rest = others.map { other in Result { try other.wait() } }
                let scans = try [first.get()] + rest.map { try $0.get() }

                var report = AuditReport(ledger: ledger.hex, mode: .fast, entries: 0, logs: 0, signaturesChecked: 0,
                                         payloadsChecked: 0, heads: [], faults: [])
                var heads: [Entry] = []
                for scan in scans {
                    if scan.continuesInherited && !heads.isEmpty { heads.removeLast() }
                    heads += scan.heads
                    report.entries += scan.entries
                    report.logs += scan.logs
                    report.faults += scan.faults
                }
                // The head's signature authenticates the whole chain before it.
                report.signaturesChecked = heads.count
                report.faults += ParallelSignatures.faults(heads) { EntryVerifier.checkSignature($0).map { [$0] } ?? [] }
                report.heads = heads.map { LogHead(author: $0.author.hex, sequence: $0.sequence, id: $0.id.hex) }
                progress(report.entries)
                try auditForks(into: &report, in: used[0])
                report.faults.sort { ($0.author, $0.sequence, $0.kind.rawValue) < ($1.author, $1.sequence, $1.kind.rawValue) }
                return report
            }
        }
    }

    /// Begins a read transaction on each reader, all on the same snapshot: while a connection of
    /// its own holds SQLite's write lock (`BEGIN IMMEDIATE`, which stops writers in this process and
    /// in others), no commit can fall between them. Where the write lock cannot be had within a
    /// second (a read-only file, a long write elsewhere) it uses the first reader alone. Returns the
    /// readers in use.
    private func beginOneSnapshot(_ dbs: [SQLiteConnection]) throws -> [SQLiteConnection] {
        func begin(_ db: SQLiteConnection) throws {
            try db.execute("BEGIN DEFERRED")
            // The snapshot is taken at a transaction's first read.
            let statement = try db.statement("SELECT COUNT(*) FROM meta")
            defer { statement.reset() }
            _ = try statement.step()
        }
        guard dbs.count > 1, let pin = try? SQLiteConnection(path: path),
              (try? pin.execute("PRAGMA busy_timeout = 1000")) != nil, (try? pin.execute("BEGIN IMMEDIATE")) != nil else {
            try begin(dbs[0])
            return [dbs[0]]
        }
        defer { try? pin.execute("ROLLBACK") }
        for db in dbs { try begin(db) }
        return dbs
    }
}

extension LogScan {
    /// Scans one range of the entries table (fast mode) on `db`, whose read transaction is open.
    static func scan(_ range: LogRanges.Range, in db: SQLiteConnection, path: String, ledger: Digest, hq: PublicKey,
                     done: DoneCounter, progress: (Int) -> Void = { _ in }) throws -> LogScan {
        var scan = LogScan(mode: .fast, db: db, path: path, ledger: ledger, hq: hq)
        if let start = range.start {
            // The last well-formed entry before the range, as a scan of the whole table would
            // hold it on reaching the range (malformed rows do not count).
            let before = try db.statement("SELECT bytes, rowid FROM entries WHERE (author, sequence) < (?, ?) ORDER BY author DESC, sequence DESC")
            defer { before.reset() }
            before.bind(1, start.author)
            before.bind(2, start.sequence)
            while try before.step() {
                let found = before.withBlob(0) { bytes -> Bool in
                    guard let layout = EntryLayout(bytes) else { return false }
                    let id = Digest.sha256(bytes)
                    id.bytes.withUnsafeBytes { scan.previous.update(bytes: bytes, layout: layout, id: $0, rowid: before.int64(1)) }
                    return true
                }
                if found {
                    scan.inherited = true
                    break
                }
            }
        }
        var conditions: [String] = []
        if range.start != nil { conditions.append("(author, sequence) >= (?1, ?2)") }
        if range.end != nil { conditions.append("(author, sequence) < (?3, ?4)") }
        let rows = try db.statement("""
            SELECT \(LogScan.columns) FROM entries \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY author, sequence
            """)
        defer { rows.reset() }
        if let start = range.start {
            rows.bind(1, start.author)
            rows.bind(2, start.sequence)
        }
        if let end = range.end {
            rows.bind(3, end.author)
            rows.bind(4, end.sequence)
        }
        var counted = 0
        while try rows.step() {
            try scan.row(rows)
            if scan.entries - counted == 4096 {
                counted = scan.entries
                let total = done.add(4096)
                progress(total)
            }
        }
        try scan.finish()
        _ = done.add(scan.entries - counted)
        return scan
    }
}

/// Ranges of the entries table in (author, sequence) order that together hold every row once.
enum LogRanges {
    struct Key {
        var author: [UInt8]
        var sequence: Int64
    }

    /// Rows with `start <= (author, sequence) < end`; nil is unbounded.
    struct Range {
        var start: Key?
        var end: Key?
    }

    /// About `count` ranges of about equal size, planned from each log's first and last sequence
    /// number (one index seek each, however large the store). The ranges cover every key whatever
    /// the stored values, so a store edited to hold odd sequence numbers only makes them uneven.
    static func plan(in db: SQLiteConnection, count: Int) throws -> [Range] {
        guard count > 1 else { return [Range()] }
        let statement = try db.statement("""
            WITH RECURSIVE authors (author) AS (
                SELECT MIN(author) FROM entries
                UNION ALL
                SELECT (SELECT MIN(e.author) FROM entries e WHERE e.author > authors.author) FROM authors WHERE authors.author IS NOT NULL
            )
            SELECT author,
                   (SELECT MIN(sequence) FROM entries e WHERE e.author = authors.author),
                   (SELECT MAX(sequence) FROM entries e WHERE e.author = authors.author)
            FROM authors WHERE author IS NOT NULL ORDER BY author
            """)
        defer { statement.reset() }
        var logs: [(author: [UInt8], first: Int64, size: Int64)] = []
        var total: Int64 = 0
        while try statement.step() {
            let first = statement.int64(1), last = statement.int64(2)
            let (span, overflow) = last.subtractingReportingOverflow(first)
            let size = overflow || span < 0 ? 1 : min(span, Int64.max / 2) + 1
            logs.append((statement.blob(0), first, size))
            total = total.addingReportingOverflow(size).overflow ? Int64.max : total + size
        }
        guard total > 0 else { return [Range()] }
        let share = max(1, total / Int64(count))
        var starts: [Key] = []
        var before: Int64 = 0  // rows in the logs before this one
        for log in logs {
            var next = Int64(starts.count + 1) * share
            while starts.count < count - 1 && next < before + log.size {
                let offset = max(0, next - before)
                let (sequence, overflow) = log.first.addingReportingOverflow(offset)
                if !overflow { starts.append(Key(author: log.author, sequence: sequence)) }
                next = Int64(starts.count + 1) * share
                if overflow { break }
            }
            before = before.addingReportingOverflow(log.size).overflow ? Int64.max : before + log.size
        }
        // Keys strictly increasing, none at the very start (that range would be empty).
        var cuts: [Key] = []
        for key in starts where cuts.last.map({ isLess($0, key) }) ?? true {
            if key.author == logs[0].author && key.sequence <= logs[0].first { continue }
            cuts.append(key)
        }
        var ranges: [Range] = []
        var start: Key?
        for cut in cuts {
            ranges.append(Range(start: start, end: cut))
            start = cut
        }
        ranges.append(Range(start: start, end: nil))
        return ranges
    }

    /// SQLite's order of (author, sequence) keys: blobs by memcmp, then shorter first; then sequence.
    static func isLess(_ a: Key, _ b: Key) -> Bool {
        if a.author != b.author { return a.author.lexicographicallyPrecedes(b.author) }
        return a.sequence < b.sequence
    }
}

/// Rows scanned so far by all ranges, for progress.
final class DoneCounter: @unchecked Sendable {
    // @unchecked: `value` changes only under `lock`.
    private let lock = NSLock()
    private var value = 0

    /// Adds `count` and returns the new total.
    func add(_ count: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += count
        return value
    }
}

/// One range scanned on a thread of its own; ``wait()`` returns its scan.
private final class RangeScan: @unchecked Sendable {
    // @unchecked: the reader `db` is handed to the thread, its only user until `done` is
    // signalled; `result` is written once by that thread before the signal and read only after
    // `wait()` has seen it.
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<LogScan, Error>?
    private let range: LogRanges.Range
    private let db: SQLiteConnection
    private let path: String
    private let ledger: Digest
    private let hq: PublicKey
    private let counter: DoneCounter

    init(_ range: LogRanges.Range, in db: SQLiteConnection, path: String, ledger: Digest, hq: PublicKey, done counter: DoneCounter) {
        self.range = range
        self.db = db
        self.path = path
        self.ledger = ledger
        self.hq = hq
        self.counter = counter
        Thread.detachNewThread { [self] in
            result = Result { try LogScan.scan(self.range, in: self.db, path: self.path, ledger: self.ledger, hq: self.hq, done: self.counter) }
            done.signal()
        }
    }

    func wait() throws -> LogScan {
        done.wait()
        return try result!.get()
    }
}
