import Foundation

/// `POST /v1/rekey`: a device whose log forked asks HQ to enrol its new key (docs/PROTOCOL.md,
/// "Re-keying"). Signed with the device's old key, which must still be enrolled and not revoked.
public struct RekeyRequest: Codable, Sendable, Equatable {
    /// The new Ed25519 key (hex).
    public var device: String
    /// The new key's Ed25519 signature (hex) over ``RekeyRequest/message(ledger:old:new:)``: it
    /// proves the sender holds the new key too.
    public var proof: String

    public init(device: String, proof: String) {
        self.device = device
        self.proof = proof
    }

    /// `"ledger.rekey.v1" || 0x00 || ledger id || old key || new key`.
    public static func message(ledger: Digest, old: PublicKey, new: PublicKey) -> [UInt8] {
        Array("ledger.rekey.v1".utf8) + [0] + ledger.bytes + old.bytes + new.bytes
    }
}

/// Where a re-keying device stands.
public enum RekeyOutcome: Equatable, Sendable {
    /// The new key is enrolled and is now this node's key (restart `ledgerd`).
    case switched(newKey: PublicKey, name: String)
    /// HQ could not be reached: the new key waits in `keys/`; the message says what to do.
    case pending(newKey: PublicKey, reason: String)
}

extension LedgerNode {
    /// The key file a re-keying node keeps its next key in until HQ enrols it.
    public static let nextKeyFile = "node.next.key"

    /// HQ's side of re-keying (HQ's root key only): enrols `request.device` with the name and role of
    /// the forked device `old` that signed the request. Refused unless HQ holds a fork of `old`'s
    /// log, so a device cannot multiply its keys at will. Asking again answers the same.
    public func completeRekey(_ request: RekeyRequest, signedBy old: PublicKey) throws -> JoinResponse {
        guard role == .hq, key.publicKey == store.hqKey else { throw AuthError.forbidden("only HQ enrols new keys; re-key at HQ's address") }
        guard let new = PublicKey(hex: request.device), let proof = Hex.decode(request.proof), proof.count == 64 else {
            throw AuthError.malformed("rekey request")
        }
        guard new.isValidSignature(proof, for: RekeyRequest.message(ledger: try ledgerID, old: old, new: new)) else {
            throw AuthError.forbidden("the proof is not the new key's signature; nothing was enrolled")
        }
        let devices = try store.devices()
        guard let device = devices.first(where: { $0.device == old.hex }), device.revokedAfter == nil else {
            throw AuthError.forbidden("the requesting device is not enrolled, or was revoked")
        }
        let name = String((device.name + " (new key)").prefix(100))
        if let existing = devices.first(where: { $0.device == new.hex }) {
            return JoinResponse(enrolled: new.hex, name: existing.name, role: existing.role)
        }
        guard try store.forkedLogs().contains(where: { $0.device == old.hex }) else {
            throw AuthError.forbidden("HQ holds no fork of this device's log: sync with HQ first (only a forked device is re-keyed)")
        }
        try enrol(device: new, name: name, role: device.role)
        return JoinResponse(enrolled: new.hex, name: name, role: device.role)
    }

    /// The device's side: makes (or reuses) the next key, asks HQ at `url` to enrol it, pulls HQ's
    /// log, and once the enrolment is held, makes the next key this node's key. Without HQ, the key
    /// waits; the enrolment can also come offline (HQ runs `ledgerctl device enrol KEY` and the
    /// laptop imports HQ's bundle), then this call only switches.
    public func rekey(via url: URL?) throws -> RekeyOutcome {
        guard key.publicKey != store.hqKey else { throw NodeError.ambiguous("HQ's root key is never re-keyed: HQ goes on writing after a fork of its own log") }
        guard role != .observer else { throw NodeError.readOnlyNode }
        let next: SigningKey
        if let seed = try folder.readKey(Self.nextKeyFile) {
            next = try SigningKey(seed: seed)
        } else {
            guard try ownFork() != nil else {
                throw NodeError.ambiguous("this node's log has not forked here; nothing to re-key (sync with HQ first if another copy wrote)")
            }
            next = SigningKey()
            try folder.writeKey(Self.nextKeyFile, next.seed)
        }
        if try store.trustPolicy().role(of: next.publicKey) == nil {
            guard let url else {
                return .pending(newKey: next.publicKey, reason: "no HQ address: give one, or have HQ run 'ledgerctl device enrol \(next.publicKey.hex) --name NAME' and import HQ's bundle here")
            }
            do {
                let transport = HTTPTransport(base: url, key: key, ledger: try ledgerID)
                let proof = try next.sign(RekeyRequest.message(ledger: try ledgerID, old: key.publicKey, new: next.publicKey))
                let request = RekeyRequest(device: next.publicKey.hex, proof: Hex.encode(proof))
                _ = try Blocking.wait { try await transport.post("/v1/rekey", request, as: JoinResponse.self) }
                _ = try SyncClient(node: self, peer: url).syncWaiting()
            } catch let error as PeerError {
                return .pending(newKey: next.publicKey, reason: error.description)
            }
        }
        guard let enrolled = try store.devices().first(where: { $0.device == next.publicKey.hex }) else {
            return .pending(newKey: next.publicKey, reason: "HQ's enrolment of the new key has not reached this node yet; sync with HQ and run this again")
        }
        try switchKey(to: next)
        return .switched(newKey: next.publicKey, name: enrolled.name)
    }

    /// Makes `next` this node's key: the old key moves to `keys/retired-<fingerprint>.key`.
    private func switchKey(to next: SigningKey) throws {
        let keys = folder.keysPath
        let retired = "retired-" + key.publicKey.hex.prefix(16) + ".key"
        if try folder.readKey(retired) == nil { try folder.writeKey(retired, key.seed) }
        try store.setSetting("node", next.publicKey.hex)
        try FileManager.default.removeItem(atPath: keys + "/" + Self.nodeKeyFile)
        try FileManager.default.moveItem(atPath: keys + "/" + Self.nextKeyFile, toPath: keys + "/" + Self.nodeKeyFile)
    }
}
