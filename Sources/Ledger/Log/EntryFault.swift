/// What is wrong with one entry, naming the entry exactly (author, sequence, id).
public struct EntryFault: Error, Hashable, Sendable, CustomStringConvertible, Codable {
    /// The kinds of fault; `rawValue` is the stable name used in `--json` reports.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case malformed
        case idMismatch = "id-mismatch"
        case badSignature = "bad-signature"
        case wrongLedger = "wrong-ledger"
        case sequenceGap = "sequence-gap"
        case brokenLink = "broken-link"
        case clockRegression = "clock-regression"
        case badGenesis = "bad-genesis"
        case unknownType = "unknown-type"
        case invalidBody = "invalid-body"
        case payloadFlag = "payload-flag"
        case missingPayload = "missing-payload"
        case payloadMismatch = "payload-mismatch"
        case unknownAuthor = "unknown-author"
        case unauthorised
        case fork
        case forkLimit = "fork-limit"
    }

    public var kind: Kind
    public var author: String
    public var sequence: UInt64
    public var id: String
    public var detail: String

    public init(_ kind: Kind, author: PublicKey, sequence: UInt64, id: Digest, detail: String) {
        self.kind = kind
        self.author = author.hex
        self.sequence = sequence
        self.id = id.hex
        self.detail = detail
    }

    public init(_ kind: Kind, entry: Entry, detail: String) {
        self.init(kind, author: entry.author, sequence: entry.sequence, id: entry.id, detail: detail)
    }

    /// True for faults that break integrity (verify exits 1). Unauthorised entries are evidence:
    /// intact, reported, never counted.
    /// A fork is equivocation by an author, reported but not a broken store either (docs/FORMAT.md
    /// section 8, "Forks").
    public var breaksIntegrity: Bool { kind != .unauthorised && kind != .fork }

    public var description: String {
        "\(kind.rawValue): author \(author.prefix(12)) sequence \(sequence) entry \(id.prefix(12)): \(detail)"
    }
}
