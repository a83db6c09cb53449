import Crypto
import Foundation

/// A 32-byte SHA-256 digest: entry ids, payload digests, ledger ids.
///
/// For example:
/// ```swift
/// let id = Digest.sha256(entryBytes)
/// print(id.hex)
/// ```
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// The all-zero digest, used for "no previous entry" and the genesis ledger id field.
    public static let zero = Digest(unchecked: [UInt8](repeating: 0, count: 32))

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

    /// SHA-256 of the given bytes.
    public static func sha256<Bytes: DataProtocol>(_ data: Bytes) -> Digest {
        Digest(unchecked: Array(SHA256.hash(data: data)))
    }

    /// Lower-case hex, 64 characters.
    public var hex: String { Hex.encode(bytes) }

    /// The first 12 hex characters, for human-facing listings.
    public var short: String { String(hex.prefix(12)) }

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    public var description: String { hex }

    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
