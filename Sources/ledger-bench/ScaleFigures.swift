import Foundation
import Ledger

/// `ledger-bench --scale N` (`make bench-scale`: 10,000,000): an HQ of N signature entries, then
/// what its operator runs, each as a real child process: `status`, `stats` and `campaign list`
/// (wall time, target < 100 ms each), full verification, a read-model rebuild, and a sync of
/// everything into a fresh laptop from ledgerd on loopback (peak resident memory of each process,
/// target < 1 GiB); and the bytes on disk per entry.
struct ScaleFigures {
    /// The signature entries the HQ holds (besides the genesis, campaigns and enrolment).
    let entries: Int
    let directory: URL
    let progress: (String) -> Void
    /// True to measure the HQ a run before built and kept in `directory` (`--scale-from DIR`)
    /// instead of building one: the build figure is then not measured.
    var reuse = false

    static let campaigns = 10
    static let queryBound = 0.100
    static let memoryBound = 1 << 30

    struct Measured {
        /// Nil when the HQ was reused (`--scale-from`).
        var build: Rate?
        var storeBytes: Int
        var storedEntries: Int
        var queries: [(command: String, runs: [ChildRun])] = []
        var verify: ChildRun?
        var rebuild: ChildRun?
        var sync: ChildRun?
        var syncServerPeak: Int?
        var syncedEntries = 0
    }

    func run() throws -> String {
        let tools = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let ledgerctl = tools.appendingPathComponent("ledgerctl").path
        let ledgerd = tools.appendingPathComponent("ledgerd").path
        for binary in [ledgerctl, ledgerd] where !FileManager.default.isExecutableFile(atPath: binary) {
            throw BenchError.referenceFailed("\(binary) is missing: build it in release mode (make bench-scale does)")
        }
        let hqPath = directory.appendingPathComponent("hq").path
        let hq: LedgerNode
        var measured: Measured
        if reuse {
            hq = try LedgerNode.open(at: hqPath)
            measured = try Self.size(of: hq, build: nil)
            progress("scale: measuring the HQ kept in \(hqPath): \(Format.count(measured.storedEntries)) entries")
        } else {
            hq = try LedgerNode.createHQ(at: hqPath, name: "Scale benchmark")
            measured = try build(hq)
        }
        // Each figure is printed as soon as it is measured: a run of hours that is stopped
        // keeps what it measured.
        progress("scale: result: \(Self.bytesLine(measured))")

        for command in [["status"], ["stats"], ["campaign", "list"]] {
            progress("scale: ledgerctl \(command.joined(separator: " ")), three runs")
            let runs = try (0..<3).map { _ in try ChildRun.run(ledgerctl, ["--data", hqPath] + command).checked("ledgerctl \(command.joined(separator: " "))") }
            measured.queries.append((command.joined(separator: " "), runs))
            progress("scale: result: ledgerctl \(command.joined(separator: " ")): " + runs.map { Format.millis($0.seconds) }.joined(separator: ", "))
        }
        progress("scale: ledgerctl verify --full")
        let verify = try ChildRun.run(ledgerctl, ["--data", hqPath, "verify", "--full"]).checked("ledgerctl verify --full")
        measured.verify = verify
        progress("scale: result: ledgerctl verify --full: \(Self.timeAndPeak(verify))")
        progress("scale: ledgerctl rebuild")
        let rebuild = try ChildRun.run(ledgerctl, ["--data", hqPath, "rebuild"]).checked("ledgerctl rebuild")
        measured.rebuild = rebuild
        progress("scale: result: ledgerctl rebuild: \(Self.timeAndPeak(rebuild))")
        progress("scale: a fresh laptop syncs everything from ledgerd on loopback")
        try sync(hq, ledgerd: ledgerd, ledgerctl: ledgerctl, into: &measured)
        return render(measured)
    }

    /// The store's entries and bytes on disk, its WAL checkpointed first.
    private static func size(of hq: LedgerNode, build: Rate?) throws -> Measured {
        try RawDatabase(path: hq.store.path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let stored = try hq.store.entryCount()
        let bytes = ["", "-wal", "-shm"].reduce(0) { sum, suffix in
            sum + ((try? FileManager.default.attributesOfItem(atPath: hq.store.path + suffix)[.size] as? Int) ?? 0)
        }
        return Measured(build: build, storeBytes: bytes, storedEntries: stored)
    }

    private static func timeAndPeak(_ run: ChildRun) -> String {
        "\(Format.count(run.seconds)) s, peak memory \(String(format: "%.0f MiB", Double(run.maxResident) / 1_048_576))"
    }

    private static func bytesLine(_ measured: Measured) -> String {
        "\(Format.count(measured.storedEntries)) entries, \(Format.count(Double(measured.storeBytes) / Double(max(1, measured.storedEntries)))) B on disk per entry"
            + (measured.build.map { ", built at \(Format.count($0.perSecond))/s" } ?? "")
    }

    /// Appends the signatures (``SignatureLog``: bodies as a kiosk makes them, payloads random bytes
    /// of a sealed payload's size).
    private func build(_ hq: LedgerNode) throws -> Measured {
        let text = CampaignText(title: "Scale", summary: "Scale", body: "Scale", demands: ["Count"], letter: nil)
        var versions: [String] = []
        for index in 0..<Self.campaigns {
            versions.append(try hq.publish(CampaignPublished(campaign: "scale-\(index)", languages: ["en"], texts: ["en": text], goal: nil, deadline: nil)).id.hex)
        }
        let started = Date()
        try SignatureLog(campaigns: (0..<Self.campaigns).map { ("scale-\($0)", versions[$0]) }, reportEvery: 30)
            .append(entries, to: hq, label: "scale", progress: progress)
        let seconds = Date().timeIntervalSince(started)
        return try Self.size(of: hq, build: Rate(count: entries, seconds: seconds))
    }

    private func sync(_ hq: LedgerNode, ledgerd: String, ledgerctl: String, into measured: inout Measured) throws {
        let freshPath = directory.appendingPathComponent("fresh").path
        // A run stopped during its sync left a laptop behind.
        if reuse { try? FileManager.default.removeItem(atPath: freshPath) }
        let fresh = try ServedHQ.freshLaptop(of: hq, at: freshPath)
        let served = try ServedHQ(hq, ledgerd: URL(fileURLWithPath: ledgerd))
        defer { served.stop() }
        let url = served.url
        measured.sync = try ChildRun.run(ledgerctl, ["--data", freshPath, "sync", url.absoluteString]).checked("ledgerctl sync")
        measured.syncServerPeak = peakResident(of: served.process.processIdentifier)
        measured.syncedEntries = try LedgerStore.open(at: fresh.store.path).entryCount()
    }

    private func render(_ measured: Measured) -> String {
        var lines: [String] = []
        var targets: [String] = []
        func check(_ met: Bool, _ text: String) { targets.append("  \(met ? "PASS" : "MISS")  \(text)") }
        func mebibytes(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }

        if let build = measured.build {
            lines.append("Scale: an HQ of \(Format.count(measured.storedEntries)) entries (\(Format.count(entries)) signatures in \(Self.campaigns) campaigns)")
            lines.append("  built by appendBatch (5,000/call)        \(Format.count(build.perSecond)) /s   \(Format.count(build.seconds)) s")
        } else {
            lines.append("Scale: the HQ of \(Format.count(measured.storedEntries)) entries kept by an earlier run (--scale-from; its build not measured here)")
        }
        lines.append("  bytes on disk per entry                  \(Format.count(Double(measured.storeBytes) / Double(max(1, measured.storedEntries)))) B   (\(mebibytes(measured.storeBytes)) in all, WAL checkpointed)")
        for (command, runs) in measured.queries {
            let times = runs.map(\.seconds).sorted()
            let median = times[times.count / 2]
            lines.append("  ledgerctl \(command.padding(toLength: 16, withPad: " ", startingAt: 0))            median \(Format.millis(median)), max \(Format.millis(times.last ?? 0)); peak memory \(mebibytes(runs.map(\.maxResident).max() ?? 0))")
            check(median < Self.queryBound, "ledgerctl \(command) < 100 ms (whole process, median of 3): \(Format.millis(median))")
        }
        for (name, run) in [("verify --full", measured.verify), ("rebuild", measured.rebuild), ("sync (the laptop)", measured.sync)] {
            guard let run else { continue }
            lines.append("  ledgerctl \(name.padding(toLength: 18, withPad: " ", startingAt: 0))          \(Format.count(run.seconds)) s; peak memory \(mebibytes(run.maxResident))")
            check(run.maxResident < Self.memoryBound, "resident memory < 1 GiB during ledgerctl \(name): \(mebibytes(run.maxResident))")
        }
        if let peak = measured.syncServerPeak {
            lines.append("  ledgerd serving that sync                 peak memory \(mebibytes(peak)); the laptop received \(Format.count(measured.syncedEntries)) entries")
            check(peak < Self.memoryBound, "resident memory < 1 GiB in ledgerd serving the sync: \(mebibytes(peak))")
        }
        return (lines + ["", "Targets"] + targets).joined(separator: "\n")
    }
}
