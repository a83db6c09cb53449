import Foundation
import Ledger
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import ledgerd

/// Starts the real `ledgerd` binary on a loopback port it picks and talks to it over HTTP.
@Suite("ledgerd end to end", .timeLimit(.minutes(2)))
struct LedgerdEndToEndTests {
    @Test("serves an HQ node's /v1/info, and exits 0 on SIGTERM")
    func servesInfoAndStopsOnSigterm() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data").path
            let hq = try LedgerNode.createHQ(at: data, name: "End To End")
            let daemon = try DaemonProcess(arguments: ["--data", data, "--listen", "127.0.0.1:0"])
            defer { daemon.kill() }

            let url = try #require(await daemon.servingURL(), "no Serving line; stderr:\n\(daemon.stderr)")
            #expect(url.host == "127.0.0.1")
            #expect(url.port != nil && url.port != 0)

            let answer = try await TestRequest.signed("GET", "/v1/info", key: hq.key, ledger: try hq.ledgerID).send(to: url)
            #expect(answer.status == 200)
            let info = try answer.decode(NodeInfo.self)
            #expect(info.role == "hq")
            #expect(info.name == "End To End")
            #expect(info.entries == 1)
            #expect(info.heads.count == 1)
            #expect(info.heads.first?.author == info.node)
            #expect(info.heads.first?.id == info.ledger)  // the only entry is the genesis entry

            daemon.send(SIGTERM)
            let exit = await daemon.waitForExit()
            #expect(exit == DaemonProcess.Exit(exited: true, status: 0), "stderr:\n\(daemon.stderr)")

            // It served the node on disk, with the same identity.
            let node = try LedgerNode.open(at: data)
            #expect(node.role == .hq)
            #expect(try node.ledgerID.hex == info.ledger)
            #expect(node.key.publicKey.hex == info.node)
        }
    }

    @Test("exits 0 on SIGINT (Ctrl-C)")
    func stopsOnSigint() async throws {
        try await withTemporaryDirectory { directory in
            _ = try LedgerNode.createHQ(at: directory.appendingPathComponent("data").path, name: "HQ")
            let daemon = try DaemonProcess(arguments: ["--data", directory.appendingPathComponent("data").path, "--listen", "127.0.0.1:0"])
            defer { daemon.kill() }
            let url = try #require(await daemon.servingURL(), "no Serving line; stderr:\n\(daemon.stderr)")
            let (body, _) = try await URLSession(configuration: .ephemeral).data(from: url.appendingPathComponent("healthz"))
            #expect(String(decoding: body, as: UTF8.self) == "ok\n")

            daemon.send(SIGINT)
            let exit = await daemon.waitForExit()
            #expect(exit == DaemonProcess.Exit(exited: true, status: 0), "stderr:\n\(daemon.stderr)")
        }
    }

    @Test("takes the data folder from LEDGER_DATA")
    func usesLedgerDataEnvironment() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("from-env").path
            _ = try LedgerNode.createHQ(at: data, name: "HQ")
            var environment = ProcessInfo.processInfo.environment
            environment["LEDGER_DATA"] = data
            let daemon = try DaemonProcess(arguments: ["--listen", "127.0.0.1:0"], environment: environment)
            defer { daemon.kill() }
            _ = try #require(await daemon.servingURL(), "no Serving line; stderr:\n\(daemon.stderr)")
            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit() == DaemonProcess.Exit(exited: true, status: 0))
        }
    }

    @Test("fails with one clear line when the port is in use")
    func portInUse() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data").path
            _ = try LedgerNode.createHQ(at: data, name: "HQ")
            let first = try DaemonProcess(arguments: ["--data", data, "--listen", "127.0.0.1:0"])
            defer { first.kill() }
            let url = try #require(await first.servingURL(), "no Serving line; stderr:\n\(first.stderr)")
            let port = try #require(url.port)

            let second = try DaemonProcess(arguments: ["--data", data, "--listen", "127.0.0.1:\(port)"])
            defer { second.kill() }
            let exit = await second.waitForExit()
            #expect(exit == DaemonProcess.Exit(exited: true, status: 3))
            let error = await second.line(containing: "ledgerd: error:")
            #expect(error?.hasPrefix("ledgerd: error: cannot listen on 127.0.0.1:\(port): ") == true, "stderr:\n\(second.stderr)")
            #expect(error?.contains("--listen HOST:PORT") == true)

            first.send(SIGTERM)
            #expect(await first.waitForExit() == DaemonProcess.Exit(exited: true, status: 0))
        }
    }

    @Test("fails with the library's description for a damaged data folder")
    func damagedDataFolder() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            try Data(String(repeating: "not a database ", count: 100).utf8).write(to: data.appendingPathComponent("ledger.sqlite"))

            let daemon = try DaemonProcess(arguments: ["--data", data.path, "--listen", "127.0.0.1:0"])
            defer { daemon.kill() }
            #expect(await daemon.waitForExit() == DaemonProcess.Exit(exited: true, status: 3))
            let error = await daemon.line(containing: "ledgerd: error:")
            #expect(error?.contains("is damaged or is not a Ledger store") == true, "stderr:\n\(daemon.stderr)")
        }
    }

    @Test("rejects a bad --listen value as a usage error, without touching the data folder")
    func badListen() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data").path
            let daemon = try DaemonProcess(arguments: ["--data", data, "--listen", "localhost"])
            defer { daemon.kill() }
            #expect(await daemon.waitForExit() == DaemonProcess.Exit(exited: true, status: 2))
            let error = await daemon.line(containing: "ledgerd: error:")
            #expect(error?.contains("expected HOST:PORT") == true, "stderr:\n\(daemon.stderr)")
            #expect(!FileManager.default.fileExists(atPath: data))
        }
    }
}
