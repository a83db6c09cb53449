import Foundation

/// A checkpoint of HQ's Merkle tree (C2SP tlog-checkpoint; docs/FORMAT.md section 11): origin
/// `ledger/<ledger id hex>/<epoch>`, tree size and root hash, signed by HQ's root key as a
/// signed note under the key name `ledger/<ledger id hex>`.
///
/// For example:
/// ```swift
/// let key = Checkpoint.verifierKey(ledger: ledgerID, hq: hqKey)
/// let (checkpoint, note) = try Checkpoint.verify(note: text, key: key)
/// ```
public struct Checkpoint: Sendable, Equatable {
    public let ledger: Digest
    public let epoch: Int
    public let size: Int
    public let root: Digest

    public init(ledger: Digest, epoch: Int, size: Int, root: Digest) {
        self.ledger = ledger
        self.epoch = epoch
        self.size = size
        self.root = root
    }

    public var origin: String { "ledger/\(ledger.hex)/\(epoch)" }

    /// The note text: origin, size and base64 root, one line each.
    public var text: String { "\(origin)\n\(size)\n\(Data(root.bytes).base64EncodedString())\n" }

    /// Parses a checkpoint text strictly: exactly the three lines, decimal numbers without
    /// leading zeros, canonical base64 of 32 bytes, no extension lines.
    public init(text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { throw NoteError.malformed("a checkpoint ends without a newline") }
        lines.removeLast()
        guard lines.count == 3 else { throw NoteError.malformed("a checkpoint has \(lines.count) lines, not origin, size and root") }
        let origin = lines[0].split(separator: "/", omittingEmptySubsequences: false)
        guard origin.count == 3, origin[0] == "ledger", let ledger = Digest(hex: String(origin[1])), Hex.encode(ledger.bytes) == origin[1],
              let epoch = Self.decimal(origin[2]), epoch >= 1
        else { throw NoteError.malformed("the origin is not 'ledger/<ledger id hex>/<epoch>'") }
        guard let size = Self.decimal(lines[1]) else { throw NoteError.malformed("the tree size is not a decimal number") }
        guard let raw = Data(base64Encoded: String(lines[2])), raw.base64EncodedString() == lines[2], let root = Digest(raw) else {
            throw NoteError.malformed("the root hash is not canonical base64 of 32 bytes")
        }
        self.init(ledger: ledger, epoch: epoch, size: size, root: root)
    }

    /// A non-negative decimal without sign or leading zeros that fits an Int64.
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 19, text.allSatisfy({ $0.isASCII && $0.isNumber }), text == "0" || !text.hasPrefix("0") else { return nil }
        return Int(text)
    }

    /// The name of HQ's checkpoint key: `ledger/<ledger id hex>`.
    public static func keyName(ledger: Digest) -> String { "ledger/\(ledger.hex)" }

    /// HQ's checkpoint verifier key (type 0x01).
    public static func verifierKey(ledger: Digest, hq: PublicKey) -> NoteVerifierKey {
        // The name is valid by construction.
        try! NoteVerifierKey(name: keyName(ledger: ledger), type: NoteVerifierKey.ed25519, publicKey: hq)
    }

    /// A witness's cosignature key (type 0x04): `ledger/<ledger id hex>/witness/<device key hex>`.
    public static func witnessKey(ledger: Digest, device: PublicKey) -> NoteVerifierKey {
        try! NoteVerifierKey(name: "\(keyName(ledger: ledger))/witness/\(device.hex)", type: NoteVerifierKey.cosignature, publicKey: device)
    }

    /// The ledger a checkpoint key names, from `ledger/<hex>`; nil for another name.
    public static func ledger(ofKeyName name: String) -> Digest? {
        guard name.hasPrefix("ledger/"), let ledger = Digest(hex: String(name.dropFirst(7))), "ledger/\(ledger.hex)" == name else { return nil }
        return ledger
    }

    /// Parses and verifies a signed checkpoint: a well-formed note, a checkpoint text whose
    /// origin names the key's ledger, and a valid signature by `key` (HQ's checkpoint key).
    public static func verify(note raw: String, key: NoteVerifierKey) throws -> (Checkpoint, SignedNote) {
        guard key.type == NoteVerifierKey.ed25519, let ledger = ledger(ofKeyName: key.name) else {
            throw NoteError.malformed("\(key.name) is not a ledger's checkpoint key 'ledger/<ledger id hex>'")
        }
        let note = try SignedNote(parsing: raw)
        let checkpoint = try Checkpoint(text: note.text)
        guard checkpoint.ledger == ledger else { throw NoteError.wrongLog(expected: ledger.short, found: checkpoint.ledger.short) }
        guard try note.verifiedSignature(by: key) != nil else { throw NoteError.unsigned(key.name) }
        return (checkpoint, note)
    }
}
