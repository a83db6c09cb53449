/// A device as the `devices` read model holds it.
public struct DeviceSummary: Codable, Sendable, Equatable {
    public var device: String
    public var fingerprint: String
    public var name: String
    public var role: Role
    public var revokedAfter: UInt64?
    /// The last sequence of its log this node holds (0 when none).
    public var sequence: UInt64
}

extension LedgerNode {
    /// Enrols a device's key with a role (HQ only).
    @discardableResult
    public func enrol(device: PublicKey, name: String, role: Role = .field) throws -> Entry {
        guard self.role == .hq, key.publicKey == (store.hqKey ?? key.publicKey) else { throw NodeError.notHQ(operation: "enrol devices") }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw NodeError.invalidSigner(field: "name", reason: "a device name must be 1 to 100 characters") }
        guard device != key.publicKey else { throw NodeError.ambiguous("that is HQ's own key") }
        if try store.devices().contains(where: { $0.device == device.hex }) {
            throw NodeError.ambiguous("device \(device.short) is already enrolled")
        }
        return try store.append(DeviceEnrolled(device: device.hex, name: name, role: role), signer: key)
    }

    /// Revokes a device (HQ only): its entries after `afterSequence` are refused and not counted.
    @discardableResult
    public func revoke(device: PublicKey, afterSequence: UInt64, reason: String?) throws -> Entry {
        guard role == .hq, key.publicKey == store.hqKey else { throw NodeError.notHQ(operation: "revoke devices") }
        guard try store.devices().contains(where: { $0.device == device.hex }) else {
            throw NodeError.ambiguous("device \(device.short) is not enrolled; see 'ledgerctl device list'")
        }
        return try store.append(DeviceRevoked(device: device.hex, afterSequence: Int64(afterSequence), reason: reason), signer: key)
    }
}

extension LedgerStore {
    /// Enrolled devices, by key.
    public func devices() throws -> [DeviceSummary] {
        try reading { db in
            let statement = try db.statement("""
                SELECT d.device, d.name, d.role, d.revoked_after, (SELECT MAX(sequence) FROM entries e WHERE e.author = d.device)
                FROM devices d ORDER BY d.device
                """)
            defer { statement.reset() }
            var out: [DeviceSummary] = []
            while try statement.step() {
                guard let key = PublicKey(statement.blob(0)), let role = Role(rawValue: statement.text(2)) else { continue }
                out.append(DeviceSummary(
                    device: key.hex, fingerprint: key.fingerprint, name: statement.text(1), role: role,
                    revokedAfter: statement.isNull(3) ? nil : statement.uint64(3),
                    sequence: statement.isNull(4) ? 0 : statement.uint64(4)))
            }
            return out
        }
    }
}

extension LedgerStore {
    /// HQ's `device.enrolled` entry that admitted `device` (the one the `devices` read model
    /// keeps), when this store holds it.
    public func enrolment(of device: PublicKey) throws -> Entry? {
        try reading { db in
            let statement = try db.statement("SELECT e.bytes FROM devices d JOIN entries e ON e.id = d.enrolled_by WHERE d.device = ?")
            statement.bind(1, device.bytes)
            defer { statement.reset() }
            return try statement.step() ? try Entry(bytes: statement.blob(0)) : nil
        }
    }
}
