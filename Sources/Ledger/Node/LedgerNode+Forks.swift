/// A forked log as the `forked_logs` read model holds it (docs/FORMAT.md section 8, "Forks").
public struct ForkedLog: Codable, Sendable, Equatable {
    /// The author key (hex).
    public var device: String
    /// The enrolled name, or "HQ" for the root key; nil for a key no longer known.
    public var name: String?
    /// The lowest sequence with two or more entries.
    public var forkSequence: UInt64
    /// Entries held in the forked region, on every branch.
    public var entries: Int
    /// Branches (tips of the region).
    public var branches: Int
    /// Entries held back until HQ adopts them (0 for HQ's root key, and once adopted).
    public var held: Int
    /// Held signatures among them.
    public var heldSignatures: Int
    /// True for HQ's root key, whose branches all count.
    public var isHQ: Bool
}

extension LedgerStore {
    /// Every forked log, by author key.
    public func forkedLogs() throws -> [ForkedLog] {
        try reading { db in
            let statement = try db.statement("""
                SELECT f.author, d.name, f.fork_sequence, f.entries, f.branches, f.held,
                       (SELECT COUNT(*) FROM held_entries h JOIN signatures s ON \(ReadModelSchema.signatureLookup("s", id: "h.id")) WHERE h.author = f.author)
                FROM forked_logs f LEFT JOIN devices d ON d.device = f.author ORDER BY f.author
                """)
            defer { statement.reset() }
            var out: [ForkedLog] = []
            while try statement.step() {
                guard let author = PublicKey(statement.blob(0)) else { continue }
                let isHQ = author == hqKey
                out.append(ForkedLog(
                    device: author.hex, name: isHQ ? "HQ" : (statement.isNull(1) ? nil : statement.text(1)),
                    forkSequence: statement.uint64(2), entries: Int(statement.int64(3)), branches: Int(statement.int64(4)),
                    held: Int(statement.int64(5)), heldSignatures: Int(statement.int64(6)), isHQ: isHQ))
            }
            return out
        }
    }
}

extension LedgerNode {
    /// The sequence at which this node's own log forked, when it did (a copy of its data folder
    /// wrote too). Such a node records nothing more under its key, except HQ's root key.
    public func ownFork() throws -> UInt64? {
        try store.forkedLogs().first { $0.device == key.publicKey.hex }?.forkSequence
    }

    /// Adopts every branch HQ holds of a forked device's log (HQ's root key only): writes
    /// `fork.adopted` naming each tip, so the held entries count (docs/FORMAT.md section 8, "Forks").
    @discardableResult
    public func adoptFork(device: PublicKey, reason: String?) throws -> Entry {
        guard role == .hq, key.publicKey == store.hqKey else { throw NodeError.notHQ(operation: "adopt forked logs") }
        guard let fork = try store.forkedLogs().first(where: { $0.device == device.hex }) else {
            throw NodeError.ambiguous("the log of \(device.short) has not forked here; see 'ledgerctl fork list'")
        }
        guard fork.held > 0 else {
            throw NodeError.ambiguous("every branch of \(device.short) HQ holds is already adopted; nothing is held")
        }
        guard let head = try store.heads().first(where: { $0.author == device.hex }) else {
            throw NodeError.ambiguous("no log of \(device.short) is held here")
        }
        let tips = Set([head.id] + (head.branches ?? []).map(\.id)).sorted()
        guard tips.count <= ForkAdopted.maxHeads else {
            throw NodeError.ambiguous("the log of \(device.short) has \(tips.count) branches, more than one adoption can name (\(ForkAdopted.maxHeads)); revoke the device instead")
        }
        return try store.append(ForkAdopted(device: device.hex, heads: tips, reason: reason), signer: key)
    }
}
