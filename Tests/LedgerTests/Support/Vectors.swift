import Foundation
import Testing
@testable import Ledger

/// The shape of docs/test-vectors/entries.json.
struct EntryVectorFile: Codable, Equatable {
    struct Key: Codable, Equatable {
        var seed: String
        var publicKey: String
    }

    struct Keys: Codable, Equatable {
        var hq: Key
        var field: Key
        var sealingPrivate: String
        var sealingPublic: String
        var pseudonym: String
    }

    struct Valid: Codable, Equatable {
        var name: String
        /// Name of the valid vector this entry follows in its author's log; nil for sequence 1.
        var after: String?
        var bytes: String
        var id: String
        var signedMessage: String
        var author: String
        var sequence: UInt64
        var type: String
        var body: String
        var payloadDigest: String?
    }

    struct Invalid: Codable, Equatable {
        var name: String
        var after: String?
        var bytes: String
        /// The expected fault kind (EntryFault.Kind raw value), the first failing check of FORMAT.md section 8.
        var fault: String
        /// For `invalid-body` vectors: the body rule broken (``BodyRule`` raw value, docs/FORMAT.md section 4, "Body rules").
        var rule: String?

        init(name: String, after: String?, bytes: String, fault: String, rule: String? = nil) {
            self.name = name
            self.after = after
            self.bytes = bytes
            self.fault = fault
            self.rule = rule
        }
    }

    var description: String
    var keys: Keys
    var ledger: String
    var payload: String
    /// The payload of the signature whose data HQ erased (`payload-erased`): in no bundle.
    var erasedPayload: String
    var valid: [Valid]
    var invalid: [Invalid]
}

/// Builds every vector from the fixed keys; deterministic (Ed25519 signing is deterministic).
enum VectorBuilder {
    static func signatureBody(ledger: Digest, campaignVersion: Digest) throws -> SignatureRecorded {
        let code = try #require(ReceiptCode(parsing: Fixed.receipt))
        let signer = SignerDetails(name: "Kari Nordmann", email: "kari@example.org", postcode: "0150", country: "NO", consentContact: true)
        return SignatureRecorded(
            campaign: "free-the-press", campaignVersion: campaignVersion.hex, channel: .kiosk, paperList: nil,
            country: "NO", postcodeArea: signer.postcodeArea, consentContact: true,
            signer: signer.pseudonym(key: Fixed.pseudonymKey, campaign: "free-the-press").hex, receiptHash: code.hash(ledger: ledger).hex)
    }

    /// The valid entries of the vector ledger, in log order.
    static func validEntries() throws -> [Entry] {
        let hq = try Fixed.hq()
        let genesis = try EntryFactory.genesis(key: hq)
        var log = EntryFactory(ledger: genesis.id, key: hq)
        log.head = EntryVerifier.LinkPoint(genesis)
        var published = sampleCampaign(deadline: "2027-03-01T00:00:00.000Z")
        published.retentionDays = 365
        let campaign = try log.next(published)
        let signature = try log.next(try signatureBody(ledger: genesis.id, campaignVersion: campaign.id), payload: Fixed.payload)
        let comment = try log.next(CommentPosted(campaign: "free-the-press", displayName: "Kari", text: "Free them now! \"Ytringsfrihet\" \u{2014} æøå\n", signature: signature.id.hex))
        let withdrawal = try log.next(SignatureWithdrawn(signature: signature.id.hex, receipt: try #require(ReceiptCode(parsing: Fixed.receipt)).symbols, reason: nil))
        let closed = try log.next(CampaignClosed(campaign: "free-the-press", reason: "Delivered"))
        let field = try Fixed.field().publicKey
        let enrolled = try log.next(DeviceEnrolled(device: field.hex, name: "Stall laptop 1", role: .field))
        let adopted = try log.next(ForkAdopted(device: field.hex, heads: forkHeads.map(\.hex), reason: "the laptop's disk was cloned"))
        // A second signature, recorded late (after the close), whose signer asked HQ to erase their data.
        let late = try log.next(try signatureBody(ledger: genesis.id, campaignVersion: campaign.id), payload: Fixed.erasedPayload)
        let erasing = try log.next(SignatureWithdrawn(signature: late.id.hex, receipt: nil, reason: "erasure request", erase: true))
        let erased = try log.next(PayloadErased(signature: late.id.hex, payload: Digest.sha256(Fixed.erasedPayload).hex, reason: "signer request"))
        // A field laptop's signature, recorded without a signer reference (it holds no pseudonym
        // key); HQ supplies the reference after opening the payload.
        var fieldLog = EntryFactory(ledger: genesis.id, key: try Fixed.field())
        fieldLog.wall = enrolled.timestamp.wall + 10
        var unreferenced = try signatureBody(ledger: genesis.id, campaignVersion: campaign.id)
        let reference = unreferenced.signer ?? ""
        unreferenced.signer = nil
        unreferenced.paperList = nil
        let fieldSignature = try fieldLog.next(unreferenced, payload: Fixed.payload)
        let referenced = try log.next(SignerReferenced(references: [.init(signature: fieldSignature.id.hex, signer: reference)]))
        // The remaining types: a new version of the campaign's texts, a hidden comment, a revocation
        // (after the field laptop's first entry, which still counts).
        let updated = try log.next(CampaignUpdated(campaign: published.campaign, languages: published.languages, texts: published.texts,
                                                   goal: 20_000, deadline: "2027-04-01T12:00:00.000Z", retentionDays: 365))
        let hidden = try log.next(CommentHidden(comment: comment.id.hex, reason: "off topic"))
        let revoked = try log.next(DeviceRevoked(device: field.hex, afterSequence: 1, reason: "lost at a concert"))
        // Members a later format revision may add: a format 1 reader ignores them (FORMAT.md section 4).
        let plain = CampaignUpdated(campaign: published.campaign, languages: published.languages, texts: published.texts, goal: 20_000, deadline: nil)
        let extendedBody = try withMembers(try withMembers(try CanonicalJSON.encode(plain), ["banner": .string("banner.png")], in: nil),
                                           ["image": .string("press.jpg")], in: "en")
        let extended = try log.next(plain) { $0.body = extendedBody }
        // A version with a link and share texts, and a paper list issued to the field laptop.
        var sharing = CampaignUpdated(campaign: published.campaign, languages: published.languages, texts: published.texts, goal: 20_000,
                                      deadline: "2027-04-01T12:00:00.000Z", retentionDays: 365, link: "https://example.org/free-the-press")
        sharing.texts["en"]?.share = ["I signed for the jailed journalists. Will you?", "Free the press \u{2014} sign here:"]
        sharing.texts["nb"]?.share = ["Jeg har skrevet under for de fengslede journalistene."]
        let shared = try log.next(sharing)
        let issued = try log.next(PaperIssued(campaign: "free-the-press", list: 1, rows: 20, device: field.hex))
        return [genesis, campaign, signature, comment, withdrawal, closed, enrolled, adopted, late, erasing, erased, referenced,
                updated, hidden, revoked, extended, shared, issued, fieldSignature]
    }

    static let validNames = ["genesis", "campaign-published", "signature-recorded", "comment-posted", "signature-withdrawn", "campaign-closed",
                             "device-enrolled", "fork-adopted", "signature-recorded-late", "signature-withdrawn-erase", "payload-erased",
                             "signer-referenced", "campaign-updated", "comment-hidden", "device-revoked", "campaign-updated-unknown-members",
                             "campaign-updated-share", "paper-issued", "signature-recorded-by-field"]

    /// `body` with `members` added at the top level, or inside `texts.<language>` when `language` is given.
    static func withMembers(_ body: [UInt8], _ members: [String: JSONValue], in language: String?) throws -> [UInt8] {
        guard case .object(var top) = try JSONDecoder().decode(JSONValue.self, from: Data(body)) else { return body }
        if let language {
            guard case .object(var texts)? = top["texts"], case .object(var text)? = texts[language] else { return body }
            text.merge(members) { $1 }
            texts[language] = .object(text)
            top["texts"] = .object(texts)
        } else {
            top.merge(members) { $1 }
        }
        return JSONValue.object(top).canonicalBytes
    }

    /// Two branch tips the fork-adopted vector names, in ascending order.
    static let forkHeads = [Digest.sha256(Array("branch a".utf8)), Digest.sha256(Array("branch b".utf8))].sorted { $0.hex < $1.hex }

    static func file() throws -> EntryVectorFile {
        let hq = try Fixed.hq()
        let field = try Fixed.field()
        let entries = try validEntries()
        let ledger = entries[0].id
        var valid: [EntryVectorFile.Valid] = []
        for (index, entry) in entries.enumerated() {
            // `after`: the vector before it in its author's log.
            let before = entries[..<index].lastIndex { $0.author == entry.author }
            valid.append(.init(
                name: validNames[index], after: before.map { validNames[$0] }, bytes: Hex.encode(entry.bytes),
                id: entry.id.hex, signedMessage: Hex.encode(entry.signedMessage), author: entry.author.hex,
                sequence: entry.sequence, type: entry.type, body: String(decoding: entry.body, as: UTF8.self),
                payloadDigest: entry.payloadDigest?.hex))
        }
        return EntryVectorFile(
            description: "Ledger format 1 entry vectors (docs/FORMAT.md section 10). Generated by Tests/LedgerTests; do not edit by hand.",
            keys: .init(
                hq: .init(seed: Hex.encode(Fixed.hqSeed), publicKey: hq.publicKey.hex),
                field: .init(seed: Hex.encode(Fixed.fieldSeed), publicKey: field.publicKey.hex),
                sealingPrivate: Hex.encode(Fixed.sealingRaw), sealingPublic: try Fixed.sealing().publicKey.hex,
                pseudonym: Hex.encode(Fixed.pseudonymKey)),
            ledger: ledger.hex, payload: Hex.encode(Fixed.payload), erasedPayload: Hex.encode(Fixed.erasedPayload), valid: valid,
            invalid: try invalid(entries))
    }

    /// Invalid vectors: one-byte flips in every field, and well-signed entries that break a rule.
    static func invalid(_ entries: [Entry]) throws -> [EntryVectorFile.Invalid] {
        let hq = try Fixed.hq()
        let ledger = entries[0].id
        let campaign = entries[1]
        let signature = entries[2]
        var out: [EntryVectorFile.Invalid] = []
        func flip(_ entry: Entry, _ name: String, at offset: Int, after: String, fault: EntryFault.Kind) {
            var bytes = entry.bytes
            bytes[offset] ^= 0x01
            out.append(.init(name: name, after: after, bytes: Hex.encode(bytes), fault: fault.rawValue))
        }
        // Offsets of signature-recorded's fields (FORMAT.md section 2).
        let typeLength = Int(signature.bytes[117])
        let bodyLengthAt = 118 + typeLength
        let bodyAt = bodyLengthAt + 4
        let flagAt = bodyAt + signature.body.count
        flip(signature, "flip-version", at: 0, after: "campaign-published", fault: .malformed)
        flip(signature, "flip-ledger", at: 1, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-author", at: 40, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-sequence", at: 72, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-previous", at: 90, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-timestamp-wall", at: 110, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-timestamp-counter", at: 116, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-type-length", at: 117, after: "campaign-published", fault: .malformed)
        flip(signature, "flip-type", at: 119, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-body-length", at: bodyLengthAt + 3, after: "campaign-published", fault: .malformed)
        flip(signature, "flip-body", at: bodyAt + 5, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-payload-flag", at: flagAt, after: "campaign-published", fault: .malformed)
        flip(signature, "flip-payload-digest", at: flagAt + 10, after: "campaign-published", fault: .badSignature)
        flip(signature, "flip-signature", at: signature.bytes.count - 1, after: "campaign-published", fault: .badSignature)
        out.append(.init(name: "truncated", after: "campaign-published", bytes: Hex.encode(signature.bytes.dropLast()), fault: EntryFault.Kind.malformed.rawValue))
        out.append(.init(name: "trailing-byte", after: "campaign-published", bytes: Hex.encode(signature.bytes + [0]), fault: EntryFault.Kind.malformed.rawValue))

        // Well-signed entries that break a rule, each following campaign-published (sequence 2).
        let body = try signatureBody(ledger: ledger, campaignVersion: campaign.id)
        func draft(_ mutate: (inout EntryDraft) -> Void) throws -> [UInt8] {
            var draft = EntryDraft(
                ledger: ledger, author: hq.publicKey, sequence: 3, previous: campaign.id,
                timestamp: HLCTimestamp(wall: campaign.timestamp.wall + 1, counter: 0), type: EventType.signatureRecorded.rawValue,
                body: try CanonicalJSON.encode(body), payloadDigest: Digest.sha256(Fixed.payload))
            mutate(&draft)
            return try Entry.sign(draft, with: hq).bytes
        }
        func rule(_ name: String, fault: EntryFault.Kind, _ mutate: (inout EntryDraft) -> Void) throws {
            out.append(.init(name: name, after: "campaign-published", bytes: Hex.encode(try draft(mutate)), fault: fault.rawValue))
        }
        try rule("broken-link", fault: .brokenLink) { $0.previous = entries[0].id }
        try rule("sequence-gap", fault: .sequenceGap) { $0.sequence = 4 }
        try rule("clock-regression", fault: .clockRegression) { $0.timestamp = campaign.timestamp }
        try rule("wrong-ledger", fault: .wrongLedger) { $0.ledger = Digest.sha256([1, 2, 3]) }
        try rule("zero-ledger", fault: .wrongLedger) { $0.ledger = .zero }
        try rule("non-canonical-body", fault: .invalidBody) { $0.body = Array("{ \"campaign\": \"free-the-press\" }".utf8) }
        try rule("body-missing-field", fault: .invalidBody) { $0.body = Array("{\"campaign\":\"free-the-press\"}".utf8) }
        try rule("body-with-float", fault: .invalidBody) { $0.type = EventType.campaignClosed.rawValue; $0.payloadDigest = nil; $0.body = Array("{\"campaign\":\"x\",\"reason\":1.5}".utf8) }
        try rule("missing-payload-digest", fault: .payloadFlag) { $0.payloadDigest = nil }
        try rule("unexpected-payload-digest", fault: .payloadFlag) {
            $0.type = EventType.campaignClosed.rawValue
            $0.body = Array("{\"campaign\":\"free-the-press\"}".utf8)
        }
        try rule("unknown-type", fault: .unknownType) { $0.type = "petition.hacked" }
        let field = try Fixed.field()
        func adoption(_ heads: [String]) throws -> (inout EntryDraft) -> Void {
            let body = try CanonicalJSON.encode(ForkAdopted(device: field.publicKey.hex, heads: heads, reason: nil))
            return { draft in
                draft.type = EventType.forkAdopted.rawValue
                draft.payloadDigest = nil
                draft.body = body
            }
        }
        try rule("withdrawal-erase-false", fault: .invalidBody) {
            $0.type = EventType.signatureWithdrawn.rawValue
            $0.payloadDigest = nil
            $0.body = Array("{\"erase\":false,\"signature\":\"\(signature.id.hex)\"}".utf8)
        }
        try rule("payload-erased-upper-case-digest", fault: .invalidBody) {
            $0.type = EventType.payloadErased.rawValue
            $0.payloadDigest = nil
            $0.body = Array("{\"payload\":\"\(Digest.sha256(Fixed.payload).hex.uppercased())\",\"signature\":\"\(signature.id.hex)\"}".utf8)
        }
        try rule("fork-adopted-heads-unsorted", fault: .invalidBody, try adoption(forkHeads.reversed().map(\.hex)))
        try rule("fork-adopted-heads-repeated", fault: .invalidBody, try adoption([forkHeads[0].hex, forkHeads[0].hex]))
        try rule("fork-adopted-no-heads", fault: .invalidBody, try adoption([]))
        try rule("fork-adopted-upper-case-head", fault: .invalidBody, try adoption([forkHeads[0].hex.uppercased()]))
        // Numbers a signed-64-bit store cannot hold: sequence or wall time of 2^63 (FORMAT.md section 2).
        for (name, offset) in [("sequence-beyond-range", 65), ("wall-beyond-range", 105)] {
            var signed = try draft { _ in }.dropLast(64).map { $0 }
            for index in 0..<8 { signed[offset + index] = index == 0 ? 0x80 : 0 }
            out.append(.init(name: name, after: "campaign-published", bytes: Hex.encode(signed + (try hq.sign(Entry.signingContext + signed))),
                             fault: EntryFault.Kind.malformed.rawValue))
        }
        try rule("second-genesis", fault: .badGenesis) {
            $0.type = EventType.ledgerCreated.rawValue
            $0.payloadDigest = nil
            $0.body = Array("{\"hqKey\":\"\(hq.publicKey.hex)\",\"name\":\"again\",\"sealingKey\":\"\(Hex.encode(Fixed.sealingRaw))\"}".utf8)
        }
        // A genesis entry with a non-zero ledger field.
        var badGenesis = EntryDraft(
            ledger: Digest.sha256([9]), author: hq.publicKey, sequence: 1, previous: .zero,
            timestamp: HLCTimestamp(wall: Fixed.baseWall, counter: 0), type: EventType.ledgerCreated.rawValue, body: entries[0].body)
        out.append(.init(name: "genesis-with-ledger-field", after: nil, bytes: Hex.encode(try Entry.sign(badGenesis, with: hq).bytes), fault: EntryFault.Kind.badGenesis.rawValue))
        // An entry by a key that is neither HQ nor enrolled.
        badGenesis = EntryDraft(
            ledger: ledger, author: field.publicKey, sequence: 1, previous: .zero,
            timestamp: HLCTimestamp(wall: Fixed.baseWall + 5, counter: 0), type: EventType.commentPosted.rawValue,
            body: try CanonicalJSON.encode(CommentPosted(campaign: "free-the-press", displayName: "Mallory", text: "spam", signature: nil)))
        out.append(.init(name: "unknown-author", after: nil, bytes: Hex.encode(try Entry.sign(badGenesis, with: field).bytes), fault: EntryFault.Kind.unknownAuthor.rawValue))
        // One or more vectors per body rule (FORMAT.md section 4, "Body rules").
        for index in out.indices { out[index].rule = olderBodyRules[out[index].name] }
        for broken in try brokenBodies(entries) {
            let bytes = broken.body.canonicalBytes
            try rule(broken.name, fault: .invalidBody) {
                $0.type = broken.type.rawValue
                $0.body = bytes
                $0.payloadDigest = broken.type.carriesPayload ? Digest.sha256(Fixed.payload) : nil
            }
            out[out.count - 1].rule = broken.rule
        }
        out.append(try brokenGenesis())
        out.append(try kelvinGenesis())
        return out
    }

    /// Canonical JSON vectors: input text → canonical text.
    static let canonicalJSON: [(input: String, canonical: String)] = [
        ("{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}"),
        ("{ \"z\" : [ 1 , -2 , 0 ] , \"y\" : { \"d\" : true , \"c\" : false } }", "{\"y\":{\"c\":false,\"d\":true},\"z\":[1,-2,0]}"),
        ("{\"s\":\"quote \\\" backslash \\\\ slash \\/ tab \\t nl \\n cr \\r bs \\b ff \\f\"}", "{\"s\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\"}"),
        ("{\"s\":\"\\u0001\\u001f\\u007f\"}", "{\"s\":\"\\u0001\\u001f\u{7f}\"}"),
        ("{\"s\":\"\\u00e6\\u00f8\\u00e5 \\u2014 \\ud83d\\ude00\"}", "{\"s\":\"æøå — 😀\"}"),
        ("{\"n\":9223372036854775807,\"m\":-9223372036854775808}", "{\"m\":-9223372036854775808,\"n\":9223372036854775807}"),
        ("{\"B\":1,\"a\":2,\"_\":3}", "{\"B\":1,\"_\":3,\"a\":2}"),
        ("{}", "{}"),
    ]

    struct CanonicalVector: Codable, Equatable {
        var input: String
        var canonical: String
    }

    struct ReceiptVector: Codable, Equatable {
        var ledger: String
        var code: String
        var typed: String
        var symbols: String
        var receiptHash: String
    }

    static func receiptVectors() throws -> [ReceiptVector] {
        let ledger = try validEntries()[0].id
        return try ["7K2M-Q9XD-3HPA-W4TZ", "7k2m q9xd 3hpa w4tz", "0000-0000-0000-0000", "ol1i-ZZZZ-ZZZZ-ZZZZ"].map { typed in
            let code = try #require(ReceiptCode(parsing: typed))
            return ReceiptVector(ledger: ledger.hex, code: code.description, typed: typed, symbols: code.symbols, receiptHash: code.hash(ledger: ledger).hex)
        }
    }

    /// The bundle of the valid vector ledger, payload included.
    static func bundle() throws -> [UInt8] {
        let entries = try validEntries()
        return LedgerBundle(ledger: entries[0].id, entries: entries, forks: [], payloads: [Fixed.payload]).encoded()
    }

    static func encodeJSON<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0a)
        return data
    }
}
