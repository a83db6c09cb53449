import Foundation

/// The list HQ delivers to a campaign's target: every counted signature with the signer's
/// details opened from their sealed payloads, under a header that ties it to the ledger
/// (docs/READMODELS.md, "Delivery").
public struct DeliveryList: Codable, Sendable {
    public struct Header: Codable, Sendable {
        public var campaign: String
        public var title: String
        /// The campaign's current version (entry id).
        public var version: String
        public var ledger: String
        /// The read-model digest at the time of delivery (`ledgerctl status`).
        public var readModelDigest: String
        public var generatedAt: String
        public var counted: Int
        public var withdrawn: Int
        public var duplicates: Int
        public var late: Int
        /// Counted signatures whose payload this node does not hold (not yet synced, or erased).
        public var missingPayloads: Int
    }

    public struct Signatory: Codable, Sendable {
        public var name: String
        public var email: String?
        public var phone: String?
        public var address: String?
        public var postcode: String?
        public var country: String?
        public var consentContact: Bool
        public var signedAt: String
        public var channel: String
        /// The `signature.recorded` entry id, so each line can be traced to the log.
        public var signature: String
        /// The campaign version (entry id) the signer saw.
        public var version: String
    }

    public var header: Header
    public var signatures: [Signatory]

    /// CSV with the header as `#` comment lines, then one row per signatory.
    public func csv() -> String {
        var out = """
            # Ledger delivery list
            # campaign: \(header.campaign) (\(CSVText.commentSafe(header.title)))
            # campaign version: \(header.version)
            # ledger: \(header.ledger)
            # read-model digest: \(header.readModelDigest)
            # generated: \(header.generatedAt)
            # counted: \(header.counted); withdrawn: \(header.withdrawn); duplicates: \(header.duplicates); late: \(header.late); missing payloads: \(header.missingPayloads)

            """
        out += "name,email,phone,address,postcode,country,consent_contact,signed_at,channel,signature,version\n"
        for row in signatures {
            let fields = [row.name, row.email ?? "", row.phone ?? "", row.address ?? "", row.postcode ?? "", row.country ?? "",
                          row.consentContact ? "yes" : "no", row.signedAt, row.channel, row.signature, row.version]
            out += fields.map(CSVText.quote).joined(separator: ",") + "\n"
        }
        return out
    }
}

enum CSVText {
    /// Quotes a field when it holds a comma, quote or line break; neutralises a leading
    /// `=`, `+`, `-` or `@` that a spreadsheet would run as a formula.
    static func quote(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func commentSafe(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }
}

extension LedgerNode {
    /// Builds the delivery list of a campaign. Needs HQ's sealing key; refuses without it.
    public func delivery(campaign id: String, now: Date = Date()) throws -> DeliveryList {
        guard let sealing = try sealingPrivateKey() else { throw NodeError.noSealingKey }
        guard let campaign = try store.campaign(id) else { throw NodeError.unknownCampaign(id) }
        let stats = try store.stats(campaign: campaign)
        let ledger = try ledgerID
        var rows: [DeliveryList.Signatory] = []
        var missing = 0
        for signature in try store.countedSignatures(campaign: id) {
            guard let sealed = try store.payload(digest: signature.payload) else {
                missing += 1
                continue
            }
            let details = try CanonicalJSON.decode(SignerDetails.self, from: try Sealing.open(sealed, with: sealing, ledger: ledger))
            rows.append(DeliveryList.Signatory(
                name: details.name, email: details.email, phone: details.phone, address: details.address,
                postcode: details.postcode, country: details.country, consentContact: details.consentContact,
                signedAt: Timestamps.iso8601(millis: signature.signedAt), channel: signature.channel,
                signature: signature.id.hex, version: signature.version.hex))
        }
        let header = DeliveryList.Header(
            campaign: id, title: campaign.title, version: campaign.version, ledger: ledger.hex,
            readModelDigest: try store.readModelDigest().hex,
            generatedAt: Timestamps.iso8601(millis: UInt64(max(0, now.timeIntervalSince1970 * 1000))),
            counted: stats.counted, withdrawn: stats.withdrawn, duplicates: stats.duplicates, late: stats.late,
            missingPayloads: missing)
        return DeliveryList(header: header, signatures: rows)
    }
}
