import Foundation
import Ledger

/// `--store-floor` (issue 11, "measure what each costs"): what the rows a batched append writes
/// cost SQLite alone, with no Ledger code above it. A real HQ store is filled by `appendBatch`
/// (timed: Ledger's own figure in the same run); then its rows are copied, in the same
/// transactions of `--batch` entries, into empty stores with the same tables, indexes and pragmas
/// (`INSERT ... SELECT` from the filled store, attached), first `entries` alone, then with
/// `payloads`, `signatures`, and the Merkle tree's tables added in turn. The copy also reads the
/// source's rows: that read is timed on its own and given beside each figure. Nothing is signed,
/// encoded, checked or projected in the copies, and no count trigger runs (they are not created),
/// so each figure is a ceiling on what any code can reach with those rows and indexes, on this
/// machine, in this run.
enum StoreFloor {
    /// The tables an append of a signature writes a row into (besides `meta` and the counts):
    /// `entries` alone, then `payloads`, `signatures` and the Merkle tree's tables added in turn
    /// (the last set is everything), then the log without its read models (no `signatures`): what
    /// an append would write if the projection ran outside the append's transaction.
    static let sets: [(label: String, tables: [String])] = [
        ("entries", ["entries"]),
        ("+ payloads", ["entries", "payloads"]),
        ("+ signatures", ["entries", "payloads", "signatures"]),
        ("+ tree_leaves, tree_nodes (all)", ["entries", "payloads", "signatures", "tree_leaves", "tree_nodes"]),
        ("all but signatures", ["entries", "payloads", "tree_leaves", "tree_nodes"]),
    ]

    /// The writer's pragmas (``LedgerStore``'s `open`) that change what a write costs.
    static let pragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA cache_size = -65536;
        PRAGMA wal_autocheckpoint = 16384;
        PRAGMA temp_store = MEMORY;
        PRAGMA secure_delete = ON;
        """

    static func run(options: BenchOptions, directory: URL, progress: (String) -> Void) throws -> String {
        let machine = Machine.current()
        let before = try SQLiteReferences.measure(rows: options.entries, batchSize: options.batchSize, commits: 10,
                                                  in: try Benchmark.subdirectory("raw", of: directory))
        let workload = try Workload.create(in: directory)
        progress("making \(Format.count(options.entries)) signature entries (not timed)")
        let items = try workload.factory.signatures(0..<options.entries)
        progress("appending them in batches of \(Format.count(options.batchSize)) (timed)")
        let appendBytesBefore = IOMeter.bytesWritten()
        let (_, appendSeconds) = try Stopwatch.time {
            for start in stride(from: 0, to: items.count, by: options.batchSize) {
                _ = try workload.node.store.appendBatch(Array(items[start..<min(items.count, start + options.batchSize)]), signer: workload.node.key)
            }
        }
        let appendBytes = IOMeter.perOperation(since: appendBytesBefore, operations: items.count)
        let append = Rate(count: items.count, seconds: appendSeconds)
        let source = workload.node.store.path
        let chunks = (options.entries + options.batchSize - 1) / options.batchSize

        var lines: [String] = []
        var copies: [(label: String, rate: Rate, readSeconds: Double, bytes: Double?)] = []
        for (index, step) in sets.enumerated() {
            let tables = step.tables
            progress("copying the rows of \(tables.joined(separator: ", ")) in \(Format.count(chunks)) transactions")
            let copy = try Copy(source: source, tables: tables, chunks: chunks,
                                path: try Benchmark.subdirectory("floor-\(index)", of: directory).appendingPathComponent("floor.sqlite").path)
            let readSeconds = try copy.readSeconds()
            let bytesBefore = IOMeter.bytesWritten()
            let (_, seconds) = try Stopwatch.time { try copy.run() }
            let bytes = IOMeter.perOperation(since: bytesBefore, operations: items.count)
            copies.append((step.label, Rate(count: items.count, seconds: seconds), readSeconds, bytes))
        }
        // The durable floor: every row of the store but its last batch copied in batches, then the
        // rows of the last `singles` entries in transactions of `group` entries, each committed
        // (fsynced) before the next: what `append` of one entry writes (group 1), or a group
        // commit of 32 concurrent signers all in one transaction (group 32), with nothing else.
        let singles = min(options.singleAppends, options.batchSize, options.entries)
        func durableFloor(group: Int, tables: [String] = sets[3].tables) throws -> (rate: Rate, latencies: Latencies, bytes: Double?) {
            let commits = max(1, singles / group)
            progress("copying the rows of the last \(Format.count(commits * group)) entries in \(Format.count(commits)) transactions of \(group)")
            let path = try Benchmark.subdirectory("floor-durable-\(group)-\(tables.count)", of: directory).appendingPathComponent("floor.sqlite").path
            try Copy(source: source, tables: tables, chunks: chunks, path: path).run(0..<(chunks - 1), check: false)
            let groups = options.entries / group
            let copy = try Copy(source: source, tables: tables, chunks: groups, path: path, createSchema: false)
            let bytesBefore = IOMeter.bytesWritten()
            let seconds = try copy.run((groups - commits)..<groups, check: false)
            let bytes = IOMeter.perOperation(since: bytesBefore, operations: commits)
            return (Rate(count: commits * group, seconds: seconds.reduce(0, +)), Latencies(seconds), bytes)
        }
        let durable = try durableFloor(group: 1)
        let grouped = try durableFloor(group: 32)
        let logOnly = try durableFloor(group: 1, tables: sets[4].tables)
        progress("timing \(Format.count(singles)) of Ledger's durable appends on the filled store")
        let parts = try (0..<singles).map { try workload.factory.parts(options.entries + $0) }
        let appendOneBytesBefore = IOMeter.bytesWritten()
        var appendLatencies: [Double] = []
        for (body, payload) in parts {
            appendLatencies.append(try Stopwatch.time { try workload.node.store.append(body, payload: payload, signer: workload.node.key) }.1)
        }
        let appendOneBytes = IOMeter.perOperation(since: appendOneBytesBefore, operations: singles)
        let appendOne = (rate: Rate(count: singles, seconds: appendLatencies.reduce(0, +)), latencies: Latencies(appendLatencies))

        let after = try SQLiteReferences.measure(rows: options.entries, batchSize: options.batchSize, commits: 10,
                                                 in: try Benchmark.subdirectory("raw-again", of: directory))
        let raw = (before.insert.perSecond + after.insert.perSecond) / 2
        func column(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append("  \(column("Ledger's appendBatch (everything)", 48)) \(column(Format.count(append.perSecond), 9)) /s  \(Format.ratio(append.perSecond / raw)) raw insert; \(Format.bytes(appendBytes, per: "entry"))")
        for copy in copies {
            let withoutRead = Rate(count: copy.rate.count, seconds: max(copy.rate.seconds - copy.readSeconds, 1e-9))
            lines.append("  \(column("rows alone: " + copy.label, 48)) \(column(Format.count(copy.rate.perSecond), 9)) /s  \(Format.ratio(copy.rate.perSecond / raw)) raw insert; \(Format.bytes(copy.bytes, per: "entry")); "
                         + "\(Format.count(withoutRead.perSecond)) /s = \(Format.ratio(withoutRead.perSecond / raw)) without reading the source (\(String(format: "%.2f", copy.readSeconds)) s)")
        }
        let commit = (before.durableCommit.perSecond + after.durableCommit.perSecond) / 2
        lines.append("")
        lines.append("  SQLite one-row durable commit: \(Format.count(before.durableCommit.perSecond)) /s before, \(Format.count(after.durableCommit.perSecond)) after (ratios to their mean; issue 11's durable-append target: 0.8x)")
        for (label, figure) in [("Ledger's append (one entry, everything)", (rate: appendOne.rate, latencies: appendOne.latencies, bytes: appendOneBytes)),
                                ("rows alone, one entry per transaction", durable), ("rows alone, 32 entries per transaction", grouped),
                                ("rows alone, one per transaction, no signatures", logOnly)] {
            lines.append("  \(column(label, 48)) \(column(Format.count(figure.0.perSecond), 9)) /s  \(Format.ratio(figure.0.perSecond / commit)) raw durable commit; commit p50 \(Format.millis(figure.1.p50)), p99 \(Format.millis(figure.1.p99)); \(Format.bytes(figure.2, per: "commit"))")
        }
        return ([
            "Store floor: the rows \(Format.count(options.entries)) appended signatures write, copied by SQLite alone in transactions of \(Format.count(options.batchSize)) (HQ store, Merkle tree on)",
            "Machine: \(machine.cpuModel), \(machine.onlineCores) cores online; load average \(machine.loadAverage) at start, \(Machine.loadAverages() ?? "unknown") at end",
            "SQLite insert, 300-byte rows, \(Format.count(options.batchSize))/transaction: \(Format.count(before.insert.perSecond)) rows/s before (\(Format.bytes(before.insertBytesWritten, per: "row"))), \(Format.count(after.insert.perSecond)) after; ratios below are to their mean (issue 11's batched-append target: 0.4x, and at most 2x the raw row's bytes)",
            "",
        ] + lines).joined(separator: "\n")
    }

    /// One copy of the source's rows of `tables` into a new database with their schema.
    struct Copy {
        let database: RawDatabase
        /// One `INSERT ... SELECT` and one plain `SELECT` (the read alone) per table, and the
        /// parameters each runs with for a chunk (once per parameter list).
        let statements: [(insert: RawStatement, read: RawStatement, parameters: (Int) -> [[Int64]])]
        let chunks: Int
        let tables: [String]

        /// A copy into `path`, creating the tables and indexes unless `createSchema` is false (a
        /// second copy into a database an earlier one made).
        init(source: String, tables: [String], chunks: Int, path: String, createSchema: Bool = true) throws {
            let database = try RawDatabase(path: path)
            try database.execute(StoreFloor.pragmas)
            try database.execute("ATTACH DATABASE '\(source.replacingOccurrences(of: "'", with: "''"))' AS src")
            let names = tables.map { "'\($0)'" }.joined(separator: ", ")
            // Tables before their indexes; the automatic indexes of UNIQUE and PRIMARY KEY come with their table.
            let schema = try database.prepare("""
                SELECT sql FROM src.sqlite_master WHERE tbl_name IN (\(names)) AND type IN ('table', 'index') AND sql IS NOT NULL
                ORDER BY type = 'index', rowid
                """)
            var ddl: [String] = []
            while try schema.step() { if let sql = schema.text(0) { ddl.append(sql) } }
            schema.reset()
            if createSchema { try database.execute(ddl.joined(separator: ";\n")) }
            let leaves = try Self.range(database, "SELECT min(idx), count(*) FROM src.tree_leaves")
            let levels = try Self.range(database, "SELECT max(level), count(*) FROM src.tree_nodes").first
            let count = chunks
            self.statements = try tables.map { table in
                if table == "tree_nodes" {
                    // The nodes the chunk's leaves complete: node (level, idx) covers leaves
                    // idx << level up to (idx + 1) << level, so for leaves low..<high the nodes
                    // of each level with idx in (low >> level)..<(high >> level).
                    let filter = "level = ?1 AND idx >= ?2 AND idx < ?3"
                    return (try database.prepare("INSERT INTO main.tree_nodes SELECT * FROM src.tree_nodes WHERE \(filter)"),
                            try database.prepare("SELECT * FROM src.tree_nodes WHERE \(filter)"),
                            { chunk in
                                let (low, high) = Self.bounds(chunk: chunk, of: count, first: 0, count: leaves.count, open: false)
                                return levels < 1 ? [] : (1...levels).map { [$0, low >> $0, high >> $0] }
                            })
                }
                let rows = try Self.range(database, "SELECT min(rowid), count(*) FROM src.\(table)")
                let filter = "rowid >= ?1 AND rowid < ?2"
                return (try database.prepare("INSERT INTO main.\(table) SELECT * FROM src.\(table) WHERE \(filter)"),
                        try database.prepare("SELECT * FROM src.\(table) WHERE \(filter)"),
                        { chunk in
                            let (low, high) = Self.bounds(chunk: chunk, of: count, first: rows.first, count: rows.count, open: true)
                            return [[low, high]]
                        })
            }
            self.database = database
            self.chunks = chunks
            self.tables = tables
        }

        /// Copies the chunks of `range` (every chunk by default), one transaction each, and returns
        /// each transaction's time. With `check`, then checks that every row of the source is copied.
        @discardableResult
        func run(_ range: Range<Int>? = nil, check: Bool = true) throws -> [Double] {
            var seconds: [Double] = []
            for chunk in range ?? 0..<chunks {
                seconds.append(try Stopwatch.time {
                    try database.execute("BEGIN IMMEDIATE")
                    for statement in statements {
                        for parameters in statement.parameters(chunk) {
                            for (index, value) in parameters.enumerated() { statement.insert.bind(Int32(index + 1), value) }
                            try statement.insert.run()
                        }
                    }
                    try database.execute("COMMIT")
                }.1)
            }
            guard check else { return seconds }
            for table in tables {
                let copied = try Self.range(database, "SELECT 0, count(*) FROM main.\(table)").count
                let source = try Self.range(database, "SELECT 0, count(*) FROM src.\(table)").count
                guard copied == source else { throw BenchError.referenceFailed("the floor copied \(copied) of \(source) rows of \(table)") }
            }
            return seconds
        }

        /// The time reading the same rows takes, with nothing written.
        func readSeconds() throws -> Double {
            try Stopwatch.time {
                for chunk in 0..<chunks {
                    for statement in statements {
                        for parameters in statement.parameters(chunk) {
                            for (index, value) in parameters.enumerated() { statement.read.bind(Int32(index + 1), value) }
                            try statement.read.run()
                        }
                    }
                }
            }.1
        }

        /// The first key and the row count that `sql` selects.
        static func range(_ database: RawDatabase, _ sql: String) throws -> (first: Int64, count: Int64) {
            let statement = try database.prepare(sql)
            defer { statement.reset() }
            guard try statement.step() else { return (0, 0) }
            return (statement.int(0), statement.int(1))
        }

        /// The keys of `chunk`'s share of `count` rows numbered from `first`: `first + chunk * count / chunks`
        /// up to (not including) the next chunk's. With `open`, the first chunk starts at the
        /// smallest key and the last ends past the largest.
        static func bounds(chunk: Int, of chunks: Int, first: Int64, count: Int64, open: Bool) -> (Int64, Int64) {
            let low = first + Int64(chunk) * count / Int64(chunks)
            let high = first + Int64(chunk + 1) * count / Int64(chunks)
            guard open else { return (low, high) }
            return (chunk == 0 ? Int64.min : low, chunk == chunks - 1 ? Int64.max : high)
        }
    }
}
