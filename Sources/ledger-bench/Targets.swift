/// One performance target from the issue, checked against this run's figures.
struct TargetCheck: Sendable {
    /// What is required, in words: "batched append >= 50% of the raw Ed25519 sign rate".
    var name: String
    /// The measured rate, per second.
    var measured: Double
    /// The rate the target requires, per second.
    var required: Double

    /// True when the measured rate reaches the required one.
    var passed: Bool { measured >= required }

    /// The targets of the issue, computed from this run's references (never from fixed numbers,
    /// except the absolute fast-verification floor).
    static func all(crypto: CryptoReferences, machine: Machine, ledger: LedgerFigures) -> [TargetCheck] {
        [
            TargetCheck(
                name: "batched append >= 50% of raw Ed25519 sign rate (1 thread)",
                measured: ledger.batchedAppend.perSecond, required: 0.5 * crypto.sign.perSecond),
            TargetCheck(
                name: "fast verification >= 200,000 entries/s",
                measured: ledger.fastVerify.perSecond, required: 200_000),
            TargetCheck(
                name: "full verification >= 80% of raw verify rate x \(machine.coresInUse) cores",
                measured: ledger.fullVerify.perSecond,
                required: 0.8 * crypto.verify.perSecond * Double(machine.coresInUse)),
        ]
    }
}
