import Crypto
import Foundation

/// The string HQ hands a volunteer to join a laptop (docs/PROTOCOL.md, "Joining"):
/// `LEDGER-JOIN-1.` + base64url of a JSON object with HQ's URL, the ledger id, HQ's key
/// fingerprint, the laptop's name and a one-time secret. (Tokens made before the pseudonym key
/// left the field laptops also carried it, encrypted; a laptop ignores it: docs/PRIVACY.md.)
public struct JoinToken: Codable, Sendable, Equatable {
    public static let prefix = "LEDGER-JOIN-1."

    public var url: String
    public var ledger: String
    /// Fingerprint of HQ's key (docs/FORMAT.md section 1), checked against the genesis entry.
    public var hq: String
    public var name: String
    /// 32 random bytes, hex; proves the device holds an invitation, once.
    public var secret: String

    public var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return Self.prefix + data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Parses a token; nil when it is not one.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Self.prefix) else { return nil }
        var base64 = String(trimmed.dropFirst(Self.prefix.count)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let token = try? StrictJSON.decode(JoinToken.self, from: data) else { return nil }
        self = token
    }

    init(url: String, ledger: String, hq: String, name: String, secret: String) {
        self.url = url
        self.ledger = ledger
        self.hq = hq
        self.name = name
        self.secret = secret
    }

    /// The proof a device sends to `POST /v1/join`: HMAC-SHA-256(secret, "ledger.join.v1" || 0 || ledger || device).
    public static func proof(secret: [UInt8], ledger: Digest, device: PublicKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("ledger.join.v1".utf8) + [0] + ledger.bytes + device.bytes, using: SymmetricKey(data: secret)))
    }
}

/// `POST /v1/join`: a device with an invitation asks HQ to enrol its key. The request is signed
/// with the device's key like every request (proving it holds the key).
public struct JoinRequest: Codable, Sendable, Equatable {
    public var device: String
    /// ``JoinToken/proof(secret:ledger:device:)``, hex.
    public var proof: String

    public init(device: String, proof: String) {
        self.device = device
        self.proof = proof
    }
}

/// The answer to `POST /v1/join`.
public struct JoinResponse: Codable, Sendable, Equatable {
    public var enrolled: String
    public var name: String
    public var role: Role
}

/// An invitation HQ keeps until a device uses it or it expires (not in the log: only its use is).
struct Invitation: Codable {
    var name: String
    var role: Role
    var secret: String
    /// When it was made, milliseconds since 1970 (UTC).
    var created: UInt64
    /// When it stops working; absent in invitations made before tokens expired, which then
    /// work for ``LedgerNode/defaultInvitationValidity`` from `created`.
    var expiresAt: UInt64?

    /// When it stops working (milliseconds since 1970, UTC).
    var expires: UInt64 { expiresAt ?? created &+ LedgerNode.defaultInvitationValidity }
}
