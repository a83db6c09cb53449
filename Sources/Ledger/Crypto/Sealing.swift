import Crypto
import Foundation

/// Seals personal data to HQ's X25519 key with HPKE (RFC 9180), so that only HQ can read it.
///
/// Suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, base mode.
/// A sealed payload is `0x01 || enc (32 bytes) || ciphertext`; see docs/FORMAT.md, "Sealed payloads".
///
/// For example:
/// ```swift
/// let sealed = try Sealing.seal(plaintext, to: hqSealingKey, ledger: ledgerID)
/// let clear = try Sealing.open(sealed, with: hqSealingPrivateKey, ledger: ledgerID)
/// ```
public enum Sealing {
    /// The version byte that starts every sealed payload.
    public static let version: UInt8 = 1
    static let suite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly

    /// The HPKE `info` string: `"ledger.payload.v1" || 0x00 || ledger id`.
    public static func info(ledger: Digest) -> Data {
        var info = Data("ledger.payload.v1".utf8)
        info.append(0)
        info.append(contentsOf: ledger.bytes)
        return info
    }

    /// Seals `plaintext` to the recipient's 32-byte X25519 public key.
    public static func seal(_ plaintext: [UInt8], to recipient: SealingPublicKey, ledger: Digest) throws -> [UInt8] {
        do {
            let key = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipient.bytes)
            var sender = try HPKE.Sender(recipientKey: key, ciphersuite: suite, info: info(ledger: ledger))
            let ciphertext = try sender.seal(plaintext)
            return [version] + Array(sender.encapsulatedKey) + Array(ciphertext)
        } catch {
            throw CryptoError.sealingFailed("HPKE error \(error)")
        }
    }

    /// Opens a sealed payload with the recipient's private key; fails for a wrong key or any altered byte.
    public static func open(_ sealed: [UInt8], with key: SealingPrivateKey, ledger: Digest) throws -> [UInt8] {
        guard sealed.count > 1 + 32 + 16, sealed[0] == version else {
            throw CryptoError.openingFailed("not a version-1 sealed payload")
        }
        do {
            let enc = Data(sealed[1..<33])
            var recipient = try HPKE.Recipient(
                privateKey: key.key, ciphersuite: suite, info: info(ledger: ledger), encapsulatedKey: enc)
            return Array(try recipient.open(Data(sealed[33...])))
        } catch {
            throw CryptoError.openingFailed("wrong key or altered payload")
        }
    }
}

/// HQ's X25519 public key for sealing payloads; published in the ledger's genesis entry.
public struct SealingPublicKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let raw = Hex.decode(hex) else { return nil }
        self.init(raw)
    }

    public var hex: String { Hex.encode(bytes) }
}

/// HQ's X25519 private key for opening sealed payloads. Only HQ's data folder holds it.
public struct SealingPrivateKey: Sendable {
    let key: Curve25519.KeyAgreement.PrivateKey

    /// Generates a fresh key.
    public init() {
        key = Curve25519.KeyAgreement.PrivateKey()
    }

    /// Loads a key from its 32 raw bytes.
    public init(raw: [UInt8]) throws {
        do {
            key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        } catch {
            throw CryptoError.malformedKey("X25519 key must be 32 bytes")
        }
    }

    public var raw: [UInt8] { Array(key.rawRepresentation) }

    public var publicKey: SealingPublicKey {
        SealingPublicKey(unchecked: Array(key.publicKey.rawRepresentation))
    }
}

extension SealingPublicKey {
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }
}
