import Foundation
import Testing
@testable import Ledger

/// Fixed test keys and values of docs/FORMAT.md section 10. Never use them for real data.
enum Fixed {
    static let hqSeed = [UInt8](repeating: 0x01, count: 32)
    static let fieldSeed = [UInt8](repeating: 0x02, count: 32)
    static let sealingRaw = [UInt8](repeating: 0x03, count: 32)
    static let pseudonymKey = [UInt8](repeating: 0x06, count: 32)
    /// Stands in for a sealed payload in the entry vectors (only its digest is signed).
    static let payload: [UInt8] = [0x01] + [UInt8](repeating: 0x04, count: 32) + [UInt8](repeating: 0x05, count: 40)
    /// The payload of the vector signature whose data HQ erased (it is in no bundle).
    static let erasedPayload: [UInt8] = [0x01] + [UInt8](repeating: 0x07, count: 32) + [UInt8](repeating: 0x08, count: 40)
    static let receipt = "7K2M-Q9XD-3HPA-W4TZ"
    static let baseWall: UInt64 = 1_760_000_000_000

    static func hq() throws -> SigningKey { try SigningKey(seed: hqSeed) }
    static func field() throws -> SigningKey { try SigningKey(seed: fieldSeed) }
    static func sealing() throws -> SealingPrivateKey { try SealingPrivateKey(raw: sealingRaw) }
}

/// A wall clock the test sets by hand.
final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var millis: UInt64

    init(_ millis: UInt64 = Fixed.baseWall) {
        self.millis = millis
    }

    func nowMillis() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return millis
    }

    func set(_ value: UInt64) {
        lock.lock()
        millis = value
        lock.unlock()
    }

    func advance(_ delta: UInt64) {
        lock.lock()
        millis += delta
        lock.unlock()
    }
}

/// A fresh temporary directory, removed by `remove()`.
struct TempDir {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ledger-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Builds signed entries by hand, for vectors and for tests that need entries the store would refuse.
struct EntryFactory {
    var ledger: Digest
    var key: SigningKey
    var head: EntryVerifier.LinkPoint?
    var wall: UInt64 = Fixed.baseWall

    init(ledger: Digest, key: SigningKey) {
        self.ledger = ledger
        self.key = key
    }

    /// Signs the next entry of this author's log; `mutate` may change the draft first.
    mutating func next<Body: EventBody>(_ body: Body, payload: [UInt8]? = nil, mutate: (inout EntryDraft) -> Void = { _ in }) throws -> Entry {
        wall += 1000
        var draft = EntryDraft(
            ledger: ledger, author: key.publicKey, sequence: (head?.sequence ?? 0) + 1, previous: head?.id ?? .zero,
            timestamp: HLCTimestamp(wall: wall, counter: 0), type: Body.eventType.rawValue,
            body: try CanonicalJSON.encode(body), payloadDigest: payload.map { Digest.sha256($0) })
        mutate(&draft)
        let entry = try Entry.sign(draft, with: key)
        head = EntryVerifier.LinkPoint(entry)
        return entry
    }

    /// Signs a draft without advancing this factory.
    func sign(_ draft: EntryDraft) throws -> Entry { try Entry.sign(draft, with: key) }

    /// The genesis entry of a ledger made with `key` and the fixed sealing key.
    static func genesis(key: SigningKey, name: String = "Test ledger") throws -> Entry {
        let body = LedgerCreated(name: name, hqKey: key.publicKey.hex, sealingKey: try Fixed.sealing().publicKey.hex)
        let draft = EntryDraft(
            ledger: .zero, author: key.publicKey, sequence: 1, previous: .zero,
            timestamp: HLCTimestamp(wall: Fixed.baseWall, counter: 0), type: EventType.ledgerCreated.rawValue,
            body: try CanonicalJSON.encode(body))
        return try Entry.sign(draft, with: key)
    }
}

/// A campaign body for tests.
func sampleCampaign(_ id: String = "free-the-press", deadline: String? = nil) -> CampaignPublished {
    CampaignPublished(
        campaign: id, languages: ["en", "nb"],
        texts: [
            "en": CampaignText(title: "Free the press", summary: "Journalists are in jail.", body: "Three journalists have been jailed.",
                               demands: ["Release them"], letter: CampaignLetter(recipient: "Minister of Justice", text: "Dear Minister,")),
            "nb": CampaignText(title: "Fri presse", summary: "Journalister sitter i fengsel.", body: "Tre journalister er fengslet.",
                               demands: ["Løslat dem"], letter: nil),
        ],
        goal: 10_000, deadline: deadline)
}

/// Locates docs/ from this source file.
enum RepoPaths {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    static var vectors: String { root + "/docs/test-vectors" }
}

extension NodeFolder {
    /// Reads a key file, for tests that act as a field device of this node's ledger.
    func readKeyForTests(_ name: String) throws -> [UInt8]? { try readKey(name) }
}

/// The counts `store` kept equal a count afresh, and a rebuild of its read models gives the digest
/// that incremental projection gave.
func expectRebuildAgrees(_ store: LedgerStore, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(try store.countsDrift() == [], sourceLocation: sourceLocation)
    let incremental = try store.readModelDigest()
    try store.rebuildReadModels()
    #expect(try store.readModelDigest() == incremental, "a rebuild differs from incremental projection", sourceLocation: sourceLocation)
}
