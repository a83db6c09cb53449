import Foundation

/// A tally statement (docs/FORMAT.md section 11, "Tally statements"): HQ's signed word on one
/// campaign's counts at one checkpoint, as a signed note under HQ's checkpoint key, so that the
/// petition's recipient can check the number with HQ's key and a bundle.
///
/// For example:
/// ```swift
/// let (tally, _) = try Tally.verify(note: text, key: hqKey)
/// print(tally.counts["counted"] ?? 0)
/// ```
public struct Tally: Sendable, Equatable {
    public static let header = "ledger.tally.v1"
    /// The counts a tally states, in this order (docs/READMODELS.md, "Counts").
    public static let countNames = ["counted", "unique", "withdrawn", "duplicates", "late", "unauthorised", "forked", "unchecked"]

    public let ledger: Digest
    public let campaign: String
    /// The entry id of the campaign's newest version.
    public let version: Digest
    public let checkpoint: Checkpoint
    public let readModelDigest: Digest
    public let counts: [String: Int]

    public init(campaign stats: CampaignStats, version: Digest, checkpoint: Checkpoint, readModelDigest: Digest) {
        ledger = checkpoint.ledger
        campaign = stats.campaign
        self.version = version
        self.checkpoint = checkpoint
        self.readModelDigest = readModelDigest
        counts = ["counted": stats.counted, "unique": stats.unique, "withdrawn": stats.withdrawn, "duplicates": stats.duplicates,
                  "late": stats.late, "unauthorised": stats.unauthorised, "forked": stats.forked, "unchecked": stats.unchecked]
    }

    /// The note text.
    public var text: String {
        var lines = [Self.header, "ledger \(ledger.hex)", "campaign \(campaign)", "version \(version.hex)",
                     "checkpoint \(checkpoint.epoch) \(checkpoint.size) \(Data(checkpoint.root.bytes).base64EncodedString())",
                     "readmodels \(readModelDigest.hex)"]
        lines += Self.countNames.map { "\($0) \(counts[$0] ?? 0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a tally text strictly: exactly the lines above, in order.
    public init(text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { throw NoteError.malformed("a tally ends without a newline") }
        lines.removeLast()
        guard lines.count == 6 + Self.countNames.count, lines[0] == Self.header else {
            throw NoteError.malformed("not a \(Self.header) statement of \(6 + Self.countNames.count) lines")
        }
        func value(_ index: Int, _ name: String) throws -> Substring {
            let line = lines[index]
            guard line.hasPrefix(name + " ") else { throw NoteError.malformed("line \(index + 1) is not '\(name) …'") }
            return line.dropFirst(name.count + 1)
        }
        guard let ledger = Digest(hex: String(try value(1, "ledger"))), ledger.hex == (try value(1, "ledger")) else {
            throw NoteError.malformed("the ledger is not 64 lower-case hex digits")
        }
        let campaign = String(try value(2, "campaign"))
        guard !campaign.isEmpty, campaign.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw NoteError.malformed("the campaign id is not letters, digits and dashes")
        }
        guard let version = Digest(hex: String(try value(3, "version"))), version.hex == (try value(3, "version")) else {
            throw NoteError.malformed("the version is not 64 lower-case hex digits")
        }
        let parts = try value(4, "checkpoint").split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, let epoch = Checkpoint.decimal(parts[0]), epoch >= 1, let size = Checkpoint.decimal(parts[1]),
              let raw = Data(base64Encoded: String(parts[2])), raw.base64EncodedString() == parts[2], let root = Digest(raw)
        else { throw NoteError.malformed("the checkpoint line is not 'checkpoint <epoch> <size> <base64 root>'") }
        guard let digest = Digest(hex: String(try value(5, "readmodels"))), digest.hex == (try value(5, "readmodels")) else {
            throw NoteError.malformed("the read-model digest is not 64 lower-case hex digits")
        }
        var counts: [String: Int] = [:]
        for (offset, name) in Self.countNames.enumerated() {
            guard let count = Checkpoint.decimal(try value(6 + offset, name)) else { throw NoteError.malformed("\(name) is not a decimal number") }
            counts[name] = count
        }
        self.ledger = ledger
        self.campaign = campaign
        self.version = version
        self.checkpoint = Checkpoint(ledger: ledger, epoch: epoch, size: size, root: root)
        self.readModelDigest = digest
        self.counts = counts
    }

    /// Parses and verifies a signed tally with HQ's checkpoint key.
    public static func verify(note raw: String, key: NoteVerifierKey) throws -> (Tally, SignedNote) {
        guard key.type == NoteVerifierKey.ed25519, let ledger = Checkpoint.ledger(ofKeyName: key.name) else {
            throw NoteError.malformed("\(key.name) is not a ledger's checkpoint key 'ledger/<ledger id hex>'")
        }
        let note = try SignedNote(parsing: raw)
        let tally = try Tally(text: note.text)
        guard tally.ledger == ledger else { throw NoteError.wrongLog(expected: ledger.short, found: tally.ledger.short) }
        guard try note.verifiedSignature(by: key) != nil else { throw NoteError.unsigned(key.name) }
        return (tally, note)
    }
}

extension LedgerNode {
    /// HQ's signed tally of a campaign at the newest checkpoint (HQ only). The checkpoint is signed
    /// first and the counts read after it; while entries still arrive they may be newer than the
    /// checkpoint, so HQ retries until both describe the same tree (a closed campaign's counts do
    /// not move).
    public func signTally(campaign id: String) throws -> (tally: Tally, note: String) {
        guard isRootHQ, store.keepsMerkleTree else { throw NodeError.notHQ(operation: "sign tallies") }
        guard let summary = try store.campaign(id) else { throw NodeError.unknownCampaign(id) }
        for _ in 0..<5 {
            let (checkpoint, _) = try signCheckpoint()
            let stats = try store.stats(campaign: summary)
            let digest = try store.readModelDigest()
            guard try store.treeSize() == checkpoint.size else { continue }
            guard let version = Digest(hex: (try store.campaign(id) ?? summary).version) else { throw NodeError.unknownCampaign(id) }
            let tally = Tally(campaign: stats, version: version, checkpoint: checkpoint, readModelDigest: digest)
            let note = SignedNote(text: tally.text, signatures: [try checkpointKey().sign(tally.text, with: key)]).serialized
            return (tally, note)
        }
        throw NodeError.ambiguous("entries kept arriving while the tally was made; try again when syncs are quiet")
    }
}

/// The leaf order of a tree (docs/FORMAT.md section 11, "Leaf order"): which entry is each leaf,
/// so that a verifier holding a bundle of the same entries recomputes the checkpoint's root.
public enum LeafOrder {
    public static let header = "ledger-leaves v1"

    /// `ledger-leaves v1`, then one entry id (hex) per leaf, leaf 0 first; every line ends in `\n`.
    public static func encode(_ ids: [Digest]) -> [UInt8] {
        var out = Array((header + "\n").utf8)
        out.reserveCapacity(out.count + ids.count * 65)
        for id in ids { out += Array((id.hex + "\n").utf8) }
        return out
    }

    /// Reads a leaf-order file strictly.
    public static func decode(_ bytes: [UInt8]) throws -> [Digest] {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "", lines.first.map(String.init) == header else {
            throw NoteError.malformed("not a '\(header)' file ending in a newline")
        }
        lines.removeLast()
        var ids: [Digest] = []
        for (index, line) in lines.dropFirst().enumerated() {
            guard let id = Digest(hex: String(line)), id.hex == line else { throw NoteError.malformed("leaf \(index) is not an entry id in lower-case hex") }
            ids.append(id)
        }
        return ids
    }

    /// The root of the tree whose leaves are the entries `ids` names, taken from `entries`;
    /// throws when an id is missing, repeated, or the bundle holds entries no leaf names.
    public static func root(ids: [Digest], entries: [Entry]) throws -> Digest {
        let byID = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard Set(ids).count == ids.count else { throw NoteError.inconsistent("the leaf order names an entry twice") }
        guard ids.count == byID.count else { throw NoteError.inconsistent("the leaf order has \(ids.count) leaves, the bundle \(byID.count) entries") }
        let leaves = try ids.map { id -> Digest in
            guard let entry = byID[id] else { throw NoteError.inconsistent("leaf \(id.short) is not in the bundle") }
            return MerkleTree.leafHash(entry.bytes)
        }
        return MerkleTree.root(size: leaves.count) { leaves[$0] }
    }
}

extension Tally {
    /// Recounts this tally from a bundle (docs/FORMAT.md section 11, "Tally statements", steps
    /// 2 to 4): the bundle is of the tally's ledger and holds exactly the checkpoint's number of
    /// entries; with `leaves`, its entries in that order give the checkpoint's root; verified in
    /// full into a scratch folder, it gives the same campaign version, counts and read-model digest.
    /// Throws ``NoteError`` naming every difference. Returns whether the root was checked.
    @discardableResult
    public func recount(from bundle: LedgerBundle, leaves: [Digest]?) throws -> Bool {
        guard bundle.ledger == ledger else { throw NoteError.wrongLog(expected: ledger.short, found: bundle.ledger.short) }
        guard bundle.entries.count + bundle.forks.count == checkpoint.size else {
            throw NoteError.inconsistent("the bundle holds \(bundle.entries.count + bundle.forks.count) entries, the tally's checkpoint \(checkpoint.size)")
        }
        if let leaves, try LeafOrder.root(ids: leaves, entries: bundle.entries + bundle.forks) != checkpoint.root {
            throw NoteError.inconsistent("the bundle's entries in the given leaf order do not give the checkpoint's root")
        }
        let scratch = NSTemporaryDirectory() + "ledger-tally-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (observer, _) = try LedgerNode.createObserver(at: scratch, bundle: bundle)
        guard let summary = try observer.store.campaign(campaign) else { throw NoteError.inconsistent("the bundle has no campaign \(campaign)") }
        let recomputed = Tally(campaign: try observer.store.stats(campaign: summary), version: Digest(hex: summary.version) ?? .zero,
                               checkpoint: checkpoint, readModelDigest: try observer.store.readModelDigest())
        var differences: [String] = []
        if recomputed.version != version { differences.append("campaign version") }
        for name in Tally.countNames where recomputed.counts[name] != counts[name] {
            differences.append("\(name) \(counts[name] ?? 0) stated, \(recomputed.counts[name] ?? 0) in the bundle")
        }
        if recomputed.readModelDigest != readModelDigest { differences.append("read-model digest") }
        guard differences.isEmpty else { throw NoteError.inconsistent("the bundle does not give the stated tally: " + differences.joined(separator: "; ")) }
        return leaves != nil
    }
}
