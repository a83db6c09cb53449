import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// ledgerd never invents a ledger (issue 9, item 8), and the empty front page says how to
/// publish a campaign (item 15).
@Suite("ledgerd first start", .timeLimit(.minutes(2)))
struct FirstStartTests {
    @Test("refuses a folder without a node, with or without --kiosk: exit 3, one line naming the command, nothing created",
          arguments: [[], ["--kiosk", "free-the-press"]])
    func refusesEmptyFolder(extra: [String]) async throws {
        try await withTemporaryDirectory { directory in
            for existing in [false, true] {
                let data = directory.appendingPathComponent(existing ? "empty" : "mistyped").path
                if existing { try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true) }
                let daemon = try DaemonProcess(arguments: ["--data", data, "--listen", "127.0.0.1:0"] + extra)
                defer { daemon.kill() }
                #expect(await daemon.waitForExit() == DaemonProcess.Exit(exited: true, status: 3), "stderr:\n\(daemon.stderr)")
                let lines = daemon.stderr.split(separator: "\n").filter { $0.contains("ledgerd: error:") }
                #expect(lines.count == 1, "stderr:\n\(daemon.stderr)")
                #expect(lines.first?.contains("ledgerctl init --hq") == true, "stderr:\n\(daemon.stderr)")
                #expect(!daemon.stderr.contains("Serving"))
                if existing {
                    #expect(try FileManager.default.contentsOfDirectory(atPath: data).isEmpty)
                } else {
                    #expect(!FileManager.default.fileExists(atPath: data))
                }
            }
        }
    }

    @Test("the front page of a ledger without open campaigns says how to publish one")
    func emptyFrontPage() async throws {
        try await withTemporaryDirectory { directory in
            let node = try LedgerNode.createHQ(at: directory.appendingPathComponent("hq").path, name: "HQ")
            let router = Router(context: LedgerRequestContext.self)
            router.addRoutes(KioskController<LedgerRequestContext>(node: node, kioskCampaign: nil).endpoints)
            try await Application(router: router).test(.router) { client in
                for language in ["en", "nb"] {
                    try await client.execute(uri: "/?lang=\(language)", method: .get) { response in
                        let page = String(buffer: response.body)
                        #expect(response.status == .ok)
                        #expect(page.contains("ledgerctl campaign publish"), "no hint in \(language)")
                    }
                }
            }
        }
    }
}
