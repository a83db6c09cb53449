/// What a node is allowed to write (docs/FORMAT.md, "Rights").
public enum Role: String, Codable, Sendable, CaseIterable {
    /// Headquarters: the trust root; may write every entry type.
    case hq
    /// A volunteer's device: records signatures, comments and withdrawals.
    case field
    /// A node that only holds and verifies copies (an auditor, a fresh import); writes nothing.
    case observer

    /// The entry types an author of this role may write.
    public var rights: Set<EventType> {
        switch self {
        case .hq: return Set(EventType.allCases)
        case .field: return [.signatureRecorded, .commentPosted, .signatureWithdrawn]
        case .observer: return []
        }
    }
}

/// Who may write what in one ledger: HQ's key from the genesis entry and, later, enrolled devices.
public struct TrustPolicy: Sendable {
    public let hq: PublicKey
    public private(set) var devices: [PublicKey: Role]

    public init(hq: PublicKey, devices: [PublicKey: Role] = [:]) {
        self.hq = hq
        self.devices = devices
    }

    /// The role of an author, or nil for a key this ledger does not know.
    public func role(of author: PublicKey) -> Role? {
        author == hq ? .hq : devices[author]
    }

    /// True when `author` may write entries of `type`.
    public func allows(_ author: PublicKey, toWrite type: String) -> Bool {
        guard let role = role(of: author), let type = EventType(rawValue: type) else { return false }
        return role.rights.contains(type)
    }
}
