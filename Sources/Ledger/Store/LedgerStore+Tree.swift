import Foundation

/// HQ's Merkle tree over every entry it holds (docs/FORMAT.md section 11): leaves in the order
/// they were stored, kept as leaf hashes plus the root of every complete subtree, so that a root
/// or a proof of any size reads O(log n) rows.
///
/// Only a store with the tree enabled (``enableTree()``, HQ's) appends leaves; the others keep
/// their tables empty. Leaves are appended in the transaction that stores the entry, so the tree
/// and the entries never disagree.
extension LedgerStore {
    /// Starts keeping the tree, filling it with the entries already stored: the logs' entries in
    /// the order they were stored, then the branch entries in theirs. Does nothing when the tree
    /// is kept already.
    public func enableTree() throws {
        try locked {
            if keepsTree { return }
            try connection.writeTransaction {
                keepsTree = try meta("tree") == [1]
                if keepsTree { return }
                for table in ["entries", "forks"] {
                    var last: Int64 = 0
                    while true {
                        // In slices, so that memory stays flat on a large ledger.
                        let rows = try connection.statement("SELECT rowid, bytes FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT 4096")
                        rows.bind(1, last)
                        var slice: [(Int64, [UInt8])] = []
                        while try rows.step() { slice.append((rows.int64(0), rows.blob(1))) }
                        rows.reset()
                        if slice.isEmpty { break }
                        for (rowid, bytes) in slice {
                            let source: LeafSource = table == "entries" ? .entry(rowid: rowid) : .branch(id: Digest.sha256(bytes))
                            try appendLeafLocked(source, data: bytes)
                            last = rowid
                        }
                    }
                }
                try setMeta("tree", [1])
                keepsTree = true
            }
        }
    }

    /// What a leaf names: a log entry by its `rowid` in `entries` (stable: an INTEGER PRIMARY KEY),
    /// or a branch entry by its id (docs/STORE.md, "The tree").
    enum LeafSource {
        case entry(rowid: Int64)
        case branch(id: Digest)
    }

    /// Appends the entry just stored as the next leaf when the tree is kept. Call inside the write
    /// transaction that stores the entry.
    func appendLeaf(_ source: LeafSource, data: [UInt8]) throws {
        // Another process (HQ's ledgerd) may have enabled the tree since this store was opened.
        if !keepsTree { keepsTree = try meta("tree") == [1] }
        if keepsTree { try appendLeafLocked(source, data: data) }
    }

    private func appendLeafLocked(_ source: LeafSource, data: [UInt8]) throws {
        let index = try treeSizeLocked()
        var hash = MerkleTree.leafHash(data)
        let leaf = try connection.statement("INSERT INTO tree_leaves (idx, entry, fork, hash) VALUES (?, ?, ?, ?)")
        leaf.bind(1, Int64(index))
        switch source {
        case .entry(let rowid):
            leaf.bind(2, rowid)
            leaf.bind(3, nil as [UInt8]?)
        case .branch(let id):
            leaf.bind(2, nil as Int64?)
            leaf.bind(3, id.bytes)
        }
        leaf.bind(4, hash.bytes)
        try leaf.run()
        // Every complete subtree this leaf closes: its right edge is this leaf.
        var level = 0
        var position = index
        while position % 2 == 1 {
            hash = MerkleTree.nodeHash(try nodeLocked(level, position - 1), hash)
            level += 1
            position /= 2
            let node = try connection.statement("INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)")
            node.bind(1, Int64(level))
            node.bind(2, Int64(position))
            node.bind(3, hash.bytes)
            try node.run()
        }
    }

    func treeSizeLocked() throws -> Int {
        try treeSize(in: connection)
    }

    /// The number of leaves, read through `db`.
    func treeSize(in db: SQLiteConnection) throws -> Int {
        let statement = try db.statement("SELECT max(idx) FROM tree_leaves")
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return 0 }
        return Int(statement.int64(0)) + 1
    }

    /// The hash of the complete subtree of 2^`level` leaves starting at leaf `index << level`.
    func nodeLocked(_ level: Int, _ index: Int) throws -> Digest {
        try node(level, index, in: connection)
    }

    /// ``nodeLocked(_:_:)``, read through `db`.
    func node(_ level: Int, _ index: Int, in db: SQLiteConnection) throws -> Digest {
        let statement = level == 0
            ? try db.statement("SELECT hash FROM tree_leaves WHERE idx = ?")
            : try db.statement("SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?")
        if level == 0 {
            statement.bind(1, Int64(index))
        } else {
            statement.bind(1, Int64(level))
            statement.bind(2, Int64(index))
        }
        defer { statement.reset() }
        guard try statement.step(), let hash = Digest(statement.blob(0)) else {
            throw StoreError.corrupted(path: path, detail: "the Merkle tree has no node \(level)/\(index)")
        }
        return hash
    }

    /// True when this store keeps the tree (HQ's).
    public var keepsMerkleTree: Bool { keepsTree }

    /// The number of leaves.
    public func treeSize() throws -> Int {
        try reading { db in try treeSize(in: db) }
    }

    /// The root of the first `size` leaves (`size` at most the tree's size).
    public func treeRoot(size: Int) throws -> Digest {
        try reading { db in
            guard size >= 0, size <= (try treeSize(in: db)) else { throw StoreError.outsideTree("a size of \(size) leaves") }
            return try MerkleTree.root(size: size, node: { try node($0, $1, in: db) })
        }
    }

    /// The leaf index of entry `id`, or nil when it is not a leaf.
    public func leafIndex(of id: Digest) throws -> Int? {
        try reading { db in
            let statement = try db.statement("""
                SELECT t.idx FROM entries e JOIN tree_leaves t ON t.entry = e.rowid WHERE e.id = ?1
                UNION ALL SELECT idx FROM tree_leaves WHERE fork = ?1 LIMIT 1
                """)
            statement.bind(1, id.bytes)
            defer { statement.reset() }
            return try statement.step() ? Int(statement.int64(0)) : nil
        }
    }

    /// The entry ids of the first `size` leaves, in leaf order (the tree's order, which a bundle
    /// does not record; docs/FORMAT.md section 11, "Tally statements").
    public func leafIDs(size: Int) throws -> [Digest] {
        try reading { db in
            guard size >= 0, size <= (try treeSize(in: db)) else { throw StoreError.outsideTree("a size of \(size) leaves") }
            let statement = try db.statement("""
                SELECT coalesce(e.id, t.fork) FROM tree_leaves t LEFT JOIN entries e ON e.rowid = t.entry
                WHERE t.idx < ? ORDER BY t.idx
                """)
            statement.bind(1, Int64(size))
            defer { statement.reset() }
            var ids: [Digest] = []
            ids.reserveCapacity(size)
            while try statement.step() { if let id = Digest(statement.blob(0)) { ids.append(id) } }
            return ids
        }
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    public func inclusionProof(index: Int, size: Int) throws -> [Digest] {
        try reading { db in
            guard index >= 0, index < size, size <= (try treeSize(in: db)) else {
                throw StoreError.outsideTree("leaf \(index) in a tree of \(size) leaves")
            }
            return try MerkleTree.inclusionProof(index: index, size: size, node: { try node($0, $1, in: db) })
        }
    }

    /// The consistency proof from the tree of `old` leaves to the tree of `new` leaves.
    public func consistencyProof(old: Int, new: Int) throws -> [Digest] {
        try reading { db in
            guard old >= 0, old <= new, new <= (try treeSize(in: db)) else {
                throw StoreError.outsideTree("a size of \(new) leaves (from \(old))")
            }
            return try MerkleTree.consistencyProof(old: old, new: new, node: { try node($0, $1, in: db) })
        }
    }

    // MARK: - Checkpoints and cosignatures

    /// The current epoch (docs/FORMAT.md section 11, "Checkpoints"): 1 until HQ learns that it
    /// signed a checkpoint it cannot extend.
    public func treeEpoch() throws -> Int {
        try reading { db in try treeEpoch(in: db) }
    }

    func treeEpochLocked() throws -> Int {
        try treeEpoch(in: connection)
    }

    private func treeEpoch(in db: SQLiteConnection) throws -> Int {
        guard let raw = try meta("tree.epoch", in: db), raw.count == 8 else { return 1 }
        return Int(ByteCoding.readU64(raw, at: 0))
    }

    /// Moves to `epoch` when it is later than the current one; returns the epoch in force.
    @discardableResult
    public func startEpoch(_ epoch: Int) throws -> Int {
        try locked {
            try connection.writeTransaction {
                let current = try treeEpochLocked()
                guard epoch > current else { return current }
                try setMeta("tree.epoch", ByteCoding.u64(UInt64(epoch)))
                return epoch
            }
        }
    }

    /// The signed checkpoint note of `size` leaves in `epoch`, if one was stored.
    public func checkpointNote(epoch: Int, size: Int) throws -> String? {
        try reading { db in
            let statement = try db.statement("SELECT note FROM checkpoints WHERE epoch = ? AND size = ?")
            statement.bind(1, Int64(epoch))
            statement.bind(2, Int64(size))
            defer { statement.reset() }
            return try statement.step() ? statement.text(0) : nil
        }
    }

    /// Stores a signed checkpoint note; the first stored for an epoch and size stays.
    public func storeCheckpoint(epoch: Int, size: Int, root: Digest, note: String) throws {
        try locked {
            try connection.writeTransaction {
                let statement = try connection.statement("INSERT OR IGNORE INTO checkpoints (epoch, size, root, note) VALUES (?, ?, ?, ?)")
                statement.bind(1, Int64(epoch))
                statement.bind(2, Int64(size))
                statement.bind(3, root.bytes)
                statement.bind(4, note)
                try statement.run()
            }
        }
    }

    /// The newest stored checkpoint (highest epoch, then size): epoch, size and note.
    public func newestCheckpoint() throws -> (epoch: Int, size: Int, note: String)? {
        try reading { db in
            let statement = try db.statement("SELECT epoch, size, note FROM checkpoints ORDER BY epoch DESC, size DESC LIMIT 1")
            defer { statement.reset() }
            return try statement.step() ? (Int(statement.int64(0)), Int(statement.int64(1)), statement.text(2)) : nil
        }
    }

    /// Stores a witness's cosignature line of checkpoint (`epoch`, `size`); a witness's later
    /// cosignature of the same checkpoint replaces its earlier one.
    public func storeCosignature(epoch: Int, size: Int, witness: PublicKey, time: UInt64, line: String) throws {
        try locked {
            try connection.writeTransaction {
                let statement = try connection.statement("""
                    INSERT INTO cosignatures (epoch, size, witness, time, line) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (epoch, size, witness) DO UPDATE SET time = excluded.time, line = excluded.line
                    """)
                statement.bind(1, Int64(epoch))
                statement.bind(2, Int64(size))
                statement.bind(3, witness.bytes)
                statement.bind(4, Int64(clamping: time))
                statement.bind(5, line)
                try statement.run()
            }
        }
    }

    /// The cosignature lines of checkpoint (`epoch`, `size`), by witness key.
    public func cosignatureLines(epoch: Int, size: Int) throws -> [String] {
        try reading { db in
            let statement = try db.statement("SELECT line FROM cosignatures WHERE epoch = ? AND size = ? ORDER BY witness")
            statement.bind(1, Int64(epoch))
            statement.bind(2, Int64(size))
            defer { statement.reset() }
            var lines: [String] = []
            while try statement.step() { lines.append(statement.text(0)) }
            return lines
        }
    }
}

extension LedgerStore {
    /// An entry this node holds, on its author's log or on a branch of it; nil when it holds none.
    public func heldEntry(id: Digest) throws -> Entry? {
        try reading { db in
            for table in ["entries", "forks"] {
                let statement = try db.statement("SELECT bytes FROM \(table) WHERE id = ?")
                statement.bind(1, id.bytes)
                defer { statement.reset() }
                if try statement.step() { return try Entry(bytes: statement.blob(0)) }
            }
            return nil
        }
    }
}
