import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import NIOCore
import Testing

@testable import ledgerd

/// `GET /metrics` from a real ledgerd, parsed as the Prometheus text format (docs/OPERATIONS.md, "Metrics").
@Suite("Metrics", .timeLimit(.minutes(2)))
struct MetricsEndToEndTests {
    /// Every sample line `name{labels} value` as (name with labels, value); comments checked for form.
    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
            #expect(!line.hasPrefix("#"), "an unknown comment line")
            let space = try #require(line.lastIndex(of: " "), "a sample without a value")
            let key = String(line[..<space])
            let value = try #require(Double(line[line.index(after: space)...]), "a sample value that is not a number")
            #expect(key.range(of: #"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*",?)*\})?$"#, options: .regularExpression) != nil, "\(key)")
            #expect(samples[key] == nil, "a sample given twice: \(key)")
            samples[key] = value
        }
        return samples
    }

    func get(_ url: URL) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("a scrape gives the ledger's figures and each route's requests and latency, in the Prometheus text format")
    func scrape() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Stall A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            try await sign(2, on: laptop, label: "A")
            _ = try await sync(laptop, with: hqd.url)
            let signed = try await signAtKiosk(hqd.url, name: "Web Signer", email: "web@example.org")
            #expect(signed.status == 200)
            #expect(try await get(hqd.url.appendingPathComponent("healthz")).0 == 200)

            let (status, text) = try await get(hqd.url.appendingPathComponent("metrics"))
            #expect(status == 200)
            let samples = try Self.parse(text)
            #expect(samples["ledger_signatures{campaign=\"\(testCampaign)\",state=\"counted\"}"] == 3, "\(samples.keys.sorted())")
            #expect(samples["ledger_signatures{campaign=\"\(testCampaign)\",state=\"withdrawn\"}"] == 0)
            #expect(samples["ledger_entries"] == Double(try hq.store.entryCount()))
            #expect(samples["ledger_tree_size"] == Double(try hq.store.treeSize()))
            #expect(samples["ledger_forked_logs"] == 0)
            #expect(samples["ledger_campaign_open{campaign=\"\(testCampaign)\"}"] == 1)
            #expect(samples["hb_requests{http_route=\"/healthz\",http_request_method=\"GET\",http_response_status_code=\"200\"}"] == 1)
            #expect(samples["hb_requests{http_route=\"/v1/entries\",http_request_method=\"POST\",http_response_status_code=\"200\"}"] ?? 0 >= 1)
            #expect(samples["http_server_request_duration_count{http_route=\"/c/{id}/sign\",http_request_method=\"POST\",http_response_status_code=\"200\"}"] == 1,
                    "\(samples.keys.filter { $0.contains("sign") })")
            #expect(!text.contains("web@example.org") && !text.contains("Web Signer"))

            // A laptop reports its witnessing and its peer's last sync.
            try PeerBook(folder: laptop.folder).add(hqd.url.absoluteString)
            let report = try await sync(laptop, with: hqd.url)
            try PeerBook(folder: laptop.folder).record(peer: hqd.url.absoluteString, report: report, error: nil, now: SystemClock().nowMillis())
            let laptopd = try await RunningDaemon.start(data: laptop.folder.path, ["--sync-interval", "3600"])
            defer { laptopd.process.kill() }
            let laptopSamples = try Self.parse(try await get(laptopd.url.appendingPathComponent("metrics")).1)
            #expect(laptopSamples["ledger_witness_alarm"] == 0)
            #expect(laptopSamples["ledger_witnessed_checkpoint_size"] != nil)
            #expect(laptopSamples["ledger_peer_lag_entries{peer=\"\(hqd.url.absoluteString)\"}"] == 0, "\(laptopSamples.keys.sorted())")
        }
    }

    @Test("only loopback clients get metrics unless --metrics-public", arguments: [
        ("127.0.0.1", true), ("127.8.9.10", true), ("10.0.0.1", false), ("192.168.1.127", false), ("::1", true), ("2001:db8::1", false),
    ])
    func loopbackOnly(address: String, loopback: Bool) throws {
        #expect(MetricsController.isLoopback(try SocketAddress(ipAddress: address, port: 8080)) == loopback)
    }
}
