import Crypto
import Foundation

/// A signed note (C2SP signed-note v1): a text ending in a newline, a blank line, then one or
/// more signature lines `— <key name> base64(key ID || signature)`. Checkpoints, cosignatures and
/// tally statements are signed notes (docs/FORMAT.md section 11).
///
/// Parsing is strict: valid UTF-8, no control character (Unicode Cc) but newline, at most
/// ``maximumSignatures`` lines, every line well formed, base64 canonical. A note that fails
/// any of these is refused whole; unknown signatures in a well-formed note are kept and ignored
/// by ``verifiedSignature(by:)``.
///
/// For example:
/// ```swift
/// let key = try NoteVerifierKey(vkey: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
/// let note = try SignedNote(parsing: text)
/// guard note.verifiedSignature(by: key) != nil else { ... }
/// ```
public struct SignedNote: Sendable, Equatable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        public let keyName: String
        public let keyID: UInt32
        /// The bytes after the key ID: for type 0x01 the 64-byte Ed25519 signature, for type 0x04
        /// a u64 timestamp then the 64-byte signature.
        public let bytes: [UInt8]

        public init(keyName: String, keyID: UInt32, bytes: [UInt8]) {
            self.keyName = keyName
            self.keyID = keyID
            self.bytes = bytes
        }

        /// `— <name> <base64>\n`.
        public var line: String {
            "\u{2014} \(keyName) \(Data(ByteCoding.u32(keyID) + bytes).base64EncodedString())\n"
        }
    }

    /// The most signature lines a note may carry (the spec asks readers to accept at least 16; HQ
    /// serves its checkpoint with one signature per witness, so the limit is generous).
    public static let maximumSignatures = 1024
    /// The most bytes a note may have.
    public static let maximumBytes = 256 * 1024

    /// The note text, final newline included.
    public let text: String
    public let signatures: [Signature]

    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The whole note: text, blank line, signature lines.
    public var serialized: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Parses a note. Throws ``NoteError`` naming what is wrong (never echoing the text).
    public init(parsing raw: String) throws {
        let bytes = Array(raw.utf8)
        guard bytes.count <= Self.maximumBytes else { throw NoteError.malformed("a note is longer than \(Self.maximumBytes) bytes") }
        // Unicode controls (category Cc: U+0000-U+001F, U+007F-U+009F) but the newline.
        for scalar in raw.unicodeScalars where scalar != "\n" && (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)) {
            throw NoteError.malformed("a note holds a control character")
        }
        guard raw.hasSuffix("\n") else { throw NoteError.malformed("a note ends without a newline") }
        // The text is separated from the signatures by the last blank line.
        guard let split = raw.range(of: "\n\n", options: .backwards) else {
            throw NoteError.malformed("a note has no blank line before its signatures")
        }
        let text = String(raw[raw.startIndex..<raw.index(after: split.lowerBound)])
        let signatureBlock = raw[split.upperBound...]
        var lines = signatureBlock.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { throw NoteError.malformed("a note ends without a newline") }
        lines.removeLast()
        guard !lines.isEmpty else { throw NoteError.malformed("a note has no signature") }
        guard lines.count <= Self.maximumSignatures else { throw NoteError.malformed("a note has more than \(Self.maximumSignatures) signatures") }
        var signatures: [Signature] = []
        for line in lines {
            guard line.hasPrefix("\u{2014} ") else { throw NoteError.malformed("a signature line does not start with an em dash and a space") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, NoteVerifierKey.isValidName(String(fields[0])) else {
                throw NoteError.malformed("a signature line is not '— <key name> <base64>'")
            }
            guard let decoded = Data(base64Encoded: String(fields[1])), decoded.base64EncodedString() == fields[1], decoded.count >= 5 else {
                throw NoteError.malformed("a signature is not canonical base64 of at least 5 bytes")
            }
            let raw = Array(decoded)
            signatures.append(Signature(keyName: String(fields[0]), keyID: ByteCoding.readU32(raw, at: 0), bytes: Array(raw[4...])))
        }
        self.text = text
        self.signatures = signatures
    }

    /// The signature by `key` over the text, if the note carries one that verifies; nil when it
    /// carries none. Throws ``NoteError/badSignature`` when a line names `key` (name and ID) but
    /// does not verify: the spec says to reject such a note.
    public func verifiedSignature(by key: NoteVerifierKey) throws -> Signature? {
        var found: Signature?
        for signature in signatures where signature.keyName == key.name && signature.keyID == key.keyID {
            guard key.verifies(signature, text: text) else { throw NoteError.badSignature(key.name) }
            found = found ?? signature
        }
        return found
    }
}

/// A note verifier key (C2SP signed-note "vkey"): name, key ID, signature type and Ed25519
/// public key. Types 0x01 (Ed25519 note signature) and 0x04 (timestamped Ed25519 cosignature,
/// C2SP tlog-cosignature v1) are supported.
public struct NoteVerifierKey: Sendable, Equatable {
    public static let ed25519: UInt8 = 0x01
    public static let cosignature: UInt8 = 0x04

    public let name: String
    public let type: UInt8
    public let publicKey: PublicKey

    public init(name: String, type: UInt8, publicKey: PublicKey) throws {
        guard Self.isValidName(name) else { throw NoteError.malformed("a key name is empty or holds a space or '+'") }
        guard type == Self.ed25519 || type == Self.cosignature else { throw NoteError.malformed("signature type \(type) is not supported") }
        self.name = name
        self.type = type
        self.publicKey = publicKey
    }

    /// Parses `<name>+<hex key ID>+<base64(type || key)>`.
    public init(vkey: String) throws {
        // The key data is base64 and may itself hold a "+": only the first two split.
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Data(base64Encoded: String(parts[2])), raw.count == 33,
              let key = PublicKey(raw.dropFirst())
        else { throw NoteError.malformed("not a verifier key '<name>+<key id>+<base64 key>' with a 32-byte Ed25519 key") }
        try self.init(name: String(parts[0]), type: raw[raw.startIndex], publicKey: key)
        guard parts[1] == Hex.encode(ByteCoding.u32(keyID)) else { throw NoteError.malformed("the verifier key's ID does not match its name and key") }
    }

    /// Key names are non-empty and hold no Unicode space and no `+`.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("+")
            && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// `SHA-256(name || 0x0A || type || public key)[:4]` as a big-endian u32.
    public var keyID: UInt32 {
        ByteCoding.readU32(Digest.sha256(Array(name.utf8) + [0x0A, type] + publicKey.bytes).bytes, at: 0)
    }

    /// `<name>+<hex key ID>+<base64(type || key)>`.
    public var vkey: String {
        "\(name)+\(Hex.encode(ByteCoding.u32(keyID)))+\(Data([type] + publicKey.bytes).base64EncodedString())"
    }

    /// The message a signature of this key signs over `text`: the text itself for type 0x01;
    /// `cosignature/v1\ntime <T>\n` then the text for type 0x04.
    public static func cosignedMessage(text: String, time: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(time)\n".utf8) + Array(text.utf8)
    }

    func verifies(_ signature: SignedNote.Signature, text: String) -> Bool {
        switch type {
        case Self.ed25519:
            return signature.bytes.count == 64 && publicKey.isValidSignature(signature.bytes, for: Array(text.utf8))
        default:
            guard signature.bytes.count == 72 else { return false }
            let time = ByteCoding.readU64(signature.bytes, at: 0)
            guard time <= UInt64(Int64.max) else { return false }
            return publicKey.isValidSignature(Array(signature.bytes[8...]), for: Self.cosignedMessage(text: text, time: time))
        }
    }

    /// Signs `text` with `key` (whose public key must be this key's) as a signature line.
    /// `time` (POSIX seconds) is used by cosignatures only.
    public func sign(_ text: String, with key: SigningKey, time: UInt64 = 0) throws -> SignedNote.Signature {
        precondition(key.publicKey == publicKey, "signing with another key than the verifier key's")
        switch type {
        case Self.ed25519:
            return SignedNote.Signature(keyName: name, keyID: keyID, bytes: try key.sign(Array(text.utf8)))
        default:
            let signature = try key.sign(Self.cosignedMessage(text: text, time: time))
            return SignedNote.Signature(keyName: name, keyID: keyID, bytes: ByteCoding.u64(time) + signature)
        }
    }

    /// The timestamp of a cosignature line (type 0x04), else nil.
    public static func cosignatureTime(_ signature: SignedNote.Signature) -> UInt64? {
        signature.bytes.count == 72 ? ByteCoding.readU64(signature.bytes, at: 0) : nil
    }
}

/// Why a note, checkpoint or proof was refused.
public enum NoteError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case badSignature(String)
    case unsigned(String)
    case wrongLog(expected: String, found: String)
    case inconsistent(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed: \(why)"
        case .badSignature(let name): return "a signature by \(name) does not verify"
        case .unsigned(let name): return "no signature by \(name)"
        case .wrongLog(let expected, let found): return "the checkpoint is of log \(found), not \(expected)"
        case .inconsistent(let why): return why
        }
    }
}
