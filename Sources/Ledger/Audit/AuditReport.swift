/// The result of verifying a store: what was checked and every fault found.
public struct AuditReport: Codable, Sendable {
    public var ledger: String
    public var mode: VerificationMode
    /// Entries checked (fork evidence excluded).
    public var entries: Int
    /// Logs (authors) checked.
    public var logs: Int
    /// Signatures verified.
    public var signaturesChecked: Int
    /// Payload digests checked (full mode).
    public var payloadsChecked: Int
    public var heads: [LogHead]
    /// Faults, each naming its entry; in log order.
    public var faults: [EntryFault]

    /// True when no fault breaks integrity (unauthorised entries are reported but kept as evidence).
    public var intact: Bool { !faults.contains { $0.breaksIntegrity } }

    /// True when some author's log forked (one `fork` fault per forked sequence).
    public var forked: Bool { faults.contains { $0.kind == .fork } }

    /// True when the logs are intact but hold evidence: forks, or entries outside their
    /// authors' rights (`ledgerctl verify` exits 4).
    public var hasFindings: Bool { intact && faults.contains { !$0.breaksIntegrity } }
}
