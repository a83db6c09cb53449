/// One immutable, signed entry of an author's append-only log.
///
/// The canonical bytes are specified in docs/FORMAT.md ("Entries"); the entry id is the SHA-256 of
/// all of them, signature included. An `Entry` value is only ever made by ``init(bytes:)`` (parsing)
/// or ``sign(_:with:)`` (writing), so its fields always agree with its bytes.
///
/// For example:
/// ```swift
/// let entry = try Entry.sign(draft, with: key)
/// let again = try Entry(bytes: entry.bytes)   // again.id == entry.id
/// ```
public struct Entry: Hashable, Sendable {
    /// Format version written in the first byte.
    public static let version: UInt8 = 1
    /// Domain-separation prefix of the signed message: the ASCII string then one zero byte.
    public static let signingContext: [UInt8] = Array("ledger.entry.v1".utf8) + [0]
    /// Largest body accepted, in bytes.
    public static let maxBodySize = 65_536
    /// Largest sequence number and timestamp wall value: 2^63 - 1, so both fit SQLite's signed
    /// 64-bit integers (docs/FORMAT.md section 2).
    public static let maxSequence: UInt64 = UInt64(Int64.max)
    /// Largest type name accepted, in bytes.
    public static let maxTypeLength = 64

    /// The canonical bytes, signature included.
    public let bytes: [UInt8]
    /// SHA-256 of ``bytes``.
    public let id: Digest
    public let ledger: Digest
    public let author: PublicKey
    public let sequence: UInt64
    public let previous: Digest
    public let timestamp: HLCTimestamp
    public let type: String
    public let body: [UInt8]
    public let payloadDigest: Digest?
    public let signature: [UInt8]
    /// Length of the signed part (everything before the signature).
    let signedLength: Int

    /// Parses canonical bytes. Checks structure only (lengths, version, type charset, flags);
    /// the id is computed, but the signature and body are checked by ``EntryVerifier``.
    public init(bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let version = try reader.u8("version")
        guard version == Entry.version else { throw FormatError.unsupportedVersion(version) }
        ledger = Digest(unchecked: try reader.raw(32, "ledger"))
        author = PublicKey(unchecked: try reader.raw(32, "author"))
        sequence = try reader.u64("sequence")
        guard sequence >= 1 else { throw FormatError.invalidSequence }
        guard sequence <= Entry.maxSequence else { throw FormatError.outOfRange(field: "sequence") }
        previous = Digest(unchecked: try reader.raw(32, "previous"))
        let wall = try reader.u64("timestamp")
        guard wall <= Entry.maxSequence else { throw FormatError.outOfRange(field: "timestamp.wall") }
        let counter = try reader.u32("counter")
        timestamp = HLCTimestamp(wall: wall, counter: counter)
        let typeLength = Int(try reader.u8("type length"))
        let typeBytes = try reader.raw(typeLength, "type")
        type = String(decoding: typeBytes, as: UTF8.self)
        guard Entry.isValidType(typeBytes) else { throw FormatError.invalidType(type) }
        let bodyLength = Int(try reader.u32("body length"))
        guard bodyLength <= Entry.maxBodySize else { throw FormatError.bodyTooLarge(bodyLength) }
        body = try reader.raw(bodyLength, "body")
        let flag = try reader.u8("payload flag")
        switch flag {
        case 0: payloadDigest = nil
        case 1: payloadDigest = Digest(unchecked: try reader.raw(32, "payload digest"))
        default: throw FormatError.invalidPayloadFlag(flag)
        }
        signedLength = reader.offset
        signature = try reader.raw(64, "signature")
        guard reader.remaining == 0 else { throw FormatError.trailingBytes(reader.remaining) }
        self.bytes = bytes
        id = Digest.sha256(bytes)
    }

    /// Type names are 1 to 64 bytes of `a-z`, `0-9`, `.`, `_` and `-`.
    static func isValidType<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard (1...maxTypeLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy { typeByte[Int($0)] }
    }

    /// Which bytes a type name may hold, by value (one lookup per byte in the audit's hot loop).
    private static let typeByte: [Bool] = (0...255).map { value in
        let byte = UInt8(value)
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// The exact message the author signed: ``signingContext`` followed by the signed part of ``bytes``.
    public var signedMessage: [UInt8] {
        Entry.signingContext + bytes[0..<signedLength]
    }

    /// True when the Ed25519 signature verifies under ``author``.
    public var hasValidSignature: Bool {
        author.isValidSignature(signature, for: signedMessage)
    }

    /// Decodes the body as a typed value.
    public func decodeBody<Body: Decodable>(_ type: Body.Type) throws -> Body {
        do {
            return try CanonicalJSON.decode(Body.self, from: body)
        } catch {
            throw FormatError.invalidBody(type: self.type, reason: "\(error)")
        }
    }
}

/// The fields of an entry before it is signed.
public struct EntryDraft: Sendable {
    public var ledger: Digest
    public var author: PublicKey
    public var sequence: UInt64
    public var previous: Digest
    public var timestamp: HLCTimestamp
    public var type: String
    public var body: [UInt8]
    public var payloadDigest: Digest?

    public init(
        ledger: Digest, author: PublicKey, sequence: UInt64, previous: Digest, timestamp: HLCTimestamp,
        type: String, body: [UInt8], payloadDigest: Digest? = nil
    ) {
        self.ledger = ledger
        self.author = author
        self.sequence = sequence
        self.previous = previous
        self.timestamp = timestamp
        self.type = type
        self.body = body
        self.payloadDigest = payloadDigest
    }

    /// The signed part of the canonical encoding (docs/FORMAT.md, "Entries").
    public func signedBytes() throws -> [UInt8] {
        let typeBytes = Array(type.utf8)
        guard Entry.isValidType(typeBytes) else { throw FormatError.invalidType(type) }
        guard body.count <= Entry.maxBodySize else { throw FormatError.bodyTooLarge(body.count) }
        guard sequence >= 1 else { throw FormatError.invalidSequence }
        guard sequence <= Entry.maxSequence else { throw FormatError.outOfRange(field: "sequence") }
        guard timestamp.wall <= Entry.maxSequence else { throw FormatError.outOfRange(field: "timestamp.wall") }
        var writer = ByteWriter(capacity: 200 + body.count)
        writer.u8(Entry.version)
        writer.raw(ledger.bytes)
        writer.raw(author.bytes)
        writer.u64(sequence)
        writer.raw(previous.bytes)
        writer.u64(timestamp.wall)
        writer.u32(timestamp.counter)
        writer.u8(UInt8(typeBytes.count))
        writer.raw(typeBytes)
        writer.u32(UInt32(body.count))
        writer.raw(body)
        if let digest = payloadDigest {
            writer.u8(1)
            writer.raw(digest.bytes)
        } else {
            writer.u8(0)
        }
        return writer.bytes
    }
}

extension Entry {
    /// Signs a draft with the author's key. Fails if the key does not match `draft.author`.
    public static func sign(_ draft: EntryDraft, with key: SigningKey) throws -> Entry {
        guard key.publicKey == draft.author else {
            throw CryptoError.malformedKey("the signing key does not belong to the draft's author")
        }
        let signed = try draft.signedBytes()
        let signature = try key.sign(signingContext + signed)
        return try Entry(bytes: signed + signature)
    }
}
