import Foundation
import Ledger
import Testing

@testable import ledgerd

/// The kiosk's writes and the startup sync, with a real `ledgerd`.
@Suite("Local writes wait for the startup sync", .timeLimit(.minutes(2)))
struct LocalWritesGateTests {
    @Test("the kiosk's writes get 503 while the startup sync runs; pages and sync routes are served; SIGTERM still stops it")
    func writesWaitForStartupSync() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let peer = try SilentPeer()
            // A silent peer that outlasts the test, however slow the machine: the sync stays in flight.
            let daemon = try await RunningDaemon.start(data: hq.folder.path, ["--peer", peer.url, "--peer-timeout", "3600"])
            defer { daemon.process.kill() }
            #expect(await daemon.process.line(containing: "Syncing with 1 peer(s) before local writes", timeout: .seconds(10)) != nil)

            let write = try await TestRequest(method: "POST", path: "/withdraw", body: Array("receipt=AAAA".utf8),
                                              headers: ["Content-Type": "application/x-www-form-urlencoded"]).send(to: daemon.url)
            #expect(write.status == 503)
            #expect(write.text.contains("syncing with its peers"))
            #expect(try await TestRequest(method: "GET", path: "/").send(to: daemon.url).status == 200)
            let heads = try await TestRequest.signed("GET", "/v1/heads", key: hq.key, ledger: try hq.ledgerID).send(to: daemon.url)
            #expect(heads.status == 200)
            #expect(!daemon.process.stderr.contains("Startup sync done"))

            // The sync in flight hangs on the silent peer: shutdown cancels its request at once
            // (before the async client, it waited a 5-second grace and left the thread blocked).
            let stopping = ContinuousClock.now
            #expect(await daemon.stop() == DaemonProcess.Exit(exited: true, status: 0), "stderr:\n\(daemon.process.stderr)")
            #expect(ContinuousClock.now - stopping < .seconds(10))
            #expect(daemon.process.stderr.contains("Stopped the sync with \(peer.url) to shut down"))
        }
    }

    @Test("with no peers, local writes may begin at once")
    func noPeersNoWait() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let daemon = try await RunningDaemon.start(data: hq.folder.path)
            defer { daemon.process.kill() }
            let write = try await TestRequest(method: "POST", path: "/withdraw", body: Array("receipt=AAAA".utf8),
                                              headers: ["Content-Type": "application/x-www-form-urlencoded"]).send(to: daemon.url)
            #expect(write.status != 503, "\(write.text)")
        }
    }
}
