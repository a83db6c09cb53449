import Foundation
import Testing
@testable import Ledger

/// A deterministic pseudo-random generator (SplitMix64), so property tests can print their seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random multi-author ledger: HQ enrols two field devices (and may revoke one of them part-way),
/// publishes, updates and closes campaigns and moderates; the devices record signatures (with repeated signers), withdrawals
/// (valid and invalid), and comments. Timestamps interleave across authors.
struct Scenario {
    var logs: [PublicKey: [Entry]] = [:]
    var hq: PublicKey

    static func make(seed: UInt64, steps: Int = 120) throws -> Scenario {
        var random = SeededRandom(seed: seed)
        let hqKey = try Fixed.hq()
        let fieldKeys = [try Fixed.field(), try SigningKey(seed: [UInt8](repeating: 0x04, count: 32))]
        let genesis = try EntryFactory.genesis(key: hqKey)
        let ledger = genesis.id
        var factories: [PublicKey: EntryFactory] = [:]
        var hqLog = EntryFactory(ledger: ledger, key: hqKey)
        hqLog.head = EntryVerifier.LinkPoint(genesis)
        var scenario = Scenario(logs: [hqKey.publicKey: [genesis]], hq: hqKey.publicKey)
        var wall = Fixed.baseWall
        func append<Body: EventBody>(_ key: SigningKey, _ body: Body, payload: [UInt8]? = nil) throws -> Entry {
            wall += UInt64.random(in: 1...5_000, using: &random)
            let at = wall
            var factory = key.publicKey == hqKey.publicKey ? hqLog : (factories[key.publicKey] ?? EntryFactory(ledger: ledger, key: key))
            let entry = try factory.next(body, payload: payload) { $0.timestamp = HLCTimestamp(wall: at, counter: 0) }
            if key.publicKey == hqKey.publicKey { hqLog = factory } else { factories[key.publicKey] = factory }
            scenario.logs[key.publicKey, default: []].append(entry)
            return entry
        }
        for (index, field) in fieldKeys.enumerated() {
            _ = try append(hqKey, DeviceEnrolled(device: field.publicKey.hex, name: "Laptop \(index + 1)", role: .field))
        }
        var versions: [String: Digest] = [:]
        for campaign in ["c1", "c2"] {
            versions[campaign] = try append(hqKey, sampleCampaign(campaign)).id
        }
        var signatures: [(entry: Entry, code: ReceiptCode)] = []
        var comments: [Entry] = []
        var closed: Set<String> = []
        var revoked = false
        let signers = (0..<6).map { Digest.sha256([UInt8($0)]).hex }
        for _ in 0..<steps {
            let author = fieldKeys[Int.random(in: 0..<2, using: &random)]
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<55:
                let campaign = Bool.random(using: &random) ? "c1" : "c2"
                let code = ReceiptCode()
                let body = SignatureRecorded(
                    campaign: campaign, campaignVersion: versions[campaign]?.hex ?? "", channel: Channel.allCases.randomElement(using: &random) ?? .kiosk,
                    paperList: nil, country: ["NO", "SE", "DK"].randomElement(using: &random), postcodeArea: "01",
                    consentContact: Bool.random(using: &random), signer: signers.randomElement(using: &random) ?? signers[0],
                    receiptHash: code.hash(ledger: ledger).hex)
                let payload = [UInt8(1)] + (0..<40).map { _ in UInt8.random(in: 0...255, using: &random) }
                signatures.append((try append(author, body, payload: payload), code))
            case 55..<70 where !signatures.isEmpty:
                let target = signatures[Int.random(in: 0..<signatures.count, using: &random)]
                let honest = Int.random(in: 0..<5, using: &random) > 0
                let code = honest ? target.code : ReceiptCode()
                _ = try append(author, SignatureWithdrawn(signature: target.entry.id.hex, receipt: code.symbols, reason: nil))
            case 70..<85:
                let campaign = Bool.random(using: &random) ? "c1" : "c2"
                comments.append(try append(author, CommentPosted(campaign: campaign, displayName: "N\(comments.count)", text: "t", signature: nil)))
            case 85..<90 where !comments.isEmpty:
                let target = comments[Int.random(in: 0..<comments.count, using: &random)]
                _ = try append(hqKey, CommentHidden(comment: target.id.hex, reason: "moderated"))
            case 90..<93:
                let campaign = Bool.random(using: &random) ? "c1" : "c2"
                if !closed.contains(campaign) {
                    var texts = sampleCampaign(campaign)
                    texts.goal = Int64.random(in: 1...100, using: &random)
                    versions[campaign] = try append(hqKey, CampaignUpdated(campaign: campaign, languages: texts.languages, texts: texts.texts, goal: texts.goal, deadline: nil)).id
                }
            case 93..<95:
                let campaign = Bool.random(using: &random) ? "c1" : "c2"
                if closed.insert(campaign).inserted {
                    _ = try append(hqKey, CampaignClosed(campaign: campaign, reason: nil))
                }
            case 95..<97 where !signatures.isEmpty:
                let target = signatures[Int.random(in: 0..<signatures.count, using: &random)]
                _ = try append(hqKey, SignatureWithdrawn(signature: target.entry.id.hex, receipt: nil, reason: "verified request"))
            case 97..<100 where !revoked:
                // Once: HQ revokes a device part-way through what it wrote (a lost laptop); the
                // device's later entries stay as evidence, never counted.
                revoked = true
                let device = fieldKeys[Int.random(in: 0..<2, using: &random)]
                let written = Int64(scenario.logs[device.publicKey]?.count ?? 0)
                _ = try append(hqKey, DeviceRevoked(device: device.publicKey.hex, afterSequence: written / 2, reason: "lost"))
            default:
                break
            }
        }
        return scenario
    }

    var allEntries: [Entry] { logs.values.flatMap { $0 } }

    /// The logs cut into random chunks and merged in a random order that keeps each log's order.
    func arrival(seed: UInt64) -> [[Entry]] {
        var random = SeededRandom(seed: seed)
        var queues: [[[Entry]]] = logs.keys.sorted().map { author in
            var chunks: [[Entry]] = []
            var rest = logs[author] ?? []
            while !rest.isEmpty {
                let size = Int.random(in: 1...max(1, min(rest.count, 12)), using: &random)
                chunks.append(Array(rest.prefix(size)))
                rest.removeFirst(size)
            }
            return chunks
        }
        var order: [[Entry]] = []
        while queues.contains(where: { !$0.isEmpty }) {
            let candidates = queues.indices.filter { !queues[$0].isEmpty }
            let pick = candidates[Int.random(in: 0..<candidates.count, using: &random)]
            order.append(queues[pick].removeFirst())
        }
        return order
    }

    /// Ingests chunks in order; a chunk the store cannot take yet (its author not yet enrolled,
    /// or no genesis yet) waits until after the next accepted chunk.
    static func ingest(_ chunks: [[Entry]], into store: LedgerStore) throws {
        var pending = chunks
        var stalled = 0
        while !pending.isEmpty {
            let chunk = pending.removeFirst()
            do {
                _ = try store.ingest(chunk, verification: .fast)
                stalled = 0
            } catch StoreError.noGenesis {
                pending.append(chunk)
                stalled += 1
            } catch StoreError.rejected(let fault) where fault.kind == .unknownAuthor || fault.kind == .sequenceGap || fault.kind == .brokenLink {
                pending.append(chunk)
                stalled += 1
            }
            if stalled > pending.count + 1 { throw StoreError.rejected(EntryFault(.sequenceGap, author: chunk[0].author, sequence: chunk[0].sequence, id: chunk[0].id, detail: "scenario cannot make progress")) }
        }
    }
}
