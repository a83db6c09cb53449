import Crypto
import Foundation

/// An Ed25519 public key: the identity of a node and the author of a log.
public struct PublicKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 32 raw bytes of the key.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; returns nil for any other length.
    public init?<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        self.bytes = Array(bytes)
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The 32 bytes in one call: the synthesized hash fed them to the hasher one by one, which
    /// was a tenth of an ingest's Swift time in sets and dictionaries of ids and keys.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Parses 64 hex characters.
    public init?(hex: String) {
        guard let raw = Hex.decode(hex), raw.count == 32 else { return nil }
        self.bytes = raw
    }

    public var hex: String { Hex.encode(bytes) }

    /// The first 12 hex characters, for human-facing listings.
    public var short: String { String(hex.prefix(12)) }

    /// A human-checkable fingerprint: SHA-256 of the key, first 16 bytes as hex in groups of four.
    public var fingerprint: String {
        let digest = Digest.sha256(bytes).hex.prefix(32)
        var groups: [Substring] = []
        var rest = digest[...]
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: ":")
    }

    public var description: String { hex }

    /// Checks an Ed25519 signature over `message`. Never throws: a malformed key or signature is simply invalid.
    public func isValidSignature<Message: DataProtocol>(_ signature: [UInt8], for message: Message) -> Bool {
        guard signature.count == 64,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    public static func < (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
