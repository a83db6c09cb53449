import Crypto
import Foundation

/// A node's Ed25519 private key. It signs entries of the node's own log only.
public struct SigningKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// Generates a fresh random key.
    public init() {
        key = Curve25519.Signing.PrivateKey()
    }

    /// Loads a key from its 32-byte seed.
    public init(seed: [UInt8]) throws {
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw CryptoError.malformedKey("Ed25519 seed must be 32 bytes")
        }
    }

    /// The 32-byte seed, for storing in the data folder's key file.
    public var seed: [UInt8] { Array(key.rawRepresentation) }

    /// The matching public key.
    public var publicKey: PublicKey {
        PublicKey(unchecked: Array(key.publicKey.rawRepresentation))
    }

    /// Signs `message` (Ed25519, RFC 8032).
    public func sign<Message: DataProtocol>(_ message: Message) throws -> [UInt8] {
        Array(try key.signature(for: message))
    }
}

/// Errors of the cryptographic layer.
public enum CryptoError: Error, CustomStringConvertible, Equatable {
    case malformedKey(String)
    case sealingFailed(String)
    case openingFailed(String)

    public var description: String {
        switch self {
        case .malformedKey(let why): return "malformed key: \(why)"
        case .sealingFailed(let why): return "could not seal the payload: \(why)"
        case .openingFailed(let why): return "could not open the sealed payload: \(why)"
        }
    }
}
