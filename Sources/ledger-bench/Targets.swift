/// One performance target of issue 11, checked against this run's figures: a rate that must reach
/// a share of a reference measured in the same run, or a latency or size that must stay under a bound.
struct TargetCheck: Sendable {
    enum Kind: Sendable {
        /// Per second, at least `required`.
        case rate
        /// Seconds, at most `required`.
        case latency
        /// Bytes per entry, at most `required`.
        case bytes
    }

    /// What is required, in words: "batched append >= 0.4 x raw SQLite insert".
    var name: String
    var kind: Kind
    var measured: Double
    var required: Double
    /// What bounds the figure whatever the code does, from this run's references, when a bound
    /// below the target is known: printed after the line.
    var ceiling: String?

    var passed: Bool { kind == .rate ? measured >= required : measured <= required }

    /// The line of the report: PASS or MISS, the figure, its bound, and any known ceiling.
    var line: String {
        guard let ceiling, !passed else { return verdictLine }
        return verdictLine + "\n        ceiling: " + ceiling
    }

    private var verdictLine: String {
        let verdict = passed ? "PASS" : "MISS"
        switch kind {
        case .rate:
            let percent = required > 0 ? 100 * measured / required : 0
            return "  \(verdict)  \(name): \(Format.count(measured))/s against \(Format.count(required))/s (\(String(format: "%.0f", percent))% of target)"
        case .latency:
            return "  \(verdict)  \(name): \(Format.millis(measured)) against \(Format.millis(required))"
        case .bytes:
            return "  \(verdict)  \(name): \(Format.count(measured)) bytes against \(Format.count(required)) bytes"
        }
    }

    /// The targets of issue 11, each from this run's references (the latency bounds are the
    /// issue's absolute ones). Figures this run did not measure are left out, never guessed.
    static func all(crypto: CryptoReferences, sqlite: SQLiteReferences, machine: Machine, ledger: LedgerFigures,
                    signing: SigningFigures, reads: ReadFigures, extra: ExtraFigures) -> [TargetCheck] {
        let rawInsert = sqlite.insert.perSecond
        let durable = sqlite.durableCommit.perSecond
        var targets = [
            TargetCheck(name: "batched append (\(ledger.batchSize)/call) >= 0.4 x raw SQLite insert", kind: .rate,
                        measured: ledger.batchedAppend.perSecond, required: 0.4 * rawInsert),
        ]
        if let written = ledger.appendBytesWritten, let raw = sqlite.insertBytesWritten {
            targets.append(TargetCheck(name: "bytes written per appended entry <= 2 x the raw row's", kind: .bytes, measured: written, required: 2 * raw))
        }
        targets += [
            TargetCheck(name: "durable single append >= 0.8 x raw one-row durable commit", kind: .rate,
                        measured: ledger.singleAppend.perSecond, required: 0.8 * durable),
            TargetCheck(name: "durable single append p99 < 5 ms", kind: .latency, measured: ledger.singleLatencies.p99, required: 0.005),
            TargetCheck(name: "\(signing.signers) concurrent signers >= 2 x raw one-row durable commit (in process)", kind: .rate,
                        measured: signing.rate.perSecond, required: 2 * durable),
            TargetCheck(name: "\(signing.signers) concurrent signers p99 < 50 ms (in process)", kind: .latency,
                        measured: signing.latencies.p99, required: SigningFigures.targetP99),
            TargetCheck(name: "full verification >= 0.85 x raw verify x \(machine.coresInUse) cores", kind: .rate,
                        measured: ledger.fullVerify.perSecond, required: 0.85 * crypto.verify.perSecond * Double(machine.coresInUse)),
            TargetCheck(name: "fast verification >= 0.3 x raw SHA-256 (\(crypto.sha256MessageSize)-byte messages, 1 thread)", kind: .rate,
                        measured: ledger.fastVerify.perSecond, required: 0.3 * crypto.sha256.perSecond),
            TargetCheck(name: "sync between two ledgerd on loopback >= 0.4 x raw SQLite insert", kind: .rate,
                        measured: extra.syncEntries.perSecond, required: 0.4 * rawInsert,
                        ceiling: syncCeiling(crypto: crypto, required: 0.4 * rawInsert)),
            TargetCheck(name: "read-model rebuild (\(Format.count(extra.projectionEntries)) signatures) >= 0.5 x raw SQLite insert", kind: .rate,
                        measured: extra.rebuild.perSecond, required: 0.5 * rawInsert),
            TargetCheck(name: "kiosk page p99 < 100 ms while \(Format.count(reads.ingest.count)) entries are ingested", kind: .latency,
                        measured: reads.pageReads.p99, required: ReadFigures.targetP99),
        ]
        return targets
    }

    /// The receiver checks every entry's Ed25519 signature (on every core, docs/PROTOCOL.md), and
    /// both daemons share this machine's cores: no sync is faster than the measured verify on
    /// every core, when that is below the target.
    static func syncCeiling(crypto: CryptoReferences, required: Double) -> String? {
        guard crypto.parallelVerify.perSecond < required else { return nil }
        return "Ed25519 verify alone on \(crypto.threads) threads, one per entry received, runs at \(Format.count(crypto.parallelVerify.perSecond))/s "
            + "(\(String(format: "%.0f", 100 * crypto.parallelVerify.perSecond / required))% of target) on this machine (docs/PERFORMANCE.md, \"Floors\")"
    }
}
