import Foundation
import Ledger

/// One benchmark run: set-up in a temporary directory, the raw references, Ledger's figures, the
/// report, and clean-up. Progress goes to standard error, the report to standard output.
///
/// For example:
/// ```swift
/// let report = try Benchmark(options: BenchOptions()).run()
/// print(report.render())
/// ```
struct Benchmark {
    var options: BenchOptions

    /// Runs every measurement and returns the report; the temporary directory is removed even
    /// when a measurement fails.
    func run() throws -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let machine = Machine.current()
        progress("working in \(directory.path); \(machine.coresInUse) cores in use")
        let workload = try Workload.create(in: directory)

        progress("making \(Format.count(options.entries)) signature entries (seal + body, not timed in any figure)")
        let (items, prepareSeconds) = try Stopwatch.time { try workload.factory.signatures(0..<options.entries) }
        guard let first = items.first else { throw BenchError.referenceFailed("no entries to append") }
        let message = try workload.factory.signedMessage(for: first, author: workload.node.key.publicKey)

        progress("raw references: Ed25519, SHA-256")
        let referencesStart = CPUMeter.Snapshot.now()
        let crypto = try CryptoReferences.measure(message: message, seconds: options.referenceSeconds, threads: machine.coresInUse)
        progress("raw references: SQLite")
        let rawDirectory = directory.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: rawDirectory, withIntermediateDirectories: true)
        let sqlite = try SQLiteReferences.measure(
            rows: options.entries, batchSize: options.batchSize, commits: options.singleAppends, in: rawDirectory)
        let referencesOtherLoad = CPUMeter.otherShare(since: referencesStart)

        progress("Ledger: batched append, full and fast verification, durable appends")
        let ledger = try LedgerFigures.measure(
            workload: workload, items: items, preparation: Rate(count: items.count, seconds: prepareSeconds),
            batchSize: options.batchSize, singles: options.singleAppends)

        let reads = try ReadFigures.measure(
            source: workload.node.store, campaign: workload.factory.campaign,
            directory: directory.appendingPathComponent("reads"), progress: progress)

        let signing = try SigningFigures.measure(directory: directory.appendingPathComponent("signing"), signers: 32,
                                                 perSigner: options.quick ? 10 : 50, progress: progress)

        let extraStart = CPUMeter.Snapshot.now()
        let extra = try ExtraFigures.measure(workload: workload, directory: directory, projectionEntries: options.projectionEntries, progress: progress)
        let extraOtherLoad = CPUMeter.otherShare(since: extraStart)

        // The references again, shorter: a VM whose host is busy can run at half speed for a
        // minute with no other process visible here, and every ratio would then compare a
        // figure with a reference taken at another speed (docs/PERFORMANCE.md, "Running it").
        progress("raw references again, to check that the machine kept its speed")
        let cryptoAtEnd = try CryptoReferences.measure(message: message, seconds: options.referenceSeconds / 2, threads: machine.coresInUse)
        let rawAgain = directory.appendingPathComponent("raw-again")
        try FileManager.default.createDirectory(at: rawAgain, withIntermediateDirectories: true)
        let sqliteAtEnd = try SQLiteReferences.measure(rows: options.entries, batchSize: options.batchSize, commits: 30, in: rawAgain)

        return Report(
            options: options, machine: machine, crypto: crypto, sqlite: sqlite,
            cryptoAtEnd: cryptoAtEnd, sqliteAtEnd: sqliteAtEnd,
            referencesOtherLoad: referencesOtherLoad, ledger: ledger, signing: signing, reads: reads, extra: extra, extraOtherLoad: extraOtherLoad,
            targets: TargetCheck.all(crypto: crypto, sqlite: sqlite, machine: machine, ledger: ledger, signing: signing, reads: reads, extra: extra),
            loadAtEnd: Machine.loadAverages() ?? "unknown", totalSeconds: (clock.now - start).seconds)
    }

    /// Only the reads-while-ingesting figure (`--reads-only`): fills the HQ store with
    /// `--entries` signatures in batches (not timed), then measures reads during their ingest.
    func runReadsOnly() throws -> String {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let machine = Machine.current()
        progress("working in \(directory.path); \(machine.coresInUse) cores in use")
        let (workload, _) = try filledWorkload(in: directory)
        let reads = try ReadFigures.measure(
            source: workload.node.store, campaign: workload.factory.campaign,
            directory: directory.appendingPathComponent("reads"), progress: progress)
        let lines = [
            "Ledger benchmark, reads only: \(Format.count(options.entries)) entries",
            "Machine: \(machine.cpuModel), \(machine.onlineCores) cores online; load average \(machine.loadAverage) at start, \(Machine.loadAverages() ?? "unknown") at end",
            "",
        ] + reads.render(ingested: try workload.node.store.entryCount())
        return lines.joined(separator: "\n")
    }

    /// Only the concurrent-signing figure (`--signing-only N`), with the raw one-row durable
    /// commit it is compared with measured first: a figure long enough to profile.
    func runSigningOnly() throws -> String {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let machine = Machine.current()
        progress("working in \(directory.path); \(machine.coresInUse) cores in use")
        let rawDirectory = directory.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: rawDirectory, withIntermediateDirectories: true)
        let sqlite = try SQLiteReferences.measure(rows: 1_000, batchSize: 1_000, commits: options.singleAppends, in: rawDirectory)
        let signing = try SigningFigures.measure(directory: directory.appendingPathComponent("signing"), signers: 32,
                                                 perSigner: options.signingPerSigner, progress: progress)
        progress("the cryptography of one signing alone")
        let crypto = try SigningFigures.cryptoCeiling(seconds: options.referenceSeconds)
        let each = 1 / crypto.seal.perSecond + 1 / crypto.sign.perSecond
        let ceiling = Double(machine.coresInUse) / each
        let lines = [
            "Ledger benchmark, concurrent signing only: 32 signers, \(Format.count(options.signingPerSigner)) signatures each",
            "Machine: \(machine.cpuModel), \(machine.onlineCores) cores online; load average \(machine.loadAverage) at start, \(Machine.loadAverages() ?? "unknown") at end",
            "SQLite one-row durable commit \(Format.count(sqlite.durableCommit.perSecond)) /s",
            "",
        ] + signing.render(durableCommit: sqlite.durableCommit.perSecond) + [
            "  the cryptography alone, 1 thread: HPKE seal \(String(format: "%.1f", 1e6 / crypto.seal.perSecond)) µs, Ed25519 sign \(String(format: "%.1f", 1e6 / crypto.sign.perSecond)) µs;"
                + " on \(machine.coresInUse) cores at most \(Format.count(ceiling)) signings/s = \(Format.ratio(ceiling / sqlite.durableCommit.perSecond)) raw durable commit with no store work at all (target 2x)",
        ]
        return lines.joined(separator: "\n")
    }

    /// Only the durable single append (`--durable-only N`): fills the HQ store with `--entries`
    /// signatures in batches (not timed), then times N appends of one entry each, with the raw
    /// one-row durable commit they are compared with measured first: long enough to profile.
    func runDurableOnly() throws -> String {
        let directory = try Self.scratchDirectory()
        // LEDGER_BENCH_KEEP=1 keeps the store, to look at what a commit writes (docs/PERFORMANCE.md).
        let keep = ProcessInfo.processInfo.environment["LEDGER_BENCH_KEEP"] == "1"
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let machine = Machine.current()
        progress("working in \(directory.path); \(machine.coresInUse) cores in use")
        let rawDirectory = directory.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: rawDirectory, withIntermediateDirectories: true)
        let sqlite = try SQLiteReferences.measure(rows: 1_000, batchSize: 1_000, commits: options.singleAppends, in: rawDirectory)
        let (workload, _) = try filledWorkload(in: directory)
        let parts = try (0..<options.singleAppends).map { try workload.factory.parts(options.entries + $0) }
        progress("timing \(Format.count(parts.count)) durable appends")
        let store = workload.node.store
        var latencies: [Double] = []
        let start = CPUMeter.Snapshot.now()
        let bytesBefore = IOMeter.bytesWritten()
        let (_, seconds) = try Stopwatch.time {
            for (body, payload) in parts {
                let (_, one) = try Stopwatch.time { try store.append(body, payload: payload, signer: workload.node.key) }
                latencies.append(one)
            }
        }
        let rate = Rate(count: parts.count, seconds: seconds)
        let spread = Latencies(latencies)
        let written = IOMeter.perOperation(since: bytesBefore, operations: parts.count).map { "\(Format.count($0)) B written each" } ?? "bytes written unknown"
        let end = CPUMeter.Snapshot.now()
        let cpu = (end.ownCPU - start.ownCPU) / Double(parts.count) * 1e6
        return [
            "Ledger benchmark, durable append only: \(Format.count(parts.count)) appends on a store of \(Format.count(options.entries)) signatures",
            "Machine: \(machine.cpuModel), \(machine.onlineCores) cores online; load average \(machine.loadAverage) at start, \(Machine.loadAverages() ?? "unknown") at end",
            "SQLite one-row durable commit \(Format.count(sqlite.durableCommit.perSecond)) /s, p50 \(Format.millis(sqlite.durableLatencies.p50)), p99 \(Format.millis(sqlite.durableLatencies.p99))",
            "durable append \(Format.count(rate.perSecond)) /s, \(Format.ratio(rate.perSecond / sqlite.durableCommit.perSecond)) raw durable commit; p50 \(Format.millis(spread.p50)), p99 \(Format.millis(spread.p99)); \(written); CPU \(Format.count(cpu)) µs each (user + system); other processes \(Format.percent(CPUMeter.otherShare(since: start, until: end)))",
        ].joined(separator: "\n")
    }

    /// `--rebuild-only N`: the read-model rebuild alone (``ExtraFigures/measureRebuild``'s log of N
    /// signatures), three times, each with its CPU time, against the raw SQLite insert measured
    /// before and after.
    func runRebuildOnly() throws -> String {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let machine = Machine.current()
        progress("working in \(directory.path); \(machine.coresInUse) cores in use")
        let before = try SQLiteReferences.measure(rows: 100_000, batchSize: 1_000, commits: 10, in: try Self.subdirectory("raw", of: directory))
        let node = try ExtraFigures.projectionStore(entries: options.projectionEntries, directory: directory.appendingPathComponent("projection"), progress: progress)
        var lines: [String] = []
        var rates: [Double] = []
        let otherStart = CPUMeter.Snapshot.now()
        for run in 1...3 {
            progress("rebuild \(run) of 3")
            let start = CPUMeter.Snapshot.now()
            let (projected, seconds) = try Stopwatch.time { try node.store.rebuildReadModels() }
            let cpu = (CPUMeter.Snapshot.now().ownCPU - start.ownCPU) / Double(projected) * 1e6
            let rate = Rate(count: projected, seconds: seconds)
            rates.append(rate.perSecond)
            lines.append("  rebuild \(run): \(Format.count(rate.perSecond)) entries/s, \(String(format: "%.2f", seconds)) s; CPU \(String(format: "%.1f", cpu)) µs per entry (user + system)")
        }
        let other = CPUMeter.otherShare(since: otherStart)
        let after = try SQLiteReferences.measure(rows: 100_000, batchSize: 1_000, commits: 10, in: try Self.subdirectory("raw-again", of: directory))
        let median = rates.sorted()[1]
        let raw = (before.insert.perSecond + after.insert.perSecond) / 2
        return ([
            "Ledger benchmark, read-model rebuild only: \(Format.count(options.projectionEntries)) signature entries, 3 runs",
            "Machine: \(machine.cpuModel), \(machine.onlineCores) cores online; load average \(machine.loadAverage) at start, \(Machine.loadAverages() ?? "unknown") at end",
            "SQLite insert, 300-byte rows, 1,000/transaction: \(Format.count(before.insert.perSecond)) rows/s before, \(Format.count(after.insert.perSecond)) after",
        ] + lines + [
            "median \(Format.count(median)) /s = \(Format.ratio(median / raw)) raw SQLite insert (the mean of before and after; target 0.5x); other processes \(Format.percent(other))",
        ]).joined(separator: "\n")
    }

    /// `--verify-only N`: the full verification alone, three times over a store of N signature
    /// entries appended untimed, each with its CPU time, against the Ed25519 verify references
    /// measured before and after (one thread, and every core).
    func runVerifyOnly() throws -> String {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let machine = Machine.current()
        progress("working in \(directory.path); \(machine.coresInUse) cores in use")
        let (workload, items) = try filledWorkload(in: directory)
        guard let first = items.first else { throw BenchError.referenceFailed("no entries to verify") }
        let message = try workload.factory.signedMessage(for: first, author: workload.node.key.publicKey)
        let before = try CryptoReferences.measure(message: message, seconds: options.referenceSeconds, threads: machine.coresInUse)
        let auditor = Auditor(store: workload.node.store)
        var lines: [String] = []
        var rates: [Double] = []
        let otherStart = CPUMeter.Snapshot.now()
        for run in 1...3 {
            progress("full verification \(run) of 3")
            let start = CPUMeter.Snapshot.now()
            let (report, seconds) = try Stopwatch.time { try auditor.run(mode: .full) }
            guard report.intact else { throw BenchError.auditFailed("the audit found \(report.faults.count) faults") }
            let cpu = CPUMeter.Snapshot.now().ownCPU - start.ownCPU
            let rate = Rate(count: report.entries, seconds: seconds)
            rates.append(rate.perSecond)
            lines.append("  full verification \(run): \(Format.count(rate.perSecond)) entries/s, \(String(format: "%.2f", seconds)) s; CPU \(String(format: "%.1f", cpu / Double(report.entries) * 1e6)) µs per entry, \(String(format: "%.2f", cpu / seconds)) cores busy")
        }
        let other = CPUMeter.otherShare(since: otherStart)
        let after = try CryptoReferences.measure(message: message, seconds: options.referenceSeconds, threads: machine.coresInUse)
        let median = rates.sorted()[1]
        let verify = (before.verify.perSecond + after.verify.perSecond) / 2
        let parallel = (before.parallelVerify.perSecond + after.parallelVerify.perSecond) / 2
        return ([
            "Ledger benchmark, full verification only: \(Format.count(options.entries)) signature entries, 3 runs",
            "Machine: \(machine.cpuModel), \(machine.onlineCores) cores online; load average \(machine.loadAverage) at start, \(Machine.loadAverages() ?? "unknown") at end",
            "Ed25519 verify, 1 thread: \(Format.count(before.verify.perSecond)) /s before, \(Format.count(after.verify.perSecond)) after (\(String(format: "%.1f", 1e6 / verify)) µs each); \(machine.coresInUse) threads: \(Format.count(before.parallelVerify.perSecond)) /s before, \(Format.count(after.parallelVerify.perSecond)) after",
        ] + lines + [
            "median \(Format.count(median)) /s = \(Format.ratio(median / (verify * Double(machine.coresInUse)))) raw verify x \(machine.coresInUse) (target 0.85x), \(Format.ratio(median / parallel)) measured \(machine.coresInUse)-thread verify (the means of before and after); other processes \(Format.percent(other))",
        ]).joined(separator: "\n")
    }

    /// A new workload in `directory` whose store holds `--entries` signature entries, appended
    /// in batches of `--batch` (not timed), and those entries.
    private func filledWorkload(in directory: URL) throws -> (Workload, [Appendable]) {
        let workload = try Workload.create(in: directory)
        progress("making and appending \(Format.count(options.entries)) signature entries (not timed)")
        let items = try workload.factory.signatures(0..<options.entries)
        for start in stride(from: 0, to: items.count, by: options.batchSize) {
            _ = try workload.node.store.appendBatch(Array(items[start..<min(items.count, start + options.batchSize)]), signer: workload.node.key)
        }
        return (workload, items)
    }

    /// `directory/name`, created.
    static func subdirectory(_ name: String, of directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A new, empty temporary directory for one run; the caller removes it.
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-bench-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("ledger-bench: \(message)\n".utf8))
    }
}
