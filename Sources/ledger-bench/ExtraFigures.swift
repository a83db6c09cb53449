import Foundation
import Ledger

/// The read-model and sync figures (issues "Read models" and "Sync"): a rebuild of the read
/// models from a log of signature entries, against the raw SQLite insert rate; and a sync of the
/// main run's store from a real ledgerd on loopback to a fresh node, against the fast
/// verification rate measured in the same run.
struct ExtraFigures: Sendable {
    /// `LedgerStore.rebuildReadModels()` over ``projectionEntries`` signature entries.
    var rebuild: Rate
    var projectionEntries: Int
    /// Entries pulled by `SyncClient` from a running ledgerd, entries only (payloads after).
    var syncEntries: Rate
    /// The whole sync, payloads included.
    var syncTotal: Rate
    /// Bytes received during the whole sync.
    var syncBytes: Int
    var syncPayloads: Int

    static func measure(workload: Workload, directory: URL, projectionEntries: Int, progress: (String) -> Void) throws -> ExtraFigures {
        progress("read models: making a log of \(Format.count(projectionEntries)) signature entries for the rebuild")
        let (rebuild, count) = try measureRebuild(entries: projectionEntries, directory: directory.appendingPathComponent("projection"), progress: progress)
        progress("sync: serving the main store with ledgerd on loopback, pulling it into a fresh node")
        let sync = try measureSync(workload: workload, directory: directory.appendingPathComponent("sync"))
        return ExtraFigures(rebuild: rebuild, projectionEntries: count, syncEntries: sync.entries, syncTotal: sync.total,
                            syncBytes: sync.bytes, syncPayloads: sync.payloads)
    }

    /// Builds a store of `entries` signature entries in one campaign (the last tenth by signers who
    /// signed before: duplicates), then times a full rebuild of its read models.
    static func measureRebuild(entries: Int, directory: URL, progress: (String) -> Void) throws -> (Rate, Int) {
        let node = try projectionStore(entries: entries, directory: directory, progress: progress)
        progress("read models: rebuilding from \(Format.count(entries + 2)) entries")
        let (projected, seconds) = try Stopwatch.time { try node.store.rebuildReadModels() }
        return (Rate(count: projected, seconds: seconds), projected)
    }

    /// An HQ holding `entries` signature entries in one campaign, the last tenth by signers who
    /// signed before (duplicates): the log the rebuild figure projects.
    static func projectionStore(entries: Int, directory: URL, progress: (String) -> Void) throws -> LedgerNode {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let node = try LedgerNode.createHQ(at: directory.appendingPathComponent("hq").path, name: "Projection benchmark")
        let text = CampaignText(title: "Benchmark", summary: "Benchmark", body: "Benchmark", demands: ["Count"], letter: nil)
        let version = try node.publish(CampaignPublished(campaign: "bench", languages: ["en"], texts: ["en": text], goal: nil, deadline: nil))
        try SignatureLog(campaigns: [("bench", version.id.hex)], signer: { $0 % (entries * 9 / 10 + 1) }, payloadBytes: 49)
            .append(entries, to: node, label: "read models", progress: progress)
        return node
    }

    struct SyncResult {
        var entries: Rate
        var total: Rate
        var bytes: Int
        var payloads: Int
    }

    /// Serves the workload's store with the release `ledgerd` (next to this binary) on a free
    /// loopback port, and times a `SyncClient` pulling everything into a fresh field node.
    static func measureSync(workload: Workload, directory: URL) throws -> SyncResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ledgerd")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchError.referenceFailed("\(binary.path) is missing: build it with `swift build -c release --product ledgerd` (make bench does)")
        }
        let hq = workload.node
        let fresh = try ServedHQ.freshLaptop(of: hq, at: directory.appendingPathComponent("fresh").path)
        let served = try ServedHQ(hq, ledgerd: binary)
        defer { served.stop() }
        let url = served.url
        let client = try SyncClient(node: fresh, peer: url)
        let started = Date()
        let pullEnded = FirstTime()
        let report = try client.syncWaiting { progress in
            if progress.phase != "pull" { pullEnded.set(Date().timeIntervalSince(started)) }
        }
        let entriesDone = pullEnded.value
        let total = Date().timeIntervalSince(started)
        guard try fresh.store.entryCount() == (try hq.store.entryCount()) else {
            throw BenchError.referenceFailed("the fresh node holds \(try fresh.store.entryCount()) entries after the sync")
        }
        return SyncResult(entries: Rate(count: report.pulled, seconds: entriesDone ?? total), total: Rate(count: report.pulled, seconds: total),
                          bytes: report.bytesIn, payloads: report.payloadsIn)
    }
}

/// The first value set, from any thread (the sync's progress reports come from its task).
private final class FirstTime: @unchecked Sendable {
    // @unchecked: `first` is only touched under `lock`.
    private let lock = NSLock()
    private var first: Double?

    func set(_ value: Double) { lock.withLock { if first == nil { first = value } } }
    var value: Double? { lock.withLock { first } }
}

/// An HQ's data folder served by the release `ledgerd` on a free loopback port, for the sync
/// figures; `stop()` ends it.
final class ServedHQ {
    let process = Process()
    let url: URL

    init(_ hq: LedgerNode, ledgerd binary: URL) throws {
        process.executableURL = binary
        process.arguments = ["--data", hq.folder.path, "--listen", "127.0.0.1:0"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        do {
            url = try Self.readServingURL(from: stderr, within: 30)
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        // Keep draining ledgerd's request log so that it never blocks on a full pipe.
        Thread.detachNewThread {
            while !stderr.fileHandleForReading.availableData.isEmpty {}
        }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// A field laptop invited and enrolled by `hq`, holding nothing yet, at `path`.
    static func freshLaptop(of hq: LedgerNode, at path: String) throws -> LedgerNode {
        let token = try hq.invite(name: "Benchmark laptop", role: .field, url: "http://127.0.0.1:1")
        let fresh = try LedgerNode.createFromToken(at: path, token: token)
        try hq.enrol(device: fresh.key.publicKey, name: "Benchmark laptop")
        return fresh
    }

    static func readServingURL(from pipe: Pipe, within seconds: Double) throws -> URL {
        let deadline = Date().addingTimeInterval(seconds)
        var text = ""
        let handle = pipe.fileHandleForReading
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "Serving http://") {
                let rest = text[range.lowerBound...].dropFirst("Serving ".count)
                let address = rest.prefix { !$0.isWhitespace }
                if let url = URL(string: String(address)), text[range.upperBound...].contains(where: \.isWhitespace) { return url }
            }
        }
        throw BenchError.referenceFailed("ledgerd did not report its address: \(text.suffix(300))")
    }
}
