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
        /// The paper list number and the row on it, for signatures typed in from paper.
        public var paperList: Int64?
        public var paperRow: Int64?
        /// The `signature.recorded` entry id, so each line can be traced to the log.
        public var signature: String
        /// The campaign version (entry id) the signer saw.
        public var version: String
    }

    public var header: Header
    public var signatures: [Signatory]

    /// The CSV columns, in order (docs/CLI.md, "The delivery list").
    public static let csvColumns = ["name", "email", "phone", "address", "postcode", "country", "consent_contact",
                                    "signed_at", "channel", "paper_list", "paper_row", "signature", "version"]

    /// The list as CSV (RFC 4180): the column names on line 1, then one row per signatory; the
    /// header goes beside it (``Header``, `FILE.meta.json`), so any CSV reader takes line 1 as the
    /// column names. A field a spreadsheet would run as a formula is neutralised.
    ///
    /// With `excel`, the text starts with a UTF-8 byte-order mark (so Excel reads "Ø" as "Ø"),
    /// lines end in CRLF, and postcodes and phone numbers made of digits are written as text
    /// (`="0150"`), so that Excel keeps their leading zeros.
    ///
    /// For example:
    /// ```swift
    /// try Data(list.csv(excel: true).utf8).write(to: url)
    /// ```
    public func csv(excel: Bool = false) -> String {
        let newline = excel ? "\r\n" : "\n"
        var out = excel ? "\u{FEFF}" : ""
        out += Self.csvColumns.joined(separator: ",") + newline
        for row in signatures {
            let text: (String?) -> String = { value in
                guard let value, excel else { return CSVText.quote(value ?? "") }
                return CSVText.excelQuoted(value)
            }
            let fields = [CSVText.quote(row.name), CSVText.quote(row.email ?? ""), text(row.phone), CSVText.quote(row.address ?? ""),
                          text(row.postcode), CSVText.quote(row.country ?? ""), row.consentContact ? "yes" : "no",
                          CSVText.quote(row.signedAt), CSVText.quote(row.channel),
                          row.paperList.map(String.init) ?? "", row.paperRow.map(String.init) ?? "",
                          row.signature, row.version]
            out += fields.joined(separator: ",") + newline
        }
        return out
    }
}

/// What `FILE.meta.json` beside a delivery CSV holds: the list's header, and the file it
/// describes with the SHA-256 of its bytes, so the two can be checked together.
public struct DeliveryMetadata: Codable, Sendable {
    public var format = "ledger-delivery-1"
    /// The CSV file's name (without its folder).
    public var file: String
    /// SHA-256 of the CSV file's bytes, hex.
    public var sha256: String
    public var rows: Int
    public var columns: [String]
    public var campaign: String
    public var title: String
    public var version: String
    public var ledger: String
    public var readModelDigest: String
    public var generatedAt: String
    public var counted: Int
    public var withdrawn: Int
    public var duplicates: Int
    public var late: Int
    public var missingPayloads: Int

    public init(list: DeliveryList, file: String, bytes: [UInt8]) {
        let header = list.header
        self.file = file
        sha256 = Digest.sha256(bytes).hex
        rows = list.signatures.count
        columns = DeliveryList.csvColumns
        campaign = header.campaign
        title = header.title
        version = header.version
        ledger = header.ledger
        readModelDigest = header.readModelDigest
        generatedAt = header.generatedAt
        counted = header.counted
        withdrawn = header.withdrawn
        duplicates = header.duplicates
        late = header.late
        missingPayloads = header.missingPayloads
    }
}

enum CSVText {
    /// Quotes a field when it holds a comma, quote or line break; neutralises a leading
    /// `=`, `+`, `-`, `@`, tab or carriage return that a spreadsheet would run as a formula
    /// (OWASP, "CSV Injection").
    static func quote(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A value of digits (with an optional leading `+` and spaces) as an Excel text formula,
    /// `="0150"`, which Excel shows as 0150; anything else as it is. Only digits, `+` and spaces
    /// go between the quotes, so this formula can run nothing.
    static func excelText(_ value: String) -> String {
        let digits = value.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == " " || $0 == "+" }
        guard digits, value.unicodeScalars.contains(where: { ("0"..."9").contains($0) }),
              !value.dropFirst().contains("+") else { return value }
        return "=\"" + value + "\""
    }

    /// A field for Excel: digits as a text formula (``excelText(_:)``), quoted for CSV; any other
    /// value through ``quote(_:)``, formulas neutralised.
    static func excelQuoted(_ value: String) -> String {
        let text = excelText(value)
        guard text != value else { return quote(value) }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
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
                paperList: signature.paperList, paperRow: signature.paperRow,
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
