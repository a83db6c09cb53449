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
        switch BodyRules.decode(type, from: entry.body, checkedCanonical: true) {
        case .success(let body): decoded = body
        case .failure(let problem): return EntryFault(.invalidBody, entry: entry, detail: problem.description)
        }
        if type.carriesPayload != (entry.payloadDigest != nil) {
            return EntryFault(.payloadFlag, entry: entry, detail: type.carriesPayload
                ? "\(type.rawValue) must carry a payload digest" : "\(type.rawValue) must not carry a payload digest")
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
