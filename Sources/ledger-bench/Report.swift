import Foundation

/// The printed result of one run: machine, raw references, Ledger's figures with their ratios to
/// those references, and the targets as PASS or MISS.
struct Report {
    var options: BenchOptions
    var machine: Machine
    var crypto: CryptoReferences
    var sqlite: SQLiteReferences
    /// The same references measured again at the end of the run (shorter), to tell a run on a
    /// machine that changed speed part-way from a steady one.
    var cryptoAtEnd: CryptoReferences?
    var sqliteAtEnd: SQLiteReferences?
    /// Share of all cores other processes kept busy while the references were measured.
    var referencesOtherLoad: Double?
    var ledger: LedgerFigures
    /// 32 signers at once, group commit.
    var signing: SigningFigures
    /// A kiosk page read while a large ingest runs.
    var reads: ReadFigures
    /// Read-model rebuild and loopback sync.
    var extra: ExtraFigures
    var extraOtherLoad: Double?
    var targets: [TargetCheck]
    /// Load averages when the run ended.
    var loadAtEnd: String
    /// Seconds the whole run took, set-up and clean-up included.
    var totalSeconds: Double

    /// The report as plain text, one figure per line.
    func render() -> String {
        var lines: [String] = []
        let cores = machine.coresInUse
        let rawParallel = crypto.verify.perSecond * Double(cores)
        lines.append("Ledger benchmark: \(Format.count(options.entries)) entries in batches of \(Format.count(ledger.batchSize)), \(Format.count(options.singleAppends)) durable appends\(options.quick ? " (--quick)" : "")")
        lines.append("Machine: \(machine.cpuModel), \(machine.onlineCores) cores online, \(cores) in use by Ledger; load average \(machine.loadAverage) at start, \(loadAtEnd) at end")
        lines.append("")
        lines.append("Raw references (measured in this run, on this machine)")
        lines.append(row("Ed25519 sign, 1 thread (\(crypto.signedMessageSize)-byte message)", crypto.sign.perSecond, "/s"))
        lines.append(row("Ed25519 verify, 1 thread", crypto.verify.perSecond, "/s"))
        lines.append(row("Ed25519 verify, \(crypto.threads) threads", crypto.parallelVerify.perSecond, "/s",
                         "\(Format.ratio(crypto.parallelVerify.perSecond / crypto.verify.perSecond)) one thread"))
        lines.append(row("SHA-256, \(crypto.sha256MessageSize)-byte messages, 1 thread", crypto.sha256.perSecond, "/s",
                         String(format: "%.1f MB/s", crypto.sha256MegabytesPerSecond)))
        lines.append(row("SQLite insert, \(sqlite.rowSize)-byte rows, \(Format.count(sqlite.batchSize))/transaction", sqlite.insert.perSecond, "rows/s",
                         Format.bytes(sqlite.insertBytesWritten, per: "row")))
        lines.append(row("SQLite scan in (author, sequence) order", sqlite.scan.perSecond, "rows/s"))
        lines.append(row("SQLite one-row durable commit", sqlite.durableCommit.perSecond, "/s",
                         "p50 \(Format.millis(sqlite.durableLatencies.p50)), p99 \(Format.millis(sqlite.durableLatencies.p99))"))
        lines.append(row("cores in use (ParallelSignatures.workers)", Double(cores), ""))
        lines.append("")
        lines.append("Ledger (entries of \(ledger.entrySize) bytes: \(ledger.bodySize)-byte body; sealed payload \(ledger.payloadSize) bytes)")
        lines.append(row("batched append (appendBatch, \(Format.count(ledger.batchSize))/call)", ledger.batchedAppend.perSecond, "/s",
                         "\(Format.ratio(ledger.batchedAppend.perSecond / crypto.sign.perSecond)) raw sign; \(Format.ratio(ledger.batchedAppend.perSecond / sqlite.insert.perSecond)) raw SQLite insert; \(Format.bytes(ledger.appendBytesWritten, per: "entry"))"))
        lines.append(row("  first tenth of the batches", ledger.firstTenthAppend.perSecond, "/s"))
        lines.append(row("  last tenth of the batches", ledger.lastTenthAppend.perSecond, "/s"))
        lines.append(row("durable append (append, 1/transaction)", ledger.singleAppend.perSecond, "/s",
                         "\(Format.ratio(ledger.singleAppend.perSecond / sqlite.durableCommit.perSecond)) raw durable commit; p50 \(Format.millis(ledger.singleLatencies.p50)), p99 \(Format.millis(ledger.singleLatencies.p99))"))
        lines.append(row("full verification (Auditor, .full)", ledger.fullVerify.perSecond, "/s",
                         "\(Format.ratio(ledger.fullVerify.perSecond / rawParallel)) raw verify x \(cores) (\(Format.count(rawParallel))/s); \(Format.ratio(ledger.fullVerify.perSecond / crypto.parallelVerify.perSecond)) measured \(crypto.threads)-thread verify"))
        lines.append(row("fast verification (Auditor, .fast, median of \(ledger.fastRuns.count))", ledger.fastVerify.perSecond, "/s",
                         "\(Format.ratio(ledger.fastVerify.perSecond / crypto.sha256.perSecond)) raw SHA-256; \(Format.ratio(ledger.fastVerify.perSecond / sqlite.scan.perSecond)) raw SQLite scan"))
        lines.append("  fast runs: " + ledger.fastRuns.map { Format.count($0.perSecond) + "/s" }.joined(separator: ", "))
        lines.append(row("(not timed: making entries, seal + body, \(cores) threads)", ledger.preparation.perSecond, "/s"))
        lines.append("  verified \(Format.count(ledger.fullVerify.count)) entries (\(Format.count(ledger.fullSignaturesChecked)) signatures in full mode); both audits intact")
        lines.append("")
        lines.append("Other processes' share of the \(machine.onlineCores) cores: references \(Format.percent(referencesOtherLoad)), batched append \(Format.percent(ledger.appendOtherLoad)), verification \(Format.percent(ledger.verifyOtherLoad)), durable appends \(Format.percent(ledger.singleOtherLoad))")
        let loads = [referencesOtherLoad, ledger.appendOtherLoad, ledger.verifyOtherLoad, ledger.singleOtherLoad].compactMap { $0 }
        if loads.contains(where: { $0 > 0.10 }) {
            lines.append("WARNING: other processes used more than 10% of the machine during part of this run; those figures are low. Rerun on a quiet machine.")
        }
        lines.append(contentsOf: steadiness())
        lines.append("")
        lines.append("Targets")
        for target in targets { lines.append(target.line) }
        let misses = targets.filter { !$0.passed }.count
        lines.append("  \(targets.count - misses) of \(targets.count) targets met")
        lines.append("")
        lines.append("")
        lines.append(contentsOf: signing.render(durableCommit: sqlite.durableCommit.perSecond))
        lines.append("")
        lines.append(contentsOf: reads.render(ingested: ledger.batchedAppend.count + 2))
        lines.append("")
        lines.append("Read models and sync")
        let rawInsert = sqlite.insert.perSecond
        let rebuild = extra.rebuild.perSecond
        lines.append(row("rebuild read models (\(Format.count(extra.projectionEntries)) signature entries)", rebuild, "/s",
                         String(format: "%.2fx raw SQLite insert", rawInsert > 0 ? rebuild / rawInsert : 0)))
        let fast = ledger.fastVerify.perSecond
        let syncRate = extra.syncEntries.perSecond
        lines.append(row("sync from ledgerd on loopback, entries (\(Format.count(extra.syncEntries.count)))", syncRate, "/s",
                         String(format: "%.2fx fast verification", fast > 0 ? syncRate / fast : 0)))
        lines.append(row("  whole sync, \(Format.count(extra.syncPayloads)) payloads too", extra.syncTotal.perSecond, "/s",
                         String(format: "%.1f MB/s received", extra.syncTotal.seconds > 0 ? Double(extra.syncBytes) / extra.syncTotal.seconds / 1_000_000 : 0)))
        if let load = extraOtherLoad { lines.append(String(format: "  other processes' share of the cores meanwhile: %.0f%%", load * 100)) }
        lines.append("")
        lines.append(String(format: "Run took %.0f s.", totalSeconds))
        return lines.joined(separator: "\n")
    }

    /// The largest change allowed between the references at the start and at the end.
    static let steadyDrift = 0.10

    /// The references at the end against those at the start, and a warning when one moved by
    /// more than ``steadyDrift``.
    func steadiness() -> [String] {
        guard let cryptoAtEnd, let sqliteAtEnd else { return [] }
        let pairs: [(String, Double, Double)] = [
            ("Ed25519 verify", crypto.verify.perSecond, cryptoAtEnd.verify.perSecond),
            ("SHA-256", crypto.sha256.perSecond, cryptoAtEnd.sha256.perSecond),
            ("SQLite insert", sqlite.insert.perSecond, sqliteAtEnd.insert.perSecond),
        ]
        let parts = pairs.map { name, start, end in "\(name) \(Format.count(end))/s (\(Format.percent(start > 0 ? end / start : nil)) of the start)" }
        var lines = ["References again at the end: " + parts.joined(separator: ", ")]
        // --quick's loops are too short to compare.
        if !options.quick, pairs.contains(where: { _, start, end in start <= 0 || abs(end / start - 1) > Self.steadyDrift }) {
            lines.append("WARNING: this machine's speed changed during the run (a reference moved by more than \(Format.percent(Self.steadyDrift))); ratios to the references taken at the start are unreliable. Rerun.")
        }
        return lines
    }

    private func row(_ label: String, _ value: Double, _ unit: String, _ note: String = "") -> String {
        let padded = label.padding(toLength: max(label.count, 52), withPad: " ", startingAt: 0)
        let number = Format.count(value)
        let column = String(repeating: " ", count: max(0, 11 - number.count)) + number
        let unitColumn = unit.padding(toLength: 7, withPad: " ", startingAt: 0)
        let line = "  \(padded)\(column) \(unitColumn)" + (note.isEmpty ? "" : "  " + note)
        return String(line.reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// Number formatting that does not depend on the locale.
enum Format {
    /// A whole number with comma thousands separators: 1234567.8 -> "1,234,568".
    static func count(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        return count(Int(value.rounded()))
    }

    /// A whole number with comma thousands separators.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// A ratio as "0.45x".
    static func ratio(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2fx", value) : "n/a"
    }

    /// A share as a whole percentage: 0.034 -> "3%"; "n/a" when unknown.
    static func percent(_ share: Double?) -> String {
        guard let share else { return "n/a" }
        return String(format: "%.0f%%", share * 100)
    }

    /// Bytes written per operation: "4,210 B written/entry"; empty when unknown.
    static func bytes(_ value: Double?, per operation: String) -> String {
        guard let value else { return "" }
        return "\(count(value)) B written/\(operation)"
    }

    /// Seconds as milliseconds: "2.31 ms".
    static func millis(_ seconds: Double) -> String {
        String(format: "%.2f ms", seconds * 1000)
    }
}
