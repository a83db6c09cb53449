import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Logging
import Testing

@testable import ledgerd

/// `ledgerd --config FILE` and `--log-format json` (docs/OPERATIONS.md, "Configuration").
@Suite("ledgerd configuration file and JSON logs")
struct DaemonConfigTests {
    func config(_ text: String) throws -> DaemonConfig {
        try DaemonConfig.parse(Array(text.utf8), path: "ledgerd.json")
    }

    func refusal(_ text: String) -> String? {
        do {
            _ = try config(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("every setting is read; unknown, repeated and mistyped members are refused by name")
    func parsing() throws {
        let all = try config("""
            {"data":"/srv/ledger","listen":"0.0.0.0:8080","peers":["http://hq.local:8080"],"syncInterval":60,"peerTimeout":10,
             "kiosk":"free-the-press","kioskListen":"0.0.0.0:8081","logLevel":"debug","logFormat":"json","metricsPublic":true}
            """)
        #expect(all.data == "/srv/ledger" && all.listen == "0.0.0.0:8080" && all.peers == ["http://hq.local:8080"])
        #expect(all.syncInterval == 60 && all.peerTimeout == 10 && all.kiosk == "free-the-press" && all.metricsPublic == true)
        #expect(try config("{}") == DaemonConfig())
        #expect(refusal(#"{"lsten":"0.0.0.0:8080"}"#)?.contains("unknown setting 'lsten'") == true)
        #expect(refusal(#"{"listen":"a","listen":"b"}"#) != nil)
        #expect(refusal(#"{"syncInterval":"30"}"#)?.contains("'syncInterval' has the wrong type") == true)
        #expect(refusal("[1]")?.contains("not a JSON object") == true)
        #expect(refusal("{") != nil)
    }

    @Test("flags override the file; the file's values are checked as the flags are; peers add up")
    func precedence() throws {
        let file = try config(#"{"listen":"127.0.0.1:9001","peers":["http://a.local:8080"],"syncInterval":5,"logLevel":"debug","metricsPublic":true}"#)
        let fromFile = try Ledgerd.parse(["--config", "ledgerd.json"]).settings(file)
        #expect(fromFile.listen.description == "127.0.0.1:9001" && fromFile.syncInterval == 5 && fromFile.logLevel == .debug && fromFile.metricsPublic)
        let flags = try Ledgerd.parse(["--config", "ledgerd.json", "--listen", "127.0.0.1:9002", "--sync-interval", "7", "--peer", "http://b.local:8080"])
            .settings(file)
        #expect(flags.listen.description == "127.0.0.1:9002" && flags.syncInterval == 7)
        #expect(flags.peers.count == 2)
        for bad in [#"{"listen":"nowhere"}"#, #"{"syncInterval":0}"#, #"{"peerTimeout":99999}"#, #"{"logLevel":"loud"}"#, #"{"peers":["ftp://x"]}"#] {
            #expect(throws: DaemonError.self, "\(bad)") { try Ledgerd.parse(["--config", "ledgerd.json"]).settings(try config(bad)) }
        }
    }

    @Test("a JSON log line is one object with time, level, label, message and metadata")
    func jsonLine() throws {
        let line = JSONLogHandler.line(time: Date(timeIntervalSince1970: 1_800_000_000.25), level: .warning, label: "ledgerd",
                                       message: "Serving http://127.0.0.1:8080 \"quoted\"\nnext", metadata: ["peer": "http://hq.local:8080"])
        #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2027-01-15T08:00:00.250Z")
        #expect(object["level"] as? String == "warning" && object["label"] as? String == "ledgerd")
        #expect(object["message"] as? String == "Serving http://127.0.0.1:8080 \"quoted\"\nnext")
        #expect((object["metadata"] as? [String: String])?["peer"] == "http://hq.local:8080")
    }

    @Test("ledgerd started with only --config serves the node the file names and logs JSON lines")
    func daemonWithConfig() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let file = directory.appendingPathComponent("ledgerd.json")
            try Data(#"{"data":"\#(hq.folder.path)","listen":"127.0.0.1:0","logFormat":"json","logLevel":"info"}"#.utf8).write(to: file)
            let process = try DaemonProcess(arguments: ["--config", file.path])
            defer { process.kill() }
            let line = try #require(await process.line(containing: "Serving http://"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let message = try #require(object["message"] as? String)
            #expect(object["level"] as? String == "info" && message.hasPrefix("Serving http://127.0.0.1:"))
            let url = try #require(URL(string: String(message.dropFirst("Serving ".count))))
            let (data, _) = try await URLSession.shared.data(from: url.appendingPathComponent("healthz"))
            #expect(String(decoding: data, as: UTF8.self) == "ok\n")
            // A misspelt setting stops ledgerd before it starts, naming the setting.
            try Data(#"{"data":"\#(hq.folder.path)","lsten":"127.0.0.1:0"}"#.utf8).write(to: file)
            let refused = try DaemonProcess(arguments: ["--config", file.path])
            let exit = await refused.waitForExit()
            #expect(exit.status == 2)
            #expect(refused.stderr.contains("unknown setting 'lsten'"))
        }
    }
}
