/// The checks of docs/FORMAT.md ("Verifying a log") that apply to one entry, or to one entry and its
/// predecessor in the same author's log. Pure functions: no store, no clock.
public enum EntryVerifier {
    /// Checks an entry's content: ledger field, genesis rules, known type, canonical typed body and
    /// payload flag (FORMAT.md steps 3–6). Returns nil when all pass.
    ///
    /// - Parameters:
    ///   - ledger: the ledger id; nil while verifying the genesis entry of a ledger being adopted.
    ///   - hq: HQ's key, the author of the genesis entry.
    public static func checkContent(_ entry: Entry, ledger: Digest?, hq: PublicKey) -> EntryFault? {
        var body: (any EventBody)?
        return checkContent(entry, ledger: ledger, hq: hq, decoded: &body)
    }

    /// ``checkContent(_:ledger:hq:)``, also handing back the typed body it decoded, so that the
    /// caller (the projector) need not decode it again.
    public static func checkContent(_ entry: Entry, ledger: Digest?, hq: PublicKey, decoded: inout (any EventBody)?) -> EntryFault? {
        let isGenesis = entry.author == hq && entry.sequence == 1
        if isGenesis {
            guard entry.ledger.isZero else {
                return EntryFault(.badGenesis, entry: entry, detail: "the genesis entry must carry a zero ledger id")
            }
            guard entry.type == EventType.ledgerCreated.rawValue else {
                return EntryFault(.badGenesis, entry: entry, detail: "HQ's first entry must be ledger.created, found \(entry.type)")
            }
            if let ledger, entry.id != ledger {
                return EntryFault(.wrongLedger, entry: entry, detail: "genesis id differs from the ledger id \(ledger.short)")
            }
            if entry.author != hq {
                return EntryFault(.badGenesis, entry: entry, detail: "the genesis entry's author is not HQ")
            }
            if let body = try? CanonicalJSON.decode(LedgerCreated.self, from: entry.body), body.hqKey != entry.author.hex {
                return EntryFault(.badGenesis, entry: entry, detail: "hqKey differs from the entry's author")
            }
        } else {
            if let ledger, entry.ledger != ledger {
                return EntryFault(.wrongLedger, entry: entry, detail: "entry names ledger \(entry.ledger.short), expected \(ledger.short)")
            }
            if entry.type == EventType.ledgerCreated.rawValue {
                return EntryFault(.badGenesis, entry: entry, detail: "ledger.created is allowed only as HQ's first entry")
            }
        }
        guard let type = EventType(rawValue: entry.type) else {
            return EntryFault(.unknownType, entry: entry, detail: "type \(entry.type) is not defined in format version 1")
        }
        guard CanonicalJSON.isCanonical(entry.body) else {
            return EntryFault(.invalidBody, entry: entry, detail: "body is not a canonical JSON object")
        }
        do {
            let body = try CanonicalJSON.decode(type.bodyType, from: entry.body)
            if let problem = semanticProblem(body, entry: entry) {
                return EntryFault(.invalidBody, entry: entry, detail: problem)
            }
            decoded = body
        } catch {
            return EntryFault(.invalidBody, entry: entry, detail: "body does not match the \(type.rawValue) schema")
        }
        if type.carriesPayload != (entry.payloadDigest != nil) {
            return EntryFault(.payloadFlag, entry: entry, detail: type.carriesPayload
                ? "\(type.rawValue) must carry a payload digest" : "\(type.rawValue) must not carry a payload digest")
        }
        return nil
    }

    private static func semanticProblem(_ body: any EventBody, entry: Entry) -> String? {
        let campaign: String? = switch body {
        case let body as CampaignPublished: body.campaign
        case let body as CampaignUpdated: body.campaign
        case let body as CampaignClosed: body.campaign
        case let body as SignatureRecorded: body.campaign
        case let body as CommentPosted: body.campaign
        default: nil
        }
        if let campaign, !CampaignFile.isValidID(campaign) { return "campaign id is not 1 to 64 of a-z, 0-9 and -" }
        switch body {
        case let published as CampaignPublished:
            return BodyRules.campaignProblem(languages: published.languages, texts: published.texts, deadline: published.deadline,
                                             retentionDays: published.retentionDays)
        case let updated as CampaignUpdated:
            return BodyRules.campaignProblem(languages: updated.languages, texts: updated.texts, deadline: updated.deadline,
                                             retentionDays: updated.retentionDays)
        case let revoked as DeviceRevoked:
            if revoked.afterSequence < 0 { return "afterSequence is negative" }
        case let genesis as LedgerCreated:
            if genesis.hqKey != entry.author.hex { return "hqKey differs from the entry's author" }
            if SealingPublicKey(hex: genesis.sealingKey) == nil { return "sealingKey is not 32 bytes of hex" }
        case let signature as SignatureRecorded:
            if !BodyRules.isHex32(signature.receiptHash) { return "receiptHash is not 32 bytes of lower-case hex" }
            if let signer = signature.signer, !BodyRules.isHex32(signer) { return "signer is not 32 bytes of lower-case hex" }
            if !BodyRules.isHex32(signature.campaignVersion) { return "campaignVersion is not a lower-case hex entry id" }
            if let country = signature.country, !BodyRules.isCountry(country) { return "country is not two upper-case ASCII letters" }
            if let area = signature.postcodeArea, !BodyRules.isPostcodeArea(area) { return "postcodeArea is not one or two upper-case ASCII letters or digits" }
            if let list = signature.paperList, list < 1 { return "paperList is below 1" }
            if let row = signature.paperRow, row < 1 { return "paperRow is below 1" }
        case let withdrawal as SignatureWithdrawn:
            if !BodyRules.isHex32(withdrawal.signature) { return "signature is not a lower-case hex entry id" }
            if let receipt = withdrawal.receipt, !BodyRules.isReceipt(receipt) { return "receipt is not 16 receipt symbols (FORMAT.md section 5)" }
            if withdrawal.erase == false { return "erase is true or absent, never false" }
        case let referenced as SignerReferenced:
            guard (1...SignerReferenced.maxReferences).contains(referenced.references.count) else {
                return "references must hold 1 to \(SignerReferenced.maxReferences) items"
            }
            if referenced.references.contains(where: { !BodyRules.isHex32($0.signature) || !BodyRules.isHex32($0.signer) }) {
                return "a reference is not two lower-case hex values of 32 bytes"
            }
            let ids = referenced.references.map(\.signature)
            if zip(ids, ids.dropFirst()).contains(where: { $0 >= $1 }) { return "references must be in ascending order of signature, each once" }
        case let erasure as PayloadErased:
            if Digest(hex: erasure.signature)?.hex != erasure.signature { return "signature is not a lower-case hex entry id" }
            if Digest(hex: erasure.payload)?.hex != erasure.payload { return "payload is not a lower-case hex digest" }
        case let adoption as ForkAdopted:
            if PublicKey(hex: adoption.device) == nil { return "device is not 32 bytes of hex" }
            guard (1...ForkAdopted.maxHeads).contains(adoption.heads.count) else { return "heads must hold 1 to \(ForkAdopted.maxHeads) entry ids" }
            if adoption.heads.contains(where: { Digest(hex: $0)?.hex != $0 }) { return "heads must be lower-case hex entry ids" }
            if zip(adoption.heads, adoption.heads.dropFirst()).contains(where: { $0 >= $1 }) { return "heads must be distinct and in ascending order" }
        default:
            break
        }
        return nil
    }

    /// Checks that `entry` follows `previous` in its author's log (FORMAT.md step 2): the next
    /// sequence number, the previous entry's id, and a later timestamp. `previous` is nil for sequence 1.
    /// The parts of a predecessor that ``checkLink(_:after:)`` needs.
    public struct LinkPoint: Sendable, Equatable {
        public var sequence: UInt64
        public var id: Digest
        public var timestamp: HLCTimestamp

        public init(sequence: UInt64, id: Digest, timestamp: HLCTimestamp) {
            self.sequence = sequence
            self.id = id
            self.timestamp = timestamp
        }

        /// The link point of an entry.
        public init(_ entry: Entry) {
            self.init(sequence: entry.sequence, id: entry.id, timestamp: entry.timestamp)
        }
    }

    public static func checkLink(_ entry: Entry, after previous: LinkPoint?) -> EntryFault? {
        guard let previous else {
            if entry.sequence != 1 {
                return EntryFault(.sequenceGap, entry: entry, detail: "log starts at sequence \(entry.sequence), expected 1")
            }
            if !entry.previous.isZero {
                return EntryFault(.brokenLink, entry: entry, detail: "sequence 1 must have a zero previous id")
            }
            return nil
        }
        if entry.sequence != previous.sequence + 1 {
            return EntryFault(.sequenceGap, entry: entry, detail: "sequence \(entry.sequence) follows \(previous.sequence)")
        }
        if entry.previous != previous.id {
            return EntryFault(.brokenLink, entry: entry, detail: "previous id \(entry.previous.short) is not the id \(previous.id.short) of sequence \(previous.sequence)")
        }
        if !(entry.timestamp > previous.timestamp) {
            return EntryFault(.clockRegression, entry: entry, detail: "timestamp \(entry.timestamp) is not after \(previous.timestamp)")
        }
        return nil
    }

    /// Checks the signature (FORMAT.md step 1b).
    public static func checkSignature(_ entry: Entry) -> EntryFault? {
        entry.hasValidSignature ? nil : EntryFault(.badSignature, entry: entry, detail: "Ed25519 signature does not verify under the author's key")
    }
}

extension EntryVerifier {
    /// Verifies one entry's bytes in full, in the order of docs/FORMAT.md section 8: parse,
    /// signature, chain link, then content. Returns the first fault, or the parsed entry.
    ///
    /// - Parameters:
    ///   - ledger: the ledger id (nil while checking the genesis entry of a ledger not yet known).
    ///   - hq: HQ's key.
    ///   - previous: the author's entry `sequence - 1`, nil for sequence 1.
    ///   - policy: who may write what; nil skips the rights check (step 7).
    public static func verify(bytes: [UInt8], ledger: Digest?, hq: PublicKey, after previous: LinkPoint?, policy: TrustPolicy? = nil) -> Result<Entry, EntryFault> {
        let entry: Entry
        do {
            entry = try Entry(bytes: bytes)
        } catch {
            let id = Digest.sha256(bytes)
            let author = bytes.count >= 65 ? PublicKey(unchecked: Array(bytes[33..<65])) : PublicKey(unchecked: [UInt8](repeating: 0, count: 32))
            return .failure(EntryFault(.malformed, author: author, sequence: 0, id: id, detail: "\(error)"))
        }
        if let fault = checkSignature(entry) ?? checkLink(entry, after: previous)
            ?? checkContent(entry, ledger: ledger, hq: hq) {
            return .failure(fault)
        }
        if let policy, !policy.allows(entry.author, toWrite: entry.type) {
            let kind: EntryFault.Kind = policy.role(of: entry.author) == nil ? .unknownAuthor : .unauthorised
            return .failure(EntryFault(kind, entry: entry, detail: "\(policy.role(of: entry.author)?.rawValue ?? "unknown") author may not write \(entry.type)"))
        }
        return .success(entry)
    }
}

/// The value rules of docs/FORMAT.md section 4 that a type system does not express, in one place.
enum BodyRules {
    /// 64 lower-case hex characters.
    static func isHex32(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Two upper-case ASCII letters.
    static func isCountry(_ text: String) -> Bool {
        text.utf8.count == 2 && text.utf8.allSatisfy { (0x41...0x5A).contains($0) }
    }

    /// One or two upper-case ASCII letters or digits.
    static func isPostcodeArea(_ text: String) -> Bool {
        (1...2).contains(text.utf8.count) && text.utf8.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }
    }

    /// 2 to 16 ASCII letters, digits and `-`.
    static func isLanguage(_ text: String) -> Bool {
        (2...16).contains(text.utf8.count) && text.utf8.allSatisfy {
            (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D
        }
    }

    /// The 16 symbols of a receipt code as stored: upper case, Crockford's alphabet, no dashes.
    static func isReceipt(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { ReceiptCode.alphabet.contains($0) }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, a real UTC time.
    static func isDeadline(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 24 else { return false }
        let shape = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
        for (byte, expected) in zip(bytes, shape) {
            if expected == UInt8(ascii: "d") {
                guard (0x30...0x39).contains(byte) else { return false }
            } else if byte != expected {
                return false
            }
        }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) } }
        let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
        let (hour, minute, second) = (number(11..<13), number(14..<16), number(17..<19))
        guard (1...12).contains(month), hour < 24, minute < 60, second < 60, year >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// The rules of a campaign's languages, texts and deadline.
    static func campaignProblem(languages: [String], texts: [String: CampaignText], deadline: String?, retentionDays: Int64?) -> String? {
        if let retentionDays, !(1...36_500).contains(retentionDays) { return "retentionDays is not 1 to 36500" }
        if let bad = languages.first(where: { !isLanguage($0) }) { return "language code \(bad.prefix(20)) is not 2 to 16 of A-Z a-z 0-9 -" }
        if texts.keys.contains(where: { !isLanguage($0) }) { return "a key of texts is not a language code" }
        if let deadline, !isDeadline(deadline) { return "deadline is not a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ" }
        return nil
    }
}
