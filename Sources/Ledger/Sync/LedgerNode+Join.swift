import Crypto
import Foundation

extension LedgerNode {
    /// How long a join token works unless the invitation says otherwise: 7 days, in milliseconds.
    public static let defaultInvitationValidity: UInt64 = 7 * 24 * 3_600_000
    /// The longest a join token can be made to work: 90 days, in milliseconds.
    public static let maxInvitationValidity: UInt64 = 90 * 24 * 3_600_000

    /// Creates an invitation for a device (HQ only) and returns its join token. The invitation is
    /// kept in this node's store until it is used or expires, `validFor` milliseconds from now (at
    /// most ``maxInvitationValidity``); the token works once, before then. Making an invitation
    /// also forgets every expired one.
    public func invite(name: String, role: Role = .field, url: String, validFor: UInt64 = defaultInvitationValidity) throws -> JoinToken {
        guard self.role == .hq, key.publicKey == store.hqKey else { throw NodeError.notHQ(operation: "invite devices") }
        guard (1...Self.maxInvitationValidity).contains(validFor) else {
            throw NodeError.ambiguous("a join token works for at least a millisecond and at most 90 days")
        }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw NodeError.invalidSigner(field: "name", reason: "a device name must be 1 to 100 characters") }
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw NodeError.ambiguous("--url must be HQ's address as the laptop will reach it, like http://hq.local:8080")
        }
        var secret = [UInt8](repeating: 0, count: 32)
        var random = SystemRandomNumberGenerator()
        for index in secret.indices { secret[index] = random.next() }
        let now = store.wallClock.nowMillis()
        for (setting, invitation) in try invitations() where invitation.expires <= now { try store.removeSetting(setting) }
        let invitation = Invitation(name: name, role: role, secret: Hex.encode(secret), created: now, expiresAt: now + validFor)
        try store.setSetting("invitation." + Digest.sha256(secret).hex, String(decoding: try JSONEncoder().encode(invitation), as: UTF8.self))
        return JoinToken(url: url, ledger: try ledgerID.hex, hq: key.publicKey.fingerprint, name: name,
                         secret: Hex.encode(secret))
    }

    /// When the invitation of `token` stops working (milliseconds since 1970, UTC); nil when this
    /// node holds no invitation for it (used, expired and forgotten, or another HQ's).
    public func invitationExpiry(of token: JoinToken) throws -> UInt64? {
        guard let secret = Hex.decode(token.secret) else { return nil }
        return try invitations().first { $0.0 == "invitation." + Digest.sha256(secret).hex }?.1.expires
    }

    /// An invitation HQ holds, as `ledgerctl device invitations` lists it (never its secret).
    public struct OpenInvitation: Codable, Sendable, Equatable {
        /// The first 12 hex digits of the secret's SHA-256: names the invitation, tells nothing of the secret.
        public var id: String
        public var name: String
        public var role: Role
        /// Milliseconds since 1970, UTC.
        public var created: UInt64
        public var expires: UInt64
        /// True once it has expired (it is forgotten when the next invitation is made).
        public var expired: Bool
    }

    /// HQ's invitations not yet used, oldest first, expired ones included (marked).
    public func openInvitations() throws -> [OpenInvitation] {
        try listedInvitations().map(\.invitation)
    }

    /// Cancels an invitation before it is used (a token that was mislaid or seen by someone
    /// else): HQ forgets it, and its token is refused like a used one. `match` is the laptop's
    /// name as invited (when one invitation has it) or a prefix of at least 4 digits of the
    /// invitation's id. Returns the invitation cancelled.
    @discardableResult
    public func cancelInvitation(matching match: String) throws -> OpenInvitation {
        let open = try listedInvitations()
        let byName = open.filter { $0.invitation.name == match }
        let byID = match.count >= 4 ? open.filter { $0.invitation.id.hasPrefix(match.lowercased()) } : []
        let found = byName.isEmpty ? byID : byName
        guard found.count == 1, let (setting, invitation) = found.first else {
            throw NodeError.ambiguous(found.isEmpty
                ? "no open invitation is named '\(match.prefix(100))' or has an id starting with it ('ledgerctl device invitations' lists them)"
                : "\(found.count) open invitations match '\(match.prefix(100))'; give the id from 'ledgerctl device invitations'")
        }
        try store.removeSetting(setting)
        return invitation
    }

    /// The open invitations as listed, each with its setting's name, oldest first.
    private func listedInvitations() throws -> [(setting: String, invitation: OpenInvitation)] {
        guard self.role == .hq else { throw NodeError.notHQ(operation: "list invitations") }
        let now = store.wallClock.nowMillis()
        return try invitations().map { setting, invitation in
            (setting, OpenInvitation(id: String(setting.dropFirst("invitation.".count).prefix(12)), name: invitation.name, role: invitation.role,
                                     created: invitation.created, expires: invitation.expires, expired: invitation.expires <= now))
        }.sorted { ($0.invitation.created, $0.invitation.id) < ($1.invitation.created, $1.invitation.id) }
    }

    /// The open invitations, by setting name; an unreadable one is left out.
    private func invitations() throws -> [(String, Invitation)] {
        try store.settings(prefix: "invitation.").compactMap { name, value in
            (try? StrictJSON.decode(Invitation.self, from: Array(value.utf8))).map { (name, $0) }
        }
    }

    /// HQ's side of `POST /v1/join`: checks the invitation proof, enrols the device, and forgets
    /// the invitation. `device` is the key that signed the request.
    public func completeJoin(_ request: JoinRequest, signedBy device: PublicKey) throws -> JoinResponse {
        guard role == .hq, key.publicKey == store.hqKey else { throw AuthError.forbidden("only HQ enrols devices; join at HQ's address") }
        guard request.device == device.hex else { throw AuthError.forbidden("the join request must be signed by the joining device's key") }
        guard let proof = Hex.decode(request.proof) else { throw AuthError.malformed("proof") }
        let ledger = try ledgerID
        let now = store.wallClock.nowMillis()
        for (name, invitation) in try invitations() {
            guard let secret = Hex.decode(invitation.secret) else { continue }
            guard JoinToken.proof(secret: secret, ledger: ledger, device: device) == proof else { continue }
            guard now < invitation.expires else {
                try store.removeSetting(name)
                throw AuthError.forbidden("the join token expired at \(Timestamps.iso8601(millis: invitation.expires)); ask HQ for a new one (ledgerctl device invite)")
            }
            if try store.trustPolicy().role(of: device) == nil {
                try enrol(device: device, name: invitation.name, role: invitation.role)
            }
            try store.removeSetting(name)
            return JoinResponse(enrolled: device.hex, name: invitation.name, role: invitation.role)
        }
        throw AuthError.forbidden("the join token is unknown or was already used; ask HQ for a new one")
    }

    /// Creates a field node from a join token: its key (no pseudonym key: HQ alone holds it), HQ as its first peer, and
    /// the expected ledger. The node holds no entries until it syncs with HQ or imports HQ's bundle.
    ///
    /// With `enrol`, it also asks HQ to enrol the new key (`POST /v1/join`) before the node is
    /// moved into place; then pull HQ's log with ``SyncClient``. Set-up is all or nothing: when
    /// the token was already used, HQ cannot be reached or anything else fails, nothing is left in
    /// `path` (``createStaged(at:wallClock:_:)``), so the next attempt starts clean.
    public static func createFromToken(at path: String, token: JoinToken, enrol: Bool = false,
                                       wallClock: any WallClock = SystemClock()) throws -> LedgerNode {
        guard let ledger = Digest(hex: token.ledger) else { throw NodeError.ambiguous("the join token is damaged (ledger id)") }
        return try createStaged(at: path, wallClock: wallClock) { folder in
            try folder.create()
            let key = SigningKey()
            try folder.writeKey(nodeKeyFile, key.seed)
            let store = try LedgerStore.open(at: folder.storePath, create: true, wallClock: wallClock)
            try folder.restrictStoreFiles()
            try store.setSetting("role", Role.field.rawValue)
            try store.setSetting("node", key.publicKey.hex)
            try store.setSetting("expected.ledger", ledger.hex)
            try store.setSetting("expected.hq", token.hq)
            try PeerBook(folder: folder).add(token.url)
            if enrol { try requestEnrolment(key: key, token: token) }
        }
    }

    /// The device's side of joining: asks HQ to enrol this node's key with the token, then pulls
    /// HQ's log. Checks that the genesis entry is the ledger and HQ key the token names.
    public func join(token: JoinToken) throws -> SyncReport {
        guard let url = URL(string: token.url) else { throw NodeError.ambiguous("the join token is damaged") }
        try Self.requestEnrolment(key: key, token: token)
        return try SyncClient(node: self, peer: url).syncWaiting()
    }

    /// `POST /v1/join` with the token's proof for `key`.
    static func requestEnrolment(key: SigningKey, token: JoinToken) throws {
        guard let url = URL(string: token.url), let secret = Hex.decode(token.secret), let ledger = Digest(hex: token.ledger) else {
            throw NodeError.ambiguous("the join token is damaged")
        }
        let transport = HTTPTransport(base: url, key: key, ledger: ledger)
        let proof = JoinToken.proof(secret: secret, ledger: ledger, device: key.publicKey)
        let request = JoinRequest(device: key.publicKey.hex, proof: Hex.encode(proof))
        _ = try Blocking.wait { try await transport.post("/v1/join", request, as: JoinResponse.self) }
    }
}

extension LedgerStore {
    /// Node settings whose name starts with `prefix` (without the `setting.` namespace).
    func settings(prefix: String) throws -> [(String, String)] {
        try reading { db in
            let statement = try db.statement("SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key")
            statement.bind(1, "setting." + prefix)
            statement.bind(2, "setting." + prefix + "\u{10FFFF}")
            defer { statement.reset() }
            var out: [(String, String)] = []
            while try statement.step() {
                out.append((String(statement.text(0).dropFirst("setting.".count)), String(decoding: statement.blob(1), as: UTF8.self)))
            }
            return out
        }
    }

    func removeSetting(_ name: String) throws {
        try locked {
            try connection.writeTransaction {
                let statement = try connection.statement("DELETE FROM meta WHERE key = ?")
                statement.bind(1, "setting." + name)
                try statement.run()
            }
        }
    }
}
