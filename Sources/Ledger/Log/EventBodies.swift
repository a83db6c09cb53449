/// Body of `ledger.created`, the first entry of HQ's log; its entry id is the ledger id.
public struct LedgerCreated: Codable, Sendable, Equatable {
    /// The organisation's name for this ledger.
    public var name: String
    /// HQ's Ed25519 key (hex); must equal the entry's author.
    public var hqKey: String
    /// HQ's X25519 key (hex) that payloads are sealed to.
    public var sealingKey: String

    public init(name: String, hqKey: String, sealingKey: String) {
        self.name = name
        self.hqKey = hqKey
        self.sealingKey = sealingKey
    }
}

/// A campaign letter to its target.
public struct CampaignLetter: Codable, Sendable, Equatable {
    public var recipient: String
    public var text: String

    public init(recipient: String, text: String) {
        self.recipient = recipient
        self.text = text
    }
}

/// The texts of a campaign in one language.
public struct CampaignText: Codable, Sendable, Equatable {
    public var title: String
    public var summary: String
    public var body: String
    public var demands: [String]
    public var letter: CampaignLetter?
    /// Suggested texts for sharing the campaign (social media, messages), each shown with the
    /// campaign's `link`: 1 to ``maxShareTexts`` of 1 to ``maxShareBytes`` bytes; absent when none.
    public var share: [String]?

    /// Most share texts per language, and most UTF-8 bytes in one (docs/FORMAT.md section 4, rule `share`).
    public static let maxShareTexts = 10
    public static let maxShareBytes = 1000

    public init(title: String, summary: String, body: String, demands: [String], letter: CampaignLetter?, share: [String]? = nil) {
        self.title = title
        self.summary = summary
        self.body = body
        self.demands = demands
        self.letter = letter
        self.share = share
    }
}

/// Body of `campaign.published`.
public struct CampaignPublished: Codable, Sendable, Equatable {
    /// The campaign's id: a slug of `a-z`, `0-9` and `-`, chosen by HQ, unique in the ledger.
    public var campaign: String
    /// Language codes (BCP 47, for example `en`, `nb`), preferred first; each has an entry in `texts`.
    public var languages: [String]
    public var texts: [String: CampaignText]
    /// Signature goal, if any.
    public var goal: Int64?
    /// Deadline, ISO 8601 UTC (`2027-03-01T00:00:00.000Z`), if any.
    public var deadline: String?
    /// Days after the campaign closes that HQ keeps its signers' personal data; then HQ erases
    /// it (`payload.erased`, reason `retention`). 1 to 36500; absent: kept until erased by hand.
    public var retentionDays: Int64?
    /// The campaign's web address (`https://…`), shown with its share texts; absent when none.
    public var link: String?

    /// Most bytes in a `link` (docs/FORMAT.md section 4, rule `link`).
    public static let maxLinkBytes = 2000

    public init(campaign: String, languages: [String], texts: [String: CampaignText], goal: Int64?, deadline: String?,
                retentionDays: Int64? = nil, link: String? = nil) {
        self.campaign = campaign
        self.languages = languages
        self.texts = texts
        self.goal = goal
        self.deadline = deadline
        self.retentionDays = retentionDays
        self.link = link
    }
}

/// Body of `campaign.closed`: "the action is over".
public struct CampaignClosed: Codable, Sendable, Equatable {
    public var campaign: String
    public var reason: String?

    public init(campaign: String, reason: String?) {
        self.campaign = campaign
        self.reason = reason
    }
}

/// How a signature was collected.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case kiosk, paper, manual, `import`
}

/// Body of `signature.recorded`. Personal data is never here: it is the sealed payload whose
/// digest the entry header carries.
public struct SignatureRecorded: Codable, Sendable, Equatable {
    public var campaign: String
    /// Entry id (hex) of the campaign version the signer saw.
    public var campaignVersion: String
    public var channel: Channel
    /// Paper list number, for channel `paper`.
    public var paperList: Int64?
    /// Row number on the paper list (1-based, the CSV line's record number), for channel `paper`.
    public var paperRow: Int64?
    /// ISO 3166-1 alpha-2 country code, upper case.
    public var country: String?
    /// Coarse postcode area (the first two characters of the postcode), never the full postcode.
    public var postcodeArea: String?
    /// The signer agreed to be contacted about this campaign.
    public var consentContact: Bool
    /// Pseudonymous signer reference (hex HMAC-SHA-256), for duplicate detection. Only a node
    /// holding the pseudonym key (HQ) writes it; a field device leaves it out and HQ supplies it
    /// later with `signer.referenced` (docs/PRIVACY.md).
    public var signer: String?
    /// SHA-256 (hex) of the receipt code handed to the signer (docs/FORMAT.md, "Receipt codes").
    public var receiptHash: String

    public init(
        campaign: String, campaignVersion: String, channel: Channel, paperList: Int64?, country: String?,
        postcodeArea: String?, consentContact: Bool, signer: String?, receiptHash: String
    ) {
        self.campaign = campaign
        self.campaignVersion = campaignVersion
        self.channel = channel
        self.paperList = paperList
        self.paperRow = nil
        self.country = country
        self.postcodeArea = postcodeArea
        self.consentContact = consentContact
        self.signer = signer
        self.receiptHash = receiptHash
    }
}

/// Body of `comment.posted`: public text under a display name the signer chose.
public struct CommentPosted: Codable, Sendable, Equatable {
    public var campaign: String
    public var displayName: String
    public var text: String
    /// Entry id (hex) of the signature the comment came with, if any.
    public var signature: String?

    public init(campaign: String, displayName: String, text: String, signature: String?) {
        self.campaign = campaign
        self.displayName = displayName
        self.text = text
        self.signature = signature
    }
}

/// Body of `signature.withdrawn`.
public struct SignatureWithdrawn: Codable, Sendable, Equatable {
    /// Entry id (hex) of the withdrawn `signature.recorded` entry.
    public var signature: String
    /// The receipt code the signer presented; its hash must match the signature's `receiptHash`.
    /// Absent when HQ withdraws on a verified request.
    public var receipt: String?
    public var reason: String?
    /// `true` when the signer (or HQ on a verified request) also asks HQ to erase the personal
    /// data: HQ then writes `payload.erased`. Absent otherwise (never `false`).
    public var erase: Bool?

    public init(signature: String, receipt: String?, reason: String?, erase: Bool? = nil) {
        self.signature = signature
        self.receipt = receipt
        self.reason = reason
        self.erase = erase
    }
}

/// Body of `campaign.updated`: a new version of a campaign's texts (HQ). Signatures record the
/// version (entry id) the signer saw.
public struct CampaignUpdated: Codable, Sendable, Equatable {
    public var campaign: String
    public var languages: [String]
    public var texts: [String: CampaignText]
    public var goal: Int64?
    public var deadline: String?
    /// Days after the campaign closes that HQ keeps its signers' personal data; then HQ erases
    /// it (`payload.erased`, reason `retention`). 1 to 36500; absent: kept until erased by hand.
    public var retentionDays: Int64?
    /// The campaign's web address (`https://…`), as in ``CampaignPublished/link``.
    public var link: String?

    public init(campaign: String, languages: [String], texts: [String: CampaignText], goal: Int64?, deadline: String?,
                retentionDays: Int64? = nil, link: String? = nil) {
        self.campaign = campaign
        self.languages = languages
        self.texts = texts
        self.goal = goal
        self.deadline = deadline
        self.retentionDays = retentionDays
        self.link = link
    }
}

/// Body of `comment.hidden`: HQ moderation. The comment stays in the log but leaves the public list.
public struct CommentHidden: Codable, Sendable, Equatable {
    /// Entry id (hex) of the `comment.posted` entry.
    public var comment: String
    public var reason: String

    public init(comment: String, reason: String) {
        self.comment = comment
        self.reason = reason
    }
}

/// Body of `device.enrolled`: HQ admits a device's key with a role.
public struct DeviceEnrolled: Codable, Sendable, Equatable {
    /// The device's Ed25519 key (hex).
    public var device: String
    /// A human name, for example "Stall laptop 3".
    public var name: String
    /// `field` (or `hq` for a second HQ machine; `observer` for a read-only mirror).
    public var role: Role

    public init(device: String, name: String, role: Role) {
        self.device = device
        self.name = name
        self.role = role
    }
}

/// Body of `device.revoked`: HQ stops accepting a device's entries after a sequence number.
public struct DeviceRevoked: Codable, Sendable, Equatable {
    public var device: String
    /// The last sequence number of the device's log that still counts; 0 refuses all of it.
    public var afterSequence: Int64
    public var reason: String?

    public init(device: String, afterSequence: Int64, reason: String?) {
        self.device = device
        self.afterSequence = afterSequence
        self.reason = reason
    }
}

/// Body of `fork.adopted`: HQ's root key, after review, lets the branches of a forked device's log
/// that end at `heads` count (docs/FORMAT.md section 8, "Forks").
public struct ForkAdopted: Codable, Sendable, Equatable {
    /// The device's Ed25519 key (hex).
    public var device: String
    /// Entry ids (hex) of the branch tips adopted: 1 to 64, distinct, in ascending order.
    public var heads: [String]
    public var reason: String?

    /// Most heads in one adoption.
    public static let maxHeads = 64

    public init(device: String, heads: [String], reason: String?) {
        self.device = device
        self.heads = heads
        self.reason = reason
    }
}

/// Body of `payload.erased`: HQ's root key deletes the personal data of a signature everywhere;
/// the entry, its digest and the chain stay verifiable (docs/FORMAT.md, docs/PRIVACY.md).
public struct PayloadErased: Codable, Sendable, Equatable {
    /// Entry id (hex) of the `signature.recorded` whose payload is erased.
    public var signature: String
    /// That entry's payload digest (hex): nodes delete the payload by it, even before the
    /// signature entry reaches them.
    public var payload: String
    /// Why: `signer request`, `retention`, or HQ's words.
    public var reason: String?

    public init(signature: String, payload: String, reason: String?) {
        self.signature = signature
        self.payload = payload
        self.reason = reason
    }
}

/// Body of `signer.referenced`: HQ's root key supplies the pseudonymous signer reference of
/// signatures recorded without one (by field devices, which hold no pseudonym key), after
/// opening their sealed payloads (docs/FORMAT.md, docs/PRIVACY.md).
public struct SignerReferenced: Codable, Sendable, Equatable {
    public struct Reference: Codable, Sendable, Equatable {
        /// Entry id (hex) of the `signature.recorded`.
        public var signature: String
        /// Its signer reference (hex HMAC-SHA-256), as `signature.recorded`'s `signer` defines it.
        public var signer: String

        public init(signature: String, signer: String) {
            self.signature = signature
            self.signer = signer
        }
    }

    /// 1 to ``maxReferences``, ordered by `signature`, each signature once.
    public var references: [Reference]

    /// Most references in one entry (keeps the body well under the size limit).
    public static let maxReferences = 400

    public init(references: [Reference]) {
        self.references = references
    }
}

/// Body of `paper.issued`: HQ issues a numbered paper signature list of a campaign
/// (docs/PAPER.md). `ledgerctl import-paper` records a typed-in list only when its number was
/// issued, and only with the list's check code (``PaperCheckCode``), which comes from this
/// entry's id.
public struct PaperIssued: Codable, Sendable, Equatable {
    public var campaign: String
    /// The list number, 1 or more; HQ numbers a campaign's lists 1, 2, 3, ...
    public var list: Int64
    /// Rows printed on the list: 1 to ``maxRows``.
    public var rows: Int64
    /// The enrolled device (hex key) the list was issued to; its kiosk offers it for printing.
    /// Absent: HQ's own.
    public var device: String?

    /// Most rows on one list.
    public static let maxRows: Int64 = 1000

    public init(campaign: String, list: Int64, rows: Int64, device: String? = nil) {
        self.campaign = campaign
        self.list = list
        self.rows = rows
        self.device = device
    }
}
