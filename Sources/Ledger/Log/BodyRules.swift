/// One rule of docs/FORMAT.md section 4, "Body rules": what a body of a known type must hold beyond
/// canonical JSON (section 3). Every rule is checked here and nowhere else; the test vectors hold an
/// invalid vector for each (`rule` in docs/test-vectors/entries.json), and tools/verify_bundle.py
/// names the same rules.
public enum BodyRule: String, CaseIterable, Sendable, Codable {
    /// The type's fields are present with their JSON types, and enumerations (`channel`, `role`) hold a listed value.
    case fields
    /// Every `campaign` field: 1 to 64 of `a-z`, `0-9`, `-`, not starting with `-`.
    case campaignID = "campaign-id"
    /// `ledger.created` `sealingKey`: 32 bytes of lower-case hex.
    case sealingKey = "sealing-key"
    /// `languages`: 1 or more language codes (2 to 16 of `A-Z a-z 0-9 -`), each once, exactly the keys of `texts`.
    case languages
    /// `goal`: 1 or more.
    case goal
    /// `deadline`: `YYYY-MM-DDTHH:MM:SS.mmmZ`, a real UTC time (no leap second).
    case deadline
    /// `retentionDays`: 1 to 36500.
    case retentionDays = "retention-days"
    /// `signature.recorded` `campaignVersion`: an entry id in lower-case hex.
    case campaignVersion = "campaign-version"
    /// `paperList`: 1 or more, and only with channel `paper`.
    case paperList = "paper-list"
    /// `paperRow`: 1 or more, and only with a `paperList`.
    case paperRow = "paper-row"
    /// `country`: two upper-case ASCII letters.
    case country
    /// `postcodeArea`: one or two upper-case ASCII letters or digits.
    case postcodeArea = "postcode-area"
    /// `signer`: 32 bytes of lower-case hex.
    case signer
    /// `receiptHash`: 32 bytes of lower-case hex.
    case receiptHash = "receipt-hash"
    /// An entry named by another (`comment.posted` and `signature.withdrawn` `signature`, `comment.hidden`
    /// `comment`, `payload.erased` `signature`): an entry id in lower-case hex.
    case entryID = "entry-id"
    /// `signature.withdrawn` `receipt`: 16 symbols of the receipt alphabet (section 5), upper case, no dashes.
    case receipt
    /// `signature.withdrawn` `erase`: `true` or absent.
    case erase
    /// `device` of `device.enrolled`, `device.revoked`, `fork.adopted`: 32 bytes of lower-case hex.
    case deviceKey = "device-key"
    /// `device.revoked` `afterSequence`: 0 or more.
    case afterSequence = "after-sequence"
    /// `payload.erased` `payload`: 32 bytes of lower-case hex.
    case payloadDigest = "payload-digest"
    /// `signer.referenced` `references`: 1 to 400 pairs of lower-case hex values, in ascending order of `signature`, each once.
    case references
    /// `fork.adopted` `heads`: 1 to 64 entry ids in lower-case hex, distinct, ascending.
    case heads
    /// A campaign's `link`: `https://` and 1 or more printable ASCII characters other than space, 2000 bytes at most.
    case link
    /// A campaign text's `share`: 1 to 10 texts, each 1 to 1000 bytes of UTF-8 without control characters other than line feed.
    case share
    /// `paper.issued` `list` 1 or more, `rows` 1 to 1000.
    case paperIssue = "paper-issue"
}

/// A body that breaks a rule. The detail names fields, never their values (a body may hold text a
/// signer typed).
public struct BodyProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var rule: BodyRule
    public var detail: String

    public init(_ rule: BodyRule, _ detail: String) {
        self.rule = rule
        self.detail = detail
    }

    /// `rule: detail`, for example `goal: goal is below 1`.
    public var description: String { "\(rule.rawValue): \(detail)" }
}

/// The body rules of docs/FORMAT.md section 4, in one place: the entry verifier, the campaign file
/// reader and every writer check bodies here.
///
/// For example:
///
///     switch BodyRules.decode(.campaignPublished, from: entry.body) {
///     case .success(let body): ...
///     case .failure(let problem): print(problem)   // "languages: languages is empty"
///     }
public enum BodyRules {
    /// Decodes a canonical body of `type` and checks every rule; the typed body when all hold.
    public static func decode(_ type: EventType, from bytes: [UInt8]) -> Result<any EventBody, BodyProblem> {
        decode(type, from: bytes, checkedCanonical: false)
    }

    /// ``decode(_:from:)`` for bytes the caller has just found canonical
    /// (``CanonicalJSON/isCanonical(_:)``), which are not checked a second time.
    static func decode(_ type: EventType, from bytes: [UInt8], checkedCanonical: Bool) -> Result<any EventBody, BodyProblem> {
        let body: any EventBody
        do {
            body = checkedCanonical ? try CanonicalDecoder.decode(type.bodyType, fromCanonical: bytes) : try CanonicalJSON.decode(type.bodyType, from: bytes)
        } catch {
            return .failure(BodyProblem(.fields, "body does not match the \(type.rawValue) fields"))
        }
        if let problem = problem(in: body) { return .failure(problem) }
        return .success(body)
    }

    /// The first rule a typed body breaks, or nil.
    public static func problem(in body: any EventBody) -> BodyProblem? {
        switch body {
        case let genesis as LedgerCreated:
            if !isHex32(genesis.sealingKey) { return BodyProblem(.sealingKey, "sealingKey is not 32 bytes of lower-case hex") }
        case let published as CampaignPublished:
            return campaignProblem(campaign: published.campaign, languages: published.languages, texts: published.texts,
                                   goal: published.goal, deadline: published.deadline, retentionDays: published.retentionDays,
                                   link: published.link)
        case let updated as CampaignUpdated:
            return campaignProblem(campaign: updated.campaign, languages: updated.languages, texts: updated.texts,
                                   goal: updated.goal, deadline: updated.deadline, retentionDays: updated.retentionDays,
                                   link: updated.link)
        case let closed as CampaignClosed:
            return campaignIDProblem(closed.campaign)
        case let signature as SignatureRecorded:
            return signatureProblem(signature)
        case let comment as CommentPosted:
            if let problem = campaignIDProblem(comment.campaign) { return problem }
            if let id = comment.signature, !isHex32(id) { return BodyProblem(.entryID, "signature is not a lower-case hex entry id") }
        case let withdrawal as SignatureWithdrawn:
            if !isHex32(withdrawal.signature) { return BodyProblem(.entryID, "signature is not a lower-case hex entry id") }
            if let receipt = withdrawal.receipt, !isReceipt(receipt) {
                return BodyProblem(.receipt, "receipt is not 16 receipt symbols, upper case, without dashes (FORMAT.md section 5)")
            }
            if withdrawal.erase == false { return BodyProblem(.erase, "erase is true or absent, never false") }
        case let hidden as CommentHidden:
            if !isHex32(hidden.comment) { return BodyProblem(.entryID, "comment is not a lower-case hex entry id") }
        case let enrolled as DeviceEnrolled:
            if !isHex32(enrolled.device) { return BodyProblem(.deviceKey, "device is not 32 bytes of lower-case hex") }
        case let revoked as DeviceRevoked:
            if !isHex32(revoked.device) { return BodyProblem(.deviceKey, "device is not 32 bytes of lower-case hex") }
            if revoked.afterSequence < 0 { return BodyProblem(.afterSequence, "afterSequence is negative") }
        case let erasure as PayloadErased:
            if !isHex32(erasure.signature) { return BodyProblem(.entryID, "signature is not a lower-case hex entry id") }
            if !isHex32(erasure.payload) { return BodyProblem(.payloadDigest, "payload is not a lower-case hex digest") }
        case let referenced as SignerReferenced:
            guard (1...SignerReferenced.maxReferences).contains(referenced.references.count) else {
                return BodyProblem(.references, "references must hold 1 to \(SignerReferenced.maxReferences) items")
            }
            if referenced.references.contains(where: { !isHex32($0.signature) || !isHex32($0.signer) }) {
                return BodyProblem(.references, "a reference is not two lower-case hex values of 32 bytes")
            }
            let ids = referenced.references.map(\.signature)
            if zip(ids, ids.dropFirst()).contains(where: { $0 >= $1 }) {
                return BodyProblem(.references, "references must be in ascending order of signature, each once")
            }
        case let issued as PaperIssued:
            if let problem = campaignIDProblem(issued.campaign) { return problem }
            if issued.list < 1 { return BodyProblem(.paperIssue, "list is below 1") }
            if !(1...PaperIssued.maxRows).contains(issued.rows) { return BodyProblem(.paperIssue, "rows is not 1 to \(PaperIssued.maxRows)") }
            if let device = issued.device, !isHex32(device) { return BodyProblem(.deviceKey, "device is not 32 bytes of lower-case hex") }
        case let adoption as ForkAdopted:
            if !isHex32(adoption.device) { return BodyProblem(.deviceKey, "device is not 32 bytes of lower-case hex") }
            guard (1...ForkAdopted.maxHeads).contains(adoption.heads.count) else {
                return BodyProblem(.heads, "heads must hold 1 to \(ForkAdopted.maxHeads) entry ids")
            }
            if adoption.heads.contains(where: { !isHex32($0) }) { return BodyProblem(.heads, "heads must be lower-case hex entry ids") }
            if zip(adoption.heads, adoption.heads.dropFirst()).contains(where: { $0 >= $1 }) {
                return BodyProblem(.heads, "heads must be distinct and in ascending order")
            }
        default:
            break
        }
        return nil
    }

    static func signatureProblem(_ signature: SignatureRecorded) -> BodyProblem? {
        if let problem = campaignIDProblem(signature.campaign) { return problem }
        if !isHex32(signature.campaignVersion) { return BodyProblem(.campaignVersion, "campaignVersion is not a lower-case hex entry id") }
        if let problem = paperProblem(channel: signature.channel, paperList: signature.paperList, paperRow: signature.paperRow) { return problem }
        if let country = signature.country, !isCountry(country) { return BodyProblem(.country, "country is not two upper-case ASCII letters") }
        if let area = signature.postcodeArea, !isPostcodeArea(area) {
            return BodyProblem(.postcodeArea, "postcodeArea is not one or two upper-case ASCII letters or digits")
        }
        if let signer = signature.signer, !isHex32(signer) { return BodyProblem(.signer, "signer is not 32 bytes of lower-case hex") }
        if !isHex32(signature.receiptHash) { return BodyProblem(.receiptHash, "receiptHash is not 32 bytes of lower-case hex") }
        return nil
    }

    /// The rules of `paperList` and `paperRow`: 1 or more, a list only with channel `paper`, a row
    /// only with a list. Writers check their input with it before they build a body.
    public static func paperProblem(channel: Channel, paperList: Int64?, paperRow: Int64?) -> BodyProblem? {
        if let list = paperList {
            if list < 1 { return BodyProblem(.paperList, "paperList is below 1") }
            if channel != .paper { return BodyProblem(.paperList, "paperList goes only with channel paper") }
        }
        if let row = paperRow {
            if row < 1 { return BodyProblem(.paperRow, "paperRow is below 1") }
            if paperList == nil { return BodyProblem(.paperRow, "paperRow goes only with a paperList") }
        }
        return nil
    }

    /// The rules of `campaign.published` and `campaign.updated`.
    static func campaignProblem(campaign: String, languages: [String], texts: [String: CampaignText], goal: Int64?, deadline: String?,
                                retentionDays: Int64?, link: String?) -> BodyProblem? {
        if let problem = campaignIDProblem(campaign) { return problem }
        if languages.isEmpty { return BodyProblem(.languages, "languages is empty") }
        if languages.contains(where: { !isLanguage($0) }) { return BodyProblem(.languages, "a language code is not 2 to 16 of A-Z a-z 0-9 -") }
        // Keys compared as UTF-8 bytes: Swift's String equality would merge canonically equivalent text.
        let listed = languages.map { Array($0.utf8) }
        if Set(listed).count != listed.count { return BodyProblem(.languages, "a language is listed twice") }
        if Set(listed) != Set(texts.keys.map { Array($0.utf8) }) { return BodyProblem(.languages, "languages are not exactly the keys of texts") }
        if let goal, goal < 1 { return BodyProblem(.goal, "goal is below 1") }
        if let deadline, !isDeadline(deadline) { return BodyProblem(.deadline, "deadline is not a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ") }
        if let retentionDays, !(1...36_500).contains(retentionDays) { return BodyProblem(.retentionDays, "retentionDays is not 1 to 36500") }
        if let link, !isLink(link) {
            return BodyProblem(.link, "link is not https:// and 1 to \(CampaignPublished.maxLinkBytes - 8) printable ASCII characters without spaces")
        }
        // Texts in byte order of their language codes, so the first problem named is always the same one.
        for (_, text) in texts.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
            guard let share = text.share else { continue }
            guard (1...CampaignText.maxShareTexts).contains(share.count) else {
                return BodyProblem(.share, "share must hold 1 to \(CampaignText.maxShareTexts) texts")
            }
            if share.contains(where: { !isShareText($0) }) {
                return BodyProblem(.share, "a share text is not 1 to \(CampaignText.maxShareBytes) bytes without control characters other than line feed")
            }
        }
        return nil
    }

    /// `https://` and 1 or more printable ASCII characters other than space (0x21 to 0x7E), 2000 bytes at most.
    public static func isLink(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count > 8 && bytes.count <= CampaignPublished.maxLinkBytes && bytes.starts(with: Array("https://".utf8))
            && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// 1 to 1000 bytes of UTF-8 with no control character (U+0000 to U+001F, U+007F to U+009F) other than line feed.
    public static func isShareText(_ text: String) -> Bool {
        (1...CampaignText.maxShareBytes).contains(text.utf8.count)
            && text.unicodeScalars.allSatisfy { $0 == "\n" || !($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) }
    }

    static func campaignIDProblem(_ campaign: String) -> BodyProblem? {
        isCampaignID(campaign) ? nil : BodyProblem(.campaignID, "campaign id is not 1 to 64 of a-z, 0-9 and -, not starting with -")
    }

    // MARK: - Field values

    /// A campaign id: 1 to 64 of `a-z`, `0-9` and `-`, not starting with `-`.
    public static func isCampaignID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.first != UInt8(ascii: "-")
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    /// 64 lower-case hex characters.
    public static func isHex32(_ text: String) -> Bool {
        guard text.utf8.count == 64 else { return false }
        // Over the contiguous bytes: three of these per signature, on every append, ingest and audit.
        var text = text
        return text.withUTF8 { bytes in bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }
    }

    /// Two upper-case ASCII letters.
    public static func isCountry(_ text: String) -> Bool {
        text.utf8.count == 2 && text.utf8.allSatisfy { (0x41...0x5A).contains($0) }
    }

    /// One or two upper-case ASCII letters or digits.
    public static func isPostcodeArea(_ text: String) -> Bool {
        (1...2).contains(text.utf8.count) && text.utf8.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }
    }

    /// A language code: 2 to 16 ASCII letters, digits and `-`.
    public static func isLanguage(_ text: String) -> Bool {
        (2...16).contains(text.utf8.count) && text.utf8.allSatisfy {
            (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D
        }
    }

    /// The 16 symbols of a receipt code as stored: upper case, Crockford's alphabet, no dashes.
    public static func isReceipt(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { ReceiptCode.alphabet.contains($0) }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, a real UTC time (year 1 or later, no leap second).
    public static func isDeadline(_ text: String) -> Bool {
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
}
