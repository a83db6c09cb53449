import Dispatch
import Foundation
import Ledger

/// A fresh HQ node with one open campaign, and a factory for the entries the benchmark appends.
///
/// For example:
/// ```swift
/// let workload = try Workload.create(in: directory)
/// let batch = try workload.factory.signatures(0..<1_000)
/// _ = try workload.node.store.appendBatch(batch, signer: workload.node.key)
/// ```
struct Workload {
    /// The HQ node whose store the figures are measured on.
    let node: LedgerNode
    /// Makes `signature.recorded` entries for the node's campaign.
    let factory: SignatureFactory

    /// Creates the HQ node in `directory/hq` and publishes the campaign the signatures are for.
    static func create(in directory: URL) throws -> Workload {
        let node = try LedgerNode.createHQ(at: directory.appendingPathComponent("hq").path, name: "Ledger benchmark")
        let campaign = "free-the-press"
        let text = CampaignText(
            title: "Free the press", summary: "Release the jailed journalists.",
            body: "Journalists are held for their reporting. Ask the minister to release them.",
            demands: ["Release every jailed journalist", "Drop the charges"],
            letter: CampaignLetter(recipient: "The Minister of Justice", text: "We ask you to release them."))
        let published = try node.publish(CampaignPublished(
            campaign: campaign, languages: ["en"], texts: ["en": text], goal: 100_000,
            deadline: "2027-03-01T00:00:00.000Z"))
        var pseudonymKey = [UInt8](repeating: 0, count: 32)
        var random = SystemRandomNumberGenerator()
        for index in pseudonymKey.indices { pseudonymKey[index] = random.next() }
        let factory = SignatureFactory(
            ledger: try node.ledgerID, sealingKey: try node.sealingPublicKey(), campaign: campaign,
            campaignVersion: published.id, pseudonymKey: pseudonymKey)
        return Workload(node: node, factory: factory)
    }
}

/// Makes `signature.recorded` entries the way `LedgerNode.sign` does: the signer's details sealed
/// to HQ's key (HPKE) as the payload, and a body with public facts, a keyed pseudonym and the hash
/// of a fresh receipt code.
struct SignatureFactory: Sendable {
    let ledger: Digest
    let sealingKey: SealingPublicKey
    let campaign: String
    let campaignVersion: Digest
    let pseudonymKey: [UInt8]

    private static let countries = ["NO", "SE", "DK", "GB", "DE", "FR", "NL", "ES"]
    private static let channels: [Channel] = [.kiosk, .kiosk, .manual, .paper]

    /// The signer details of signature number `index`: distinct people, realistic field sizes.
    func details(_ index: Int) -> SignerDetails {
        SignerDetails(
            name: "Signer Number \(index)", email: "signer.\(index)@example.org", phone: nil,
            address: nil, postcode: String(format: "%04d", index % 10_000),
            country: Self.countries[index % Self.countries.count], consentContact: index % 3 == 0)
    }

    /// The typed body and sealed payload of signature number `index`, for `LedgerStore.append`.
    func parts(_ index: Int) throws -> (body: SignatureRecorded, payload: [UInt8]) {
        let details = try details(index).validated()
        let sealed = try Sealing.seal(try details.sealedPlaintext(), to: sealingKey, ledger: ledger)
        let channel = Self.channels[index % Self.channels.count]
        let body = SignatureRecorded(
            campaign: campaign, campaignVersion: campaignVersion.hex, channel: channel,
            paperList: channel == .paper ? Int64(index / 50 + 1) : nil,
            country: details.country, postcodeArea: details.postcodeArea, consentContact: details.consentContact,
            signer: details.pseudonym(key: pseudonymKey, campaign: campaign).hex, receiptHash: ReceiptCode().hash(ledger: ledger).hex)
        return (body, sealed)
    }

    /// Signature number `index`, ready for `LedgerStore.appendBatch`.
    func signature(_ index: Int) throws -> Appendable {
        let (body, payload) = try parts(index)
        return try Appendable(body, payload: payload)
    }

    /// The exact message Ledger signs for `item` written by `author` (signing context and signed
    /// part of the canonical bytes), so the raw Ed25519 references sign the same number of bytes.
    func signedMessage(for item: Appendable, author: PublicKey) throws -> [UInt8] {
        let draft = EntryDraft(
            ledger: ledger, author: author, sequence: 3, previous: campaignVersion,
            timestamp: HLCTimestamp(wall: 1_790_000_000_000, counter: 0), type: item.type.rawValue,
            body: item.body, payloadDigest: item.payload.map { Digest.sha256($0) })
        return Entry.signingContext + (try draft.signedBytes())
    }

    /// Signatures for every index in `range`, made on all cores; in index order.
    func signatures(_ range: Range<Int>) throws -> [Appendable] {
        let chunks = max(1, min(range.count / 256, ParallelSignatures.workers * 8))
        let chunkSize = (range.count + chunks - 1) / chunks
        let slots = ChunkSlots(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = range.lowerBound + chunk * chunkSize
            let end = min(range.upperBound, start + chunkSize)
            guard start < end else { return }
            do {
                slots.set(chunk, .success(try (start..<end).map(signature)))
            } catch {
                slots.set(chunk, .failure(error))
            }
        }
        var all: [Appendable] = []
        all.reserveCapacity(range.count)
        for result in slots.all() { all.append(contentsOf: try result.get()) }
        return all
    }
}

/// Per-chunk results written by worker threads, read once they all finish.
private final class ChunkSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[Appendable], any Error>]

    init(count: Int) {
        slots = Array(repeating: .success([]), count: count)
    }

    func set(_ index: Int, _ result: Result<[Appendable], any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func all() -> [Result<[Appendable], any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
