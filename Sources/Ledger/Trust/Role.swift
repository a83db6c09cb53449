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

/// Who may write what in one ledger: HQ's key from the genesis entry (the trust root), the
/// devices it enrolled, and where it revoked them (docs/FORMAT.md, "Rights").
public struct TrustPolicy: Sendable {
    public let hq: PublicKey
    public private(set) var devices: [PublicKey: Role]
    /// Revoked devices: the last sequence number that still counts.
    public private(set) var revokedAfter: [PublicKey: UInt64]

    public init(hq: PublicKey, devices: [PublicKey: Role] = [:]) {
        self.hq = hq
        self.devices = devices
        self.revokedAfter = [:]
    }

    /// Admits a device with a role. A key already admitted keeps its first role (the earliest
    /// enrolment holds, docs/READMODELS.md).
    public mutating func enrol(_ device: PublicKey, role: Role) {
        guard device != hq, devices[device] == nil else { return }
        devices[device] = role
    }

    /// Stops accepting a device's entries after `sequence`; the lowest revocation point wins.
    public mutating func revoke(_ device: PublicKey, after sequence: UInt64) {
        revokedAfter[device] = min(revokedAfter[device] ?? .max, sequence)
    }

    /// The role of an author, or nil for a key this ledger does not know.
    public func role(of author: PublicKey) -> Role? {
        author == hq ? .hq : devices[author]
    }

    /// True when `author` may write entries of `type` (ignoring revocation).
    public func allows(_ author: PublicKey, toWrite type: String) -> Bool {
        guard let role = role(of: author), let type = EventType(rawValue: type) else { return false }
        if author != hq && type.isRootOnly { return false }
        return role.rights.contains(type)
    }

    /// True when `author` may write entries of `type` at `sequence`: the role allows it and the
    /// device was not revoked before that sequence.
    public func allows(_ author: PublicKey, toWrite type: String, sequence: UInt64) -> Bool {
        guard allows(author, toWrite: type) else { return false }
        if let limit = revokedAfter[author], sequence > limit { return false }
        return true
    }

    /// True when entries of `author` at `sequence` are past a revocation.
    public func isRevoked(_ author: PublicKey, at sequence: UInt64) -> Bool {
        guard let limit = revokedAfter[author] else { return false }
        return sequence > limit
    }
}

extension TrustPolicy {
    /// Applies a root-HQ entry that changes trust (`device.enrolled`, `device.revoked`); other
    /// entries leave the policy as it is.
    public mutating func learn(from entry: Entry) {
        guard entry.author == hq else { return }
        if entry.type == EventType.deviceEnrolled.rawValue, let body = try? entry.decodeBody(DeviceEnrolled.self),
           let device = PublicKey(hex: body.device) {
            enrol(device, role: body.role)
        } else if entry.type == EventType.deviceRevoked.rawValue, let body = try? entry.decodeBody(DeviceRevoked.self),
                  let device = PublicKey(hex: body.device) {
            revoke(device, after: UInt64(max(0, body.afterSequence)))
        }
    }
}
