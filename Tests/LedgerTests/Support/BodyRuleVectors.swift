import Foundation
import Testing
@testable import Ledger

/// Invalid vectors for the body rules of docs/FORMAT.md section 4 ("Body rules"): for every rule at
/// least one well-signed entry, in canonical JSON, whose body breaks that rule and nothing else.
extension VectorBuilder {
    /// One invalid body: its vector name, the rule it breaks, its type and its canonical body.
    struct BrokenBody {
        var name: String
        var rule: String
        var type: EventType
        var body: JSONValue
    }

    /// `value` with `members` replaced (a nil value removes the member).
    static func edited(_ value: JSONValue, _ members: [String: JSONValue?]) -> JSONValue {
        guard case .object(var object) = value else { return value }
        for (key, member) in members { object[key] = member }
        return .object(object)
    }

    static func tree<Body: Encodable>(_ body: Body) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(try CanonicalJSON.encode(body)))
    }

    /// The broken bodies, each derived from a valid body of the vector ledger by one change.
    static func brokenBodies(_ entries: [Entry]) throws -> [BrokenBody] {
        let ledger = entries[0].id
        let campaign = entries[1]
        let signature = entries[2]
        let comment = entries[3]
        let field = try Fixed.field().publicKey.hex
        let upper = signature.id.hex.uppercased()
        var published = sampleCampaign(deadline: "2027-03-01T00:00:00.000Z")
        published.retentionDays = 365
        let campaignBody = try tree(published)
        let texts: JSONValue = if case .object(let top) = campaignBody, let texts = top["texts"] { texts } else { .null }
        func renamedTexts(_ names: [String: String]) -> JSONValue {
            guard case .object(let object) = texts else { return texts }
            return .object(Dictionary(uniqueKeysWithValues: object.map { (names[$0.key] ?? $0.key, $0.value) }))
        }
        let signatureBody = try tree(try signatureBody(ledger: ledger, campaignVersion: campaign.id))
        let paper = edited(signatureBody, ["channel": .string("paper"), "paperList": .integer(3)])
        let withdrawal = try tree(SignatureWithdrawn(signature: signature.id.hex, receipt: nil, reason: "verified request"))
        let enrolment = try tree(DeviceEnrolled(device: field, name: "Stall laptop 2", role: .field))
        let revocation = try tree(DeviceRevoked(device: field, afterSequence: 1, reason: nil))
        let erasure = try tree(PayloadErased(signature: signature.id.hex, payload: Digest.sha256(Fixed.payload).hex, reason: nil))
        let ids = [Digest.sha256([1]).hex, Digest.sha256([2]).hex].sorted()
        func references(_ pairs: [(String, String)]) -> JSONValue {
            ["references": .array(pairs.map { JSONValue.object(["signature": .string($0.0), "signer": .string($0.1)]) })]
        }
        let symbols = try #require(ReceiptCode(parsing: Fixed.receipt)).symbols
        let issue = try tree(PaperIssued(campaign: "free-the-press", list: 4, rows: 20, device: field))
        /// The campaign's texts with `share` set in its English text.
        func sharedTexts(_ share: [JSONValue]) -> JSONValue {
            guard case .object(var object) = texts, let english = object["en"] else { return texts }
            object["en"] = edited(english, ["share": .array(share)])
            return .object(object)
        }
        let strings: (String) -> JSONValue = { .string($0) }

        return [
            // campaign-id: every `campaign` field, in every type.
            .init(name: "body-campaign-id-leading-dash", rule: "campaign-id", type: .campaignUpdated,
                  body: edited(campaignBody, ["campaign": "-free-the-press"])),
            .init(name: "body-campaign-id-upper-case", rule: "campaign-id", type: .campaignClosed, body: ["campaign": "Free-the-press"]),
            .init(name: "body-campaign-id-too-long", rule: "campaign-id", type: .signatureRecorded,
                  body: edited(signatureBody, ["campaign": .string(String(repeating: "a", count: 65))])),
            .init(name: "body-campaign-id-empty", rule: "campaign-id", type: .commentPosted,
                  body: ["campaign": "", "displayName": "Kari", "text": "Free them"]),
            // languages: 1 or more codes, each once, exactly the keys of texts.
            .init(name: "body-languages-empty", rule: "languages", type: .campaignPublished, body: edited(campaignBody, ["languages": []])),
            .init(name: "body-languages-bad-code", rule: "languages", type: .campaignPublished,
                  body: edited(campaignBody, ["languages": .array(["e", "nb"].map(strings)), "texts": renamedTexts(["en": "e"])])),
            .init(name: "body-languages-repeated", rule: "languages", type: .campaignPublished,
                  body: edited(campaignBody, ["languages": .array(["en", "en", "nb"].map(strings))])),
            .init(name: "body-languages-not-texts", rule: "languages", type: .campaignUpdated,
                  body: edited(campaignBody, ["languages": .array(["en"].map(strings))])),
            // goal, deadline, retentionDays.
            .init(name: "body-goal-zero", rule: "goal", type: .campaignPublished, body: edited(campaignBody, ["goal": .integer(0)])),
            .init(name: "body-goal-negative", rule: "goal", type: .campaignUpdated, body: edited(campaignBody, ["goal": .integer(-5)])),
            .init(name: "body-deadline-impossible-date", rule: "deadline", type: .campaignPublished,
                  body: edited(campaignBody, ["deadline": "2027-02-30T00:00:00.000Z"])),
            .init(name: "body-deadline-no-milliseconds", rule: "deadline", type: .campaignPublished,
                  body: edited(campaignBody, ["deadline": "2027-03-01T00:00:00Z"])),
            .init(name: "body-deadline-leap-second", rule: "deadline", type: .campaignUpdated,
                  body: edited(campaignBody, ["deadline": "2027-12-31T23:59:60.000Z"])),
            .init(name: "body-deadline-offset", rule: "deadline", type: .campaignPublished,
                  body: edited(campaignBody, ["deadline": "2027-03-01T00:00:00.000+01:00"])),
            .init(name: "body-retention-days-zero", rule: "retention-days", type: .campaignPublished,
                  body: edited(campaignBody, ["retentionDays": .integer(0)])),
            .init(name: "body-retention-days-too-many", rule: "retention-days", type: .campaignUpdated,
                  body: edited(campaignBody, ["retentionDays": .integer(36_501)])),
            // signature.recorded.
            .init(name: "body-campaign-version-upper-case", rule: "campaign-version", type: .signatureRecorded,
                  body: edited(signatureBody, ["campaignVersion": .string(campaign.id.hex.uppercased())])),
            .init(name: "body-paper-list-zero", rule: "paper-list", type: .signatureRecorded, body: edited(paper, ["paperList": .integer(0)])),
            .init(name: "body-paper-list-on-kiosk", rule: "paper-list", type: .signatureRecorded,
                  body: edited(signatureBody, ["paperList": .integer(3)])),
            .init(name: "body-paper-row-zero", rule: "paper-row", type: .signatureRecorded, body: edited(paper, ["paperRow": .integer(0)])),
            .init(name: "body-paper-row-without-list", rule: "paper-row", type: .signatureRecorded,
                  body: edited(paper, ["paperList": nil, "paperRow": .integer(2)])),
            .init(name: "body-country-lower-case", rule: "country", type: .signatureRecorded, body: edited(signatureBody, ["country": "no"])),
            .init(name: "body-country-three-letters", rule: "country", type: .signatureRecorded, body: edited(signatureBody, ["country": "NOR"])),
            .init(name: "body-postcode-area-three-characters", rule: "postcode-area", type: .signatureRecorded,
                  body: edited(signatureBody, ["postcodeArea": "015"])),
            .init(name: "body-postcode-area-lower-case", rule: "postcode-area", type: .signatureRecorded,
                  body: edited(signatureBody, ["postcodeArea": "ab"])),
            .init(name: "body-signer-upper-case", rule: "signer", type: .signatureRecorded,
                  body: edited(signatureBody, ["signer": .string(Digest.sha256([3]).hex.uppercased())])),
            .init(name: "body-receipt-hash-upper-case", rule: "receipt-hash", type: .signatureRecorded,
                  body: edited(signatureBody, ["receiptHash": .string(Digest.sha256([4]).hex.uppercased())])),
            .init(name: "body-receipt-hash-short", rule: "receipt-hash", type: .signatureRecorded,
                  body: edited(signatureBody, ["receiptHash": .string(String(Digest.sha256([4]).hex.dropLast(2)))])),
            .init(name: "body-channel-unknown", rule: "fields", type: .signatureRecorded, body: edited(signatureBody, ["channel": "web"])),
            .init(name: "body-consent-not-boolean", rule: "fields", type: .signatureRecorded,
                  body: edited(signatureBody, ["consentContact": .integer(1)])),
            // Entry ids named by other entries.
            .init(name: "body-comment-signature-upper-case", rule: "entry-id", type: .commentPosted,
                  body: ["campaign": "free-the-press", "displayName": "Kari", "text": "Free them", "signature": .string(upper)]),
            .init(name: "body-hidden-comment-not-hex", rule: "entry-id", type: .commentHidden,
                  body: ["comment": .string(String(comment.id.hex.dropLast()) + "g"), "reason": "spam"]),
            .init(name: "body-withdrawal-signature-upper-case", rule: "entry-id", type: .signatureWithdrawn,
                  body: edited(withdrawal, ["signature": .string(upper)])),
            .init(name: "body-erased-signature-upper-case", rule: "entry-id", type: .payloadErased,
                  body: edited(erasure, ["signature": .string(upper)])),
            // signature.withdrawn.
            .init(name: "body-receipt-lower-case", rule: "receipt", type: .signatureWithdrawn,
                  body: edited(withdrawal, ["receipt": .string(symbols.lowercased()), "reason": nil])),
            .init(name: "body-receipt-with-dashes", rule: "receipt", type: .signatureWithdrawn,
                  body: edited(withdrawal, ["receipt": .string(Fixed.receipt), "reason": nil])),
            .init(name: "body-receipt-letter-u", rule: "receipt", type: .signatureWithdrawn,
                  body: edited(withdrawal, ["receipt": .string("U" + symbols.dropFirst()), "reason": nil])),
            // Device keys.
            .init(name: "body-enrolled-device-upper-case", rule: "device-key", type: .deviceEnrolled,
                  body: edited(enrolment, ["device": .string(field.uppercased())])),
            .init(name: "body-enrolled-role-unknown", rule: "fields", type: .deviceEnrolled, body: edited(enrolment, ["role": "admin"])),
            .init(name: "body-revoked-device-short", rule: "device-key", type: .deviceRevoked,
                  body: edited(revocation, ["device": .string(String(field.dropLast(2)))])),
            .init(name: "body-revoked-after-sequence-negative", rule: "after-sequence", type: .deviceRevoked,
                  body: edited(revocation, ["afterSequence": .integer(-1)])),
            .init(name: "body-adopted-device-upper-case", rule: "device-key", type: .forkAdopted,
                  body: ["device": .string(field.uppercased()), "heads": .array(forkHeads.map { .string($0.hex) })]),
            // signer.referenced.
            .init(name: "body-references-empty", rule: "references", type: .signerReferenced, body: references([])),
            .init(name: "body-references-unsorted", rule: "references", type: .signerReferenced,
                  body: references([(ids[1], ids[0]), (ids[0], ids[1])])),
            .init(name: "body-references-repeated", rule: "references", type: .signerReferenced,
                  body: references([(ids[0], ids[1]), (ids[0], ids[1])])),
            .init(name: "body-references-upper-case", rule: "references", type: .signerReferenced,
                  body: references([(ids[0], ids[1].uppercased())])),
            // link and share (campaign bodies).
            .init(name: "body-link-http", rule: "link", type: .campaignUpdated, body: edited(campaignBody, ["link": "http://example.org/free"])),
            .init(name: "body-link-space", rule: "link", type: .campaignPublished, body: edited(campaignBody, ["link": "https://example.org/free the press"])),
            .init(name: "body-link-bare-scheme", rule: "link", type: .campaignUpdated, body: edited(campaignBody, ["link": "https://"])),
            .init(name: "body-link-too-long", rule: "link", type: .campaignUpdated,
                  body: edited(campaignBody, ["link": .string("https://example.org/" + String(repeating: "a", count: 1981))])),
            .init(name: "body-share-empty", rule: "share", type: .campaignUpdated, body: edited(campaignBody, ["texts": sharedTexts([])])),
            .init(name: "body-share-empty-text", rule: "share", type: .campaignUpdated, body: edited(campaignBody, ["texts": sharedTexts([""])])),
            .init(name: "body-share-control", rule: "share", type: .campaignPublished,
                  body: edited(campaignBody, ["texts": sharedTexts(["Sign now\u{1B}[2J"])])),
            .init(name: "body-share-too-long", rule: "share", type: .campaignUpdated,
                  body: edited(campaignBody, ["texts": sharedTexts([.string(String(repeating: "ø", count: 501))])])),
            .init(name: "body-share-too-many", rule: "share", type: .campaignUpdated,
                  body: edited(campaignBody, ["texts": sharedTexts(Array(repeating: "Sign", count: 11))])),
            .init(name: "body-share-not-text", rule: "fields", type: .campaignUpdated, body: edited(campaignBody, ["texts": sharedTexts([.integer(1)])])),
            // paper.issued.
            .init(name: "body-paper-issue-list-zero", rule: "paper-issue", type: .paperIssued, body: edited(issue, ["list": .integer(0)])),
            .init(name: "body-paper-issue-rows-zero", rule: "paper-issue", type: .paperIssued, body: edited(issue, ["rows": .integer(0)])),
            .init(name: "body-paper-issue-rows-1001", rule: "paper-issue", type: .paperIssued, body: edited(issue, ["rows": .integer(1001)])),
            .init(name: "body-paper-issue-campaign-id", rule: "campaign-id", type: .paperIssued, body: edited(issue, ["campaign": "Free"])),
            .init(name: "body-paper-issue-device-upper-case", rule: "device-key", type: .paperIssued,
                  body: edited(issue, ["device": .string(field.uppercased())])),
            .init(name: "body-paper-issue-no-rows", rule: "fields", type: .paperIssued, body: edited(issue, ["rows": nil])),
        ]
    }

    /// The rule each older invalid-body vector breaks.
    static let olderBodyRules = [
        "body-missing-field": "fields", "withdrawal-erase-false": "erase", "payload-erased-upper-case-digest": "payload-digest",
        "fork-adopted-heads-unsorted": "heads", "fork-adopted-heads-repeated": "heads", "fork-adopted-no-heads": "heads",
        "fork-adopted-upper-case-head": "heads",
    ]

    /// A genesis entry whose body breaks a rule: it is its own ledger (the vector's `after` is nil).
    static func brokenGenesis() throws -> EntryVectorFile.Invalid {
        let hq = try Fixed.hq()
        let body = LedgerCreated(name: "Test ledger", hqKey: hq.publicKey.hex, sealingKey: try Fixed.sealing().publicKey.hex.uppercased())
        let draft = EntryDraft(
            ledger: .zero, author: hq.publicKey, sequence: 1, previous: .zero,
            timestamp: HLCTimestamp(wall: Fixed.baseWall, counter: 0), type: EventType.ledgerCreated.rawValue,
            body: try CanonicalJSON.encode(body))
        return .init(name: "body-genesis-sealing-key-upper-case", after: nil, bytes: Hex.encode(try Entry.sign(draft, with: hq).bytes),
                     fault: EntryFault.Kind.invalidBody.rawValue, rule: "sealing-key")
    }

    /// A genesis body whose `hqKey` is spelled with the Kelvin sign U+212A for `K`: canonical
    /// JSON, but field names are exact (FORMAT.md section 4), so it has an unknown member and
    /// lacks `hqKey`. A reader that matched names by Unicode equivalence would accept it.
    static func kelvinGenesis() throws -> EntryVectorFile.Invalid {
        let hq = try Fixed.hq()
        let body = Array(#"{"hq\#u{212A}ey":"\#(hq.publicKey.hex)","name":"Test ledger","sealingKey":"\#(try Fixed.sealing().publicKey.hex)"}"#.utf8)
        let draft = EntryDraft(
            ledger: .zero, author: hq.publicKey, sequence: 1, previous: .zero,
            timestamp: HLCTimestamp(wall: Fixed.baseWall, counter: 0), type: EventType.ledgerCreated.rawValue, body: body)
        return .init(name: "body-genesis-key-kelvin-sign", after: nil, bytes: Hex.encode(try Entry.sign(draft, with: hq).bytes),
                     fault: EntryFault.Kind.invalidBody.rawValue, rule: "fields")
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(uniqueKeysWithValues: elements)) }
}
