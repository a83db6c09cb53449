import Crypto

extension LedgerStore {
    /// Drops the read models and rebuilds them from every stored entry, in one transaction.
    /// Returns the number of entries projected. `progress` hears "projecting entries".
    @discardableResult
    public func rebuildReadModels(progress: (WorkProgress) -> Void = { _ in }) throws -> Int {
        try locked { try connection.writeTransaction { try rebuildLocked(progress: progress) } }
    }

    func rebuildLocked(progress: (WorkProgress) -> Void = { _ in }) throws -> Int {
        let counted = try connection.statement("SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM forks)")
        let total = try counted.step() ? Int(counted.int64(0)) : 0
        counted.reset()
        try connection.execute(ReadModelSchema.drop)
        try connection.execute(ReadModelSchema.createTables)
        let projector = try makeProjector()
        let rows = try connection.statement("SELECT bytes FROM entries ORDER BY rowid")
        var count = 0
        while try rows.step() {
            try projector.apply(try Entry(bytes: rows.blob(0)))
            count += 1
            WorkProgress.report(progress, "projecting entries", count, of: total, every: 5000)
        }
        rows.reset()
        let branches = try connection.statement("SELECT bytes FROM forks ORDER BY author, sequence, id")
        while try branches.step() {
            try projector.apply(try Entry(bytes: branches.blob(0)), branch: true)
            count += 1
            WorkProgress.report(progress, "projecting entries", count, of: total, every: 5000)
        }
        branches.reset()
        try connection.execute(ReadModelSchema.createIndexes)
        try projector.finishAll()
        return count
    }

    /// SHA-256 over every read-model table in a fixed order, rows ordered by key
    /// (docs/READMODELS.md, "The digest"). Two nodes holding the same entries print the same digest.
    public func readModelDigest() throws -> Digest {
        try reading { db in
            var hasher = SHA256()
            for (table, key) in ReadModelSchema.tables {
                hasher.update(data: Array("table \(table)\n".utf8))
                let statement = try db.statement("SELECT * FROM \(table) ORDER BY \(key)")
                defer { statement.reset() }
                while try statement.step() {
                    hasher.update(data: statement.canonicalRow())
                }
            }
            return Digest(unchecked: Array(hasher.finalize()))
        }
    }
}
