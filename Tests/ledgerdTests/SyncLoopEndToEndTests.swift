import Foundation
import Ledger
import Testing

@testable import ledgerd

/// ledgerd's own sync loop, with real processes: startup sync, the interval, backoff, shutdown.
@Suite("ledgerd's sync loop, end to end", .timeLimit(.minutes(2)))
struct SyncLoopEndToEndTests {
    @Test("a laptop enrolled offline gets HQ's log at start, then pushes what it signs; SIGTERM stops it at once")
    func laptopWithoutLedgerSyncs() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            // `ledgerctl init --join TOKEN --offline` at the laptop, `ledgerctl device enrol KEY` at HQ.
            let token = try hq.invite(name: "Stall laptop", url: hqd.url.absoluteString)
            let path = directory.appendingPathComponent("laptop").path
            let created = try LedgerNode.createFromToken(at: path, token: token)
            try hq.enrol(device: created.key.publicKey, name: "Stall laptop")
            #expect(!created.hasLedger)

            let laptopd = try await RunningDaemon.start(data: path, ["--sync-interval", "0.5"])  // HQ is in peers.json
            defer { laptopd.process.kill() }
            let done = await laptopd.process.line(containing: "Startup sync done", timeout: .seconds(20))
            #expect(done?.contains("1 of 1 peer(s) reached") == true, "stderr:\n\(laptopd.process.stderr)")
            #expect(laptopd.process.stderr.contains("Received ledger \(try hq.ledgerID.short)"))

            let laptop = try LedgerNode.open(at: path)
            #expect(laptop.hasLedger)
            #expect(try laptop.store.heads() == (try hq.store.heads()))

            try await sign(2, on: laptop, label: "Stall")
            // Wait for the loop's lines that report the two entries and payloads sent (one sync or two).
            func payloadsSent() -> Int {
                laptopd.process.stderr.split(separator: "\n").filter { $0.contains("Synced with \(hqd.url.absoluteString): entries in") }
                    .reduce(0) { sum, line in
                        sum + (line.range(of: "payloads in 0, out ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) } ?? 0)
                    }
            }
            let deadline = ContinuousClock.now.advanced(by: .seconds(15))
            while payloadsSent() < 2 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(payloadsSent() == 2, "stderr:\n\(laptopd.process.stderr)")
            #expect(try entries(of: laptop.key.publicKey, in: hq.store).count == 2)
            #expect(try hq.store.payloads().count == 2)
            #expect(!laptopd.process.stderr.contains("Stall Signer"))  // never personal data

            let state = try #require(PeerBook(folder: laptop.folder).states()[hqd.url.absoluteString])
            #expect(state.lastSuccess != nil && state.failures == 0 && state.lastError == nil)

            let stopping = ContinuousClock.now
            #expect(await laptopd.stop() == DaemonProcess.Exit(exited: true, status: 0), "stderr:\n\(laptopd.process.stderr)")
            // The sync loop is idle: SIGTERM stops it at once (20 s leaves room for a loaded CI machine).
            #expect(ContinuousClock.now - stopping < .seconds(20))
        }
    }

    @Test("a laptop restored from an old backup pulls its own log back before local writes, and does not fork")
    func restoredBackup() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            try await sign(1, on: laptop, label: "Before backup")
            let restoredPath = directory.appendingPathComponent("a-restored").path
            try copyFolder(laptop.folder.path, to: restoredPath)  // the backup
            try await sign(2, on: laptop, label: "After backup")
            _ = try await sync(laptop, with: hqd.url)  // HQ holds entries 1...3 of the laptop

            // The disk dies; the volunteer restores last week's backup and starts ledgerd.
            let restoredd = try await RunningDaemon.start(data: restoredPath, ["--peer", hqd.url.absoluteString, "--sync-interval", "60"])
            defer { restoredd.process.kill() }
            let done = await restoredd.process.line(containing: "Startup sync done", timeout: .seconds(20))
            #expect(done?.contains("own log at sequence 3; local writes may begin") == true, "stderr:\n\(restoredd.process.stderr)")
            let log = restoredd.process.stderr
            let restoredLine = try #require(log.range(of: "Restored entries 2...3 of this node's own log"), "stderr:\n\(log)")
            #expect(restoredLine.lowerBound < (log.range(of: "Startup sync done")?.lowerBound ?? log.startIndex))

            let restored = try LedgerNode.open(at: restoredPath)
            #expect(try entries(of: restored.key.publicKey, in: restored.store).map(\.sequence) == [1, 2, 3])
            try await sign(1, on: restored, label: "After restore")
            let report = try await sync(restored, with: hqd.url)
            #expect(report.pushed == 1 && report.forks == 0)
            #expect(try hq.store.forkEntries().isEmpty)
            #expect(try entries(of: restored.key.publicKey, in: hq.store).map(\.sequence) == [1, 2, 3, 4])
            #expect(try Auditor(store: hq.store).run(mode: .full).intact)
        }
    }

    @Test("backs off from an unreachable peer, doubling the wait, and records each failure")
    func backsOff() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("hq").path
            _ = try LedgerNode.createHQ(at: data, name: "HQ")
            let unreachable = "http://127.0.0.1:1"
            let daemon = try await RunningDaemon.start(data: data, ["--peer", unreachable, "--sync-interval", "1"])
            defer { daemon.process.kill() }
            let first = await daemon.process.line(containing: "next attempt in 2 s", timeout: .seconds(10))
            #expect(first?.contains("Sync with \(unreachable) failed") == true, "stderr:\n\(daemon.process.stderr)")
            #expect(first?.contains("cannot reach") == true)
            let second = await daemon.process.line(containing: "next attempt in 4 s", timeout: .seconds(10))
            #expect(second != nil, "stderr:\n\(daemon.process.stderr)")
            #expect(await daemon.process.line(containing: "Startup sync done: 0 of 1 peer(s) reached", timeout: .seconds(1)) != nil)

            let state = try #require(PeerBook(folder: NodeFolder(path: data)).states()[unreachable])
            #expect(state.failures >= 2)
            #expect(state.lastSuccess == nil)
            #expect(state.lastError?.contains("cannot reach") == true)
            #expect(await daemon.stop() == DaemonProcess.Exit(exited: true, status: 0))
        }
    }

    @Test("rejects a bad --peer or --sync-interval as a usage error", arguments: [
        ["--peer", "hq.local:8080"], ["--peer", "ftp://hq.local"], ["--sync-interval", "0"], ["--sync-interval", "soon"],
    ])
    func badOptions(arguments: [String]) async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data").path
            let daemon = try DaemonProcess(arguments: ["--data", data, "--listen", "127.0.0.1:0"] + arguments)
            defer { daemon.kill() }
            #expect(await daemon.waitForExit() == DaemonProcess.Exit(exited: true, status: 2))
            #expect(await daemon.line(containing: "ledgerd: error:") != nil, "stderr:\n\(daemon.stderr)")
            #expect(!FileManager.default.fileExists(atPath: data))
        }
    }
}
