extension LedgerStore {
    /// Up to `limit` entries of `author` with a sequence above `after`, in sequence order.
    public func entries(author: PublicKey, after: UInt64, limit: Int) throws -> [Entry] {
        guard after < Entry.maxSequence, limit > 0 else { return [] }
        return try reading { db in
            let statement = try db.statement(
                "SELECT bytes FROM entries WHERE author = ? AND sequence > ? ORDER BY sequence LIMIT ?")
            statement.bind(1, author.bytes)
            statement.bind(2, Int64(after))
            statement.bind(3, Int64(limit))
            defer { statement.reset() }
            var out: [Entry] = []
            while try statement.step() { out.append(try Entry(bytes: statement.blob(0))) }
            return out
        }
    }

    /// Digests of payloads that entries held here name but that this store lacks (not yet received).
    /// In digest order, only digests above `after` (to page through the list).
    public func wantedPayloads(after: Digest? = nil, limit: Int) throws -> [Digest] {
        guard limit > 0 else { return [] }
        return try reading { db in
            let statement = try db.statement("""
                SELECT wanted.digest FROM payloads_wanted AS wanted WHERE wanted.digest > ?1
                  AND NOT EXISTS (SELECT 1 FROM erasures x WHERE x.payload = wanted.digest AND x.authorised = 1)
                ORDER BY wanted.digest LIMIT ?2
                """)
            statement.bind(1, (after ?? .zero).bytes)
            statement.bind(2, Int64(limit))
            defer { statement.reset() }
            var out: [Digest] = []
            while try statement.step() { if let digest = Digest(statement.blob(0)) { out.append(digest) } }
            return out
        }
    }
}

extension LedgerStore {
    /// Records a signed request's nonce (node key and nonce bytes); false when it was recorded
    /// before (a replay). With `forgetBefore`, first forgets nonces recorded before that time.
    func rememberNonce(_ key: [UInt8], at time: UInt64, forgetBefore: UInt64?) throws -> Bool {
        try locked {
            try connection.writeTransaction {
                if let forgetBefore {
                    let purge = try connection.statement("DELETE FROM request_nonces WHERE time < ?")
                    purge.bind(1, Int64(clamping: forgetBefore))
                    try purge.run()
                }
                let insert = try connection.statement("INSERT OR IGNORE INTO request_nonces (key, time) VALUES (?, ?)")
                insert.bind(1, key)
                insert.bind(2, Int64(clamping: time))
                try insert.run()
                return connection.changes == 1
            }
        }
    }
}

extension LedgerStore {
    /// Entries of `author` from `head` back along `previous` links (log or branch entries), newest
    /// first, at most `limit`; empty when `head` is not held.
    public func chain(author: PublicKey, from head: Digest, limit: Int) throws -> [Entry] {
        guard limit > 0 else { return [] }
        return try reading { db in
            let lookup = try db.statement("""
                SELECT bytes FROM entries WHERE id = ?1 AND author = ?2 UNION ALL SELECT bytes FROM forks WHERE id = ?1 AND author = ?2 LIMIT 1
                """)
            var out: [Entry] = []
            var cursor = head
            while out.count < limit {
                lookup.bind(1, cursor.bytes)
                lookup.bind(2, author.bytes)
                let found = try lookup.step()
                let bytes = found ? lookup.blob(0) : []
                lookup.reset()
                guard found else { break }
                let entry = try Entry(bytes: bytes)
                out.append(entry)
                if entry.sequence == 1 { break }
                cursor = entry.previous
            }
            return out
        }
    }

    /// True when the store holds the entry (log or branch entry).
    public func contains(entry id: Digest) throws -> Bool {
        try reading { db in try holds(id, in: db) }
    }

    /// Which of `ids` the store holds (log or branch entries).
    public func held(_ ids: [Digest]) throws -> Set<Digest> {
        try reading { db in
            var out: Set<Digest> = []
            for id in ids where try holds(id, in: db) { out.insert(id) }
            return out
        }
    }
}
