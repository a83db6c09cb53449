/// Forked logs (docs/FORMAT.md section 8, "Forks"): which entries are held until HQ adopts them.
extension Projector {
    /// Recomputes one author's forked region: its fork point, the entries held (every entry of the
    /// region that no authorised `fork.adopted` covers; none for HQ's root key), and the
    /// `forked_logs` row. Depends only on the set of entries held, never on which branch this node
    /// calls the log. Returns true when the held entries changed.
    func refreshFork(_ author: PublicKey) throws -> Bool {
        let before = try heldEntries(of: author)
        let point = try connection.statement("SELECT MIN(sequence) FROM forks WHERE author = ?")
        point.bind(1, author.bytes)
        _ = try point.step()
        let forkPoint: Int64? = point.isNull(0) ? nil : point.int64(0)
        point.reset()
        guard let forkPoint else {
            try run("DELETE FROM forked_logs WHERE author = ?", author.bytes)
            try run("DELETE FROM held_entries WHERE author = ?", author.bytes)
            return !before.isEmpty
        }

        if author == policy.hq {
            // HQ's root: nothing is held, so only the figures are needed, counted in SQL (its
            // log may be long, and it goes on growing after a fork).
            let figures = try connection.statement("""
                SELECT (SELECT COUNT(*) FROM entries WHERE author = ?1 AND sequence >= ?2) + (SELECT COUNT(*) FROM forks WHERE author = ?1),
                       1 + (SELECT COUNT(*) FROM forks f WHERE f.author = ?1 AND NOT EXISTS (SELECT 1 FROM forks g WHERE g.previous = f.id))
                """)
            figures.bind(1, author.bytes)
            figures.bind(2, forkPoint)
            _ = try figures.step()
            let (entries, tips) = (figures.int64(0), figures.int64(1))
            figures.reset()
            try writeForkedLog(author, forkPoint: forkPoint, entries: entries, branches: tips, held: 0)
            if !before.isEmpty { try run("DELETE FROM held_entries WHERE author = ?", author.bytes) }
            return !before.isEmpty
        }

        // The region: branch entries (with their links) and log entries from the fork point up.
        var branches: [Digest: (sequence: Int64, previous: Digest)] = [:]
        let branchRows = try connection.statement("SELECT id, sequence, previous FROM forks WHERE author = ?")
        branchRows.bind(1, author.bytes)
        while try branchRows.step() {
            if let id = Digest(branchRows.blob(0)), let previous = Digest(branchRows.blob(2)) {
                branches[id] = (branchRows.int64(1), previous)
            }
        }
        branchRows.reset()
        var logSequence: [Digest: Int64] = [:]
        let logRows = try connection.statement("SELECT id, sequence FROM entries WHERE author = ? AND sequence >= ?")
        logRows.bind(1, author.bytes)
        logRows.bind(2, forkPoint)
        while try logRows.step() {
            if let id = Digest(logRows.blob(0)) {
                logSequence[id] = logRows.int64(1)
            }
        }
        logRows.reset()

        // What the adoptions cover: each adopted head and its ancestors in the region. On the log,
        // ancestors of an entry are the log entries below it, so a prefix of the region's log part.
        var adoptedLogUpTo = forkPoint - 1
        var adoptedBranches: Set<Digest> = []
        do {
            let heads = try connection.statement("SELECT DISTINCT head FROM fork_adoptions WHERE device = ? AND authorised = 1")
            heads.bind(1, author.bytes)
            var cursors: [Digest] = []
            while try heads.step() { if let id = Digest(heads.blob(0)) { cursors.append(id) } }
            heads.reset()
            for head in cursors {
                var cursor: Digest? = head
                while let id = cursor {
                    if let sequence = logSequence[id] {
                        adoptedLogUpTo = max(adoptedLogUpTo, sequence)
                        break
                    }
                    guard let branch = branches[id], adoptedBranches.insert(id).inserted else { break }
                    cursor = branch.previous
                }
            }
        }
        let held = logSequence.filter { $0.value > adoptedLogUpTo }.map(\.key)
            + branches.keys.filter { !adoptedBranches.contains($0) }
        let linkedTo = Set(branches.values.map(\.previous))
        let tips = 1 + branches.keys.filter { !linkedTo.contains($0) }.count
        try writeForkedLog(author, forkPoint: forkPoint, entries: Int64(branches.count + logSequence.count), branches: Int64(tips), held: Int64(held.count))
        guard Set(held) != before else { return false }
        try run("DELETE FROM held_entries WHERE author = ?", author.bytes)
        let insert = try connection.statement("INSERT INTO held_entries (id, author) VALUES (?, ?)")
        for id in held {
            insert.bind(1, id.bytes)
            insert.bind(2, author.bytes)
            try insert.run()
        }
        return true
    }

    private func writeForkedLog(_ author: PublicKey, forkPoint: Int64, entries: Int64, branches: Int64, held: Int64) throws {
        let row = try connection.statement("""
            INSERT INTO forked_logs (author, fork_sequence, entries, branches, held) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (author) DO UPDATE SET fork_sequence = excluded.fork_sequence, entries = excluded.entries,
                branches = excluded.branches, held = excluded.held
            """)
        row.bind(1, author.bytes)
        row.bind(2, forkPoint)
        row.bind(3, entries)
        row.bind(4, branches)
        row.bind(5, held)
        try row.run()
    }

    private func heldEntries(of author: PublicKey) throws -> Set<Digest> {
        let statement = try connection.statement("SELECT id FROM held_entries WHERE author = ?")
        statement.bind(1, author.bytes)
        defer { statement.reset() }
        var out: Set<Digest> = []
        while try statement.step() { if let id = Digest(statement.blob(0)) { out.insert(id) } }
        return out
    }

    private func run(_ sql: String, _ value: [UInt8]) throws {
        let statement = try connection.statement(sql)
        statement.bind(1, value)
        try statement.run()
    }
}
