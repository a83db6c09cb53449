/// What a node is allowed to write (docs/FORMAT.md, "Rights"). This file is the one home of the
/// rights table: the trust policy, the read models' SQL (``sqlList(mayWrite:)``) and the docs follow it.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// A second HQ machine: every type except the trust entries only HQ's root key writes.
    case hq
    /// A volunteer's device: records signatures, comments and withdrawals.
    case field
    /// A node that only holds and verifies copies (an auditor, a fresh import); writes nothing.
    case observer

    /// The entry types a device enrolled with this role may write. HQ's root key (the genesis
    /// author) may write every type; it has no enrolment.
    public var rights: Set<EventType> {
        switch self {
        case .hq: return Set(EventType.allCases).subtracting(EventType.rootOnly)
        case .field: return [.signatureRecorded, .commentPosted, .signatureWithdrawn]
        case .observer: return []
        }
    }

    /// The roles whose devices may write `type`, as an SQL list of string literals for `role IN (…)`,
    /// for example `'hq', 'field'`; `NULL` (matching no row) when no enrolled role may.
    public static func sqlList(mayWrite type: EventType) -> String {
        let roles = allCases.filter { $0.rights.contains(type) }.map { "'\($0.rawValue)'" }
        return roles.isEmpty ? "NULL" : roles.joined(separator: ", ")
    }
}

extension EventType {
    /// Types only HQ's root key (the genesis author) may write: the trust entries.
    public static let rootOnly: Set<EventType> = [.ledgerCreated, .deviceEnrolled, .deviceRevoked, .forkAdopted, .payloadErased, .signerReferenced]

    /// True for a type only HQ's root key may write.
    public var isRootOnly: Bool { EventType.rootOnly.contains(self) }
}

/// Who may write what in one ledger: HQ's key from the genesis entry (the trust root), the
/// devices it enrolled, and where it revoked them (docs/FORMAT.md, "Rights").
public struct TrustPolicy: Sendable {
    public let hq: PublicKey
    public private(set) var devices: [PublicKey: Role]
    /// Revoked devices: the last sequence number that still counts.
    public private(set) var revokedAfter: [PublicKey: UInt64]

    /// The device keys whose role or revocation point differs in `other`: the only authors whose
    /// entries `other` may authorise differently.
    public func keysChanged(in other: TrustPolicy) -> Set<PublicKey> {
        var keys: Set<PublicKey> = []
        for key in Set(devices.keys).union(other.devices.keys) where devices[key] != other.devices[key] { keys.insert(key) }
        for key in Set(revokedAfter.keys).union(other.revokedAfter.keys) where revokedAfter[key] != other.revokedAfter[key] { keys.insert(key) }
        return keys
    }

    public init(hq: PublicKey, devices: [PublicKey: Role] = [:]) {
        self.hq = hq
        self.devices = devices
        self.revokedAfter = [:]
    }

    /// Where an enrolment stands in ledger order (docs/FORMAT.md section 7: wall, counter; the author
    /// is always HQ's root key, so then sequence, then entry id for branches of a forked root log).
    public struct EnrolmentOrder: Sendable, Comparable {
        public var wall: UInt64
        public var counter: UInt32
        public var sequence: UInt64
        public var id: [UInt8]

        public init(wall: UInt64, counter: UInt32, sequence: UInt64, id: [UInt8]) {
            self.wall = wall
            self.counter = counter
            self.sequence = sequence
            self.id = id
        }

        /// The order of an enrolment entry.
        public init(_ entry: Entry) {
            self.init(wall: entry.timestamp.wall, counter: entry.timestamp.counter, sequence: entry.sequence, id: entry.id.bytes)
        }

        public static func < (a: Self, b: Self) -> Bool {
            (a.wall, a.counter, a.sequence) != (b.wall, b.counter, b.sequence)
                ? (a.wall, a.counter, a.sequence) < (b.wall, b.counter, b.sequence) : a.id.lexicographicallyPrecedes(b.id)
        }
    }

    /// When each device's role-giving enrolment was made, where known.
    private var enrolledAt: [PublicKey: EnrolmentOrder] = [:]

    /// Admits a device with a role. A key enrolled more than once has the role (and name) of its
    /// earliest enrolment in ledger order, whatever order they arrive in (docs/FORMAT.md, "Rights").
    /// Without `order` (a test's policy) the first call holds.
    public mutating func enrol(_ device: PublicKey, role: Role, at order: EnrolmentOrder? = nil) {
        guard device != hq else { return }
        if devices[device] != nil {
            guard let order, let held = enrolledAt[device], order < held else { return }
        }
        devices[device] = role
        enrolledAt[device] = order
    }

    /// Stops accepting a device's entries after `sequence`; the lowest revocation point wins.
    public mutating func revoke(_ device: PublicKey, after sequence: UInt64) {
        revokedAfter[device] = min(revokedAfter[device] ?? .max, sequence)
    }

    /// The role of an author, or nil for a key this ledger does not know.
    public func role(of author: PublicKey) -> Role? {
        author == hq ? .hq : devices[author]
    }

    /// True when `author` may write entries of `type` (ignoring revocation): HQ's root key every
    /// type, an enrolled device the rights of its role.
    public func allows(_ author: PublicKey, toWrite type: String) -> Bool {
        guard let type = EventType(rawValue: type) else { return false }
        if author == hq { return true }
        return devices[author]?.rights.contains(type) ?? false
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
            enrol(device, role: body.role, at: EnrolmentOrder(entry))
        } else if entry.type == EventType.deviceRevoked.rawValue, let body = try? entry.decodeBody(DeviceRevoked.self),
                  let device = PublicKey(hex: body.device) {
            revoke(device, after: UInt64(max(0, body.afterSequence)))
        }
    }
}
