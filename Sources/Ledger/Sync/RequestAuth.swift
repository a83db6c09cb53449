import Foundation

/// Signed HTTP requests between nodes (docs/PROTOCOL.md, "Authentication").
///
/// Each request carries `Ledger-Id`, `Ledger-Node`, `Ledger-Time`, `Ledger-Nonce` and
/// `Ledger-Signature`; the signature is Ed25519 by the node key over
/// `"ledger.request.v1" || 0x00 || ledger || node || u64 time || nonce (16) || u8 len || method ||
/// u32 len || path || SHA-256(body)`.
public enum RequestAuth {
    public static let context: [UInt8] = Array("ledger.request.v1".utf8) + [0]

    public enum Header {
        public static let ledger = "Ledger-Id"
        public static let node = "Ledger-Node"
        public static let time = "Ledger-Time"
        public static let nonce = "Ledger-Nonce"
        public static let signature = "Ledger-Signature"
        /// Optional: base64 of HQ's `device.enrolled` entry for the sender's key.
        public static let enrolment = "Ledger-Enrolment"
    }

    /// The signed message.
    public static func message(ledger: Digest, node: PublicKey, time: UInt64, nonce: [UInt8], method: String, path: String, body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: 200 + path.utf8.count)
        writer.raw(context)
        writer.raw(ledger.bytes)
        writer.raw(node.bytes)
        writer.u64(time)
        writer.raw(nonce)
        let methodBytes = Array(method.uppercased().utf8.prefix(255))
        writer.u8(UInt8(methodBytes.count))
        writer.raw(methodBytes)
        writer.u32(UInt32(path.utf8.count))
        writer.raw(path.utf8)
        writer.raw(Digest.sha256(body).bytes)
        return writer.bytes
    }

    /// The headers for a request signed by `key`.
    public static func headers(key: SigningKey, ledger: Digest, method: String, path: String, body: [UInt8], now: UInt64) throws -> [String: String] {
        var nonce = [UInt8](repeating: 0, count: 16)
        var random = SystemRandomNumberGenerator()
        for index in nonce.indices { nonce[index] = random.next() }
        let signature = try key.sign(message(ledger: ledger, node: key.publicKey, time: now, nonce: nonce, method: method, path: path, body: body))
        return [
            Header.ledger: ledger.hex, Header.node: key.publicKey.hex, Header.time: String(now),
            Header.nonce: Hex.encode(nonce), Header.signature: Hex.encode(signature),
        ]
    }
}

/// Why a request was refused; ``status`` is the HTTP status to answer with.
public enum AuthError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case malformed(String)
    case otherLedger(String)
    case stale
    case unknownNode(String)
    case revoked(String)
    case badSignature
    case replayed
    case forbidden(String)

    /// 401 for requests that do not prove who sent them; 403 for senders this ledger refuses.
    public var status: Int {
        switch self {
        case .missing, .malformed, .stale, .badSignature, .replayed: return 401
        case .otherLedger, .unknownNode, .revoked, .forbidden: return 403
        }
    }

    public var description: String {
        switch self {
        case .missing(let header): return "missing header \(header): requests must be signed by an enrolled node (docs/PROTOCOL.md)"
        case .malformed(let header): return "malformed header \(header)"
        case .otherLedger: return "this node is not in the ledger the request names; check the peer's address"
        case .stale: return "the request's time differs from this node's clock by more than 5 minutes; check both clocks"
        case .unknownNode(let node): return "node \(node.prefix(12)) is not enrolled in this ledger; ask HQ to enrol it"
        case .revoked(let node): return "node \(node.prefix(12)) was revoked"
        case .badSignature: return "the request signature does not verify"
        case .replayed: return "this request was already received (replayed nonce)"
        case .forbidden(let why): return why
        }
    }
}

/// Checks signed requests on the server side, remembering recent nonces to refuse replays.
///
/// With a `store`, nonces are also written to the node's database before a request is served,
/// so a request captured before `ledgerd` restarted is still refused after it (a nonce is kept
/// for twice the accepted clock skew, then forgotten: an older request is refused as stale).
/// Thread-safe.
public final class RequestVerifier: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String: UInt64] = [:]
    private var lastPurge: UInt64 = 0
    private let store: LedgerStore?

    /// - Parameter store: where nonces outlive the process; nil keeps them in memory only.
    public init(store: LedgerStore? = nil) {
        self.store = store
    }

    /// Who sent a verified request.
    public struct Sender: Sendable {
        public var node: PublicKey
        public var role: Role
    }

    /// Verifies a request's headers (looked up case-insensitively by `header`) against the ledger,
    /// the trust policy and the clock.
    public func verify(header: (String) -> String?, method: String, path: String, body: [UInt8],
                       ledger: Digest, policy: TrustPolicy, now: UInt64) throws -> Sender {
        func value(_ name: String) throws -> String {
            guard let value = header(name), !value.isEmpty else { throw AuthError.missing(name) }
            return value
        }
        let ledgerText = try value(RequestAuth.Header.ledger)
        guard let claimed = Digest(hex: ledgerText) else { throw AuthError.malformed(RequestAuth.Header.ledger) }
        guard let node = PublicKey(hex: try value(RequestAuth.Header.node)) else { throw AuthError.malformed(RequestAuth.Header.node) }
        guard let time = UInt64(try value(RequestAuth.Header.time)) else { throw AuthError.malformed(RequestAuth.Header.time) }
        guard let nonce = Hex.decode(try value(RequestAuth.Header.nonce)), nonce.count == 16 else { throw AuthError.malformed(RequestAuth.Header.nonce) }
        guard let signature = Hex.decode(try value(RequestAuth.Header.signature)), signature.count == 64 else {
            throw AuthError.malformed(RequestAuth.Header.signature)
        }
        guard claimed == ledger else { throw AuthError.otherLedger(ledger.hex) }
        let skew = time > now ? time - now : now - time
        guard skew <= SyncLimits.maxRequestSkew else { throw AuthError.stale }
        guard let role = policy.role(of: node) ?? Self.shownEnrolment(header(RequestAuth.Header.enrolment), of: node, ledger: ledger, hq: policy.hq) else {
            throw AuthError.unknownNode(node.hex)
        }
        if policy.revokedAfter[node] != nil { throw AuthError.revoked(node.hex) }
        let message = RequestAuth.message(ledger: ledger, node: node, time: time, nonce: nonce, method: method, path: path, body: body)
        guard node.isValidSignature(signature, for: message) else { throw AuthError.badSignature }
        try remember(node: node, nonce: nonce, now: now)
        return Sender(node: node, role: role)
    }

    /// The role HQ gave `node` in the `device.enrolled` entry the request shows (base64 in the
    /// `Ledger-Enrolment` header), when that entry is HQ's, of this ledger, well-formed, validly
    /// signed and names `node`: so two laptops of one ledger sync whatever order they joined in.
    static func shownEnrolment(_ header: String?, of node: PublicKey, ledger: Digest, hq: PublicKey) -> Role? {
        guard let header, header.count <= 4 * Entry.maxBodySize, let raw = Data(base64Encoded: header),
              let entry = try? Entry(bytes: Array(raw)), entry.author == hq, entry.ledger == ledger,
              entry.type == EventType.deviceEnrolled.rawValue,
              EntryVerifier.checkContent(entry, ledger: ledger, hq: hq) == nil, entry.hasValidSignature,
              let body = try? entry.decodeBody(DeviceEnrolled.self), body.device == node.hex else { return nil }
        return body.role
    }

    private func remember(node: PublicKey, nonce: [UInt8], now: UInt64) throws {
        let key = node.hex + Hex.encode(nonce)
        let purge: Bool
        do {
            lock.lock()
            defer { lock.unlock() }
            purge = now > lastPurge + 60_000
            if purge {
                seen = seen.filter { $0.value + 2 * SyncLimits.maxRequestSkew > now }
                lastPurge = now
            }
            guard seen[key] == nil else { throw AuthError.replayed }
            seen[key] = now
        }
        guard let store else { return }
        let forgetBefore = now > 2 * SyncLimits.maxRequestSkew ? now - 2 * SyncLimits.maxRequestSkew : 0
        guard try store.rememberNonce(node.bytes + nonce, at: now, forgetBefore: purge ? forgetBefore : nil) else {
            throw AuthError.replayed
        }
    }
}
