import Foundation
import Ledger

/// Fills a node's log with signature entries for the rebuild and scale figures, in batches of
/// `appendBatch`. Bodies are made as a kiosk makes them; payloads are random bytes of the given
/// size (the figures read bodies only, and sealing millions of payloads with HPKE would only slow
/// the set-up).
struct SignatureLog {
    /// (campaign id, campaign version id in hex), one signature to each in turn.
    var campaigns: [(id: String, version: String)]
    /// Signers: signature `index` is signed by `signer(index)` (equal values are duplicates).
    var signer: (Int) -> Int = { $0 }
    var payloadBytes = 161
    var batch = 5_000
    /// Seconds between progress lines.
    var reportEvery = 10.0

    /// Appends `count` signatures under the node's key; `progress` hears how far it got.
    func append(_ count: Int, to node: LedgerNode, label: String, progress: (String) -> Void) throws {
        let ledger = try node.ledgerID
        var made = 0
        var lastReport = Date()
        let started = Date()
        var random = SystemRandomNumberGenerator()
        while made < count {
            let items = try (made..<min(count, made + batch)).map { index -> Appendable in
                let payload: [UInt8] = [1] + (1..<payloadBytes).map { _ in UInt8.random(in: 0...255, using: &random) }
                let campaign = campaigns[index % campaigns.count]
                let body = SignatureRecorded(
                    campaign: campaign.id, campaignVersion: campaign.version, channel: index % 7 == 0 ? .paper : .kiosk,
                    paperList: nil, country: ["NO", "SE", "DK", "FI"][index % 4], postcodeArea: "0\(index % 10)",
                    consentContact: index % 3 == 0, signer: Digest.sha256(Array("signer \(signer(index))".utf8)).hex,
                    receiptHash: Digest.sha256(Array("receipt \(index)".utf8) + ledger.bytes).hex)
                return try Appendable(body, payload: payload)
            }
            _ = try node.store.appendBatch(items, signer: node.key)
            made += items.count
            if Date().timeIntervalSince(lastReport) > reportEvery {
                let rate = Double(made) / Date().timeIntervalSince(started)
                progress("\(label): \(Format.count(made)) of \(Format.count(count)) entries stored, \(Format.count(rate))/s, about \(Int(Double(count - made) / max(rate, 1) / 60)) min left")
                lastReport = Date()
            }
        }
    }
}
