import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Testing

@testable import ledgerd

/// `ledgerd --trusted-proxy`: behind a reverse proxy, the client is the address the proxy
/// forwarded (docs/OPERATIONS.md, "Behind a reverse proxy").
@Suite("Trusted proxies")
struct TrustedProxyTests {
    static let proxies = try! TrustedProxies(parsing: ["127.0.0.1", "10.0.0.2", "::1"])

    @Test("the client is the connection unless it is a trusted proxy; then the right-most untrusted forwarded address", arguments: [
        // (peer, X-Forwarded-For lines, client)
        ("198.51.100.9", ["203.0.113.7"], "198.51.100.9"),  // not a proxy: the header is anybody's to write
        ("127.0.0.1", [], "127.0.0.1"),  // the proxy's own request
        ("127.0.0.1", ["203.0.113.7"], "203.0.113.7"),
        ("127.0.0.1", ["203.0.113.8, 203.0.113.7"], "203.0.113.7"),  // a client cannot choose its bucket by prepending
        ("127.0.0.1", ["203.0.113.8", "203.0.113.7"], "203.0.113.7"),  // two header lines, in order
        ("127.0.0.1", ["203.0.113.7, 10.0.0.2"], "203.0.113.7"),  // through two trusted proxies
        ("127.0.0.1", ["10.0.0.2, 127.0.0.1"], "10.0.0.2"),  // every hop trusted: the left-most
        ("127.0.0.1", ["203.0.113.7:51234"], "203.0.113.7"),
        ("127.0.0.1", ["[2001:db8::7]:443"], "2001:db8::7"),
        ("127.0.0.1", ["2001:db8::7"], "2001:db8::7"),
        ("127.0.0.1", ["::ffff:203.0.113.7"], "203.0.113.7"),
        ("127.0.0.1", ["203.0.113.8, unknown"], "127.0.0.1"),  // garbage where the proxy writes: the proxy's address
        ("127.0.0.1", [" , ,"], "127.0.0.1"),
        ("::ffff:127.0.0.1", ["203.0.113.7"], "203.0.113.7"),  // a dual-stack listener's view of 127.0.0.1
        ("::1", ["203.0.113.7"], "203.0.113.7"),
    ])
    func resolution(peer: String, forwarded: [String], client: String) {
        #expect(Self.proxies.client(peer: peer, forwardedFor: forwarded) == client)
    }

    @Test("a trusted proxy is one IP address", arguments: ["10.0.0.0/8", "[::1]", "127.0.0.1:8080", "hq.local", "", " 127.0.0.1", String(repeating: "1", count: 100)])
    func parsing(text: String) {
        #expect(throws: (any Error).self) { try TrustedProxies(parsing: [text]) }
    }

    // MARK: - A real ledgerd

    /// One request to `url`, with `headers`; the status and the body.
    func send(_ url: URL, method: String = "GET", headers: [String: String] = [:], body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Signs campaign `c1` on the public page as the client `forwardedFor` says; the status.
    func sign(_ daemon: RunningDaemon, _ index: Int, forwardedFor: String) async throws -> Int {
        let headers = ["X-Forwarded-For": forwardedFor]
        let (_, page) = try await send(daemon.url.appendingPathComponent("c/c1"), headers: headers)
        let token = try #require(KioskTest.token(in: page))
        let fields = ["form": token, "name": "Signer \(index)", "email": "signer\(index)@example.org", "postcode": "0150", "country": "NO"]
        let body = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await send(daemon.url.appendingPathComponent("c/c1/sign"), method: "POST",
                              headers: headers.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 }, body: body).0
    }

    /// Signs as `client(attempt)` until the page answers 429 or `limit` signings went through;
    /// the signings that went through before it (nil when no 429 came).
    func signUntilLimited(_ daemon: RunningDaemon, limit: Int, next: () -> Int, client: (Int) -> String) async throws -> Int? {
        for attempt in 0..<limit {
            let status = try await sign(daemon, next(), forwardedFor: client(attempt))
            if status == 429 { return attempt }
            #expect(status == 200)
        }
        return nil
    }

    @Test("behind a trusted proxy each forwarded client has its own signing limit and /metrics is not theirs; without the flag the header is ignored")
    func endToEnd() async throws {
        try await withTemporaryDirectory { directory in
            let node = try KioskTest.makeNode(directory)
            let burst = RateLimiter.Limits.publicSigning.perClient.burst
            // A bucket refills one signing every 6 s: on a slow machine a few more than the burst
            // go through before the first refusal.
            let limit = burst + 20
            var index = 0
            func next() -> Int { index += 1; return index }

            let proxied = try await RunningDaemon.start(data: node.folder.path, ["--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1"])
            // One client who writes a new address of their own into the header each time: the
            // proxy appends theirs (203.0.113.7), and that is the bucket.
            let accepted = try #require(try await signUntilLimited(proxied, limit: limit, next: next) { "198.51.100.\($0), 203.0.113.7" })
            #expect(accepted >= burst)
            #expect(try await sign(proxied, next(), forwardedFor: "203.0.113.8") == 200)
            #expect(try await send(proxied.url.appendingPathComponent("metrics"), headers: ["X-Forwarded-For": "198.51.100.1"]).0 == 404)
            #expect(try await send(proxied.url.appendingPathComponent("metrics")).0 == 200)
            _ = await proxied.stop()

            // Without --trusted-proxy every signing comes from 127.0.0.1, whatever the header says:
            // a new address in each one does not escape the limit.
            let direct = try await RunningDaemon.start(data: node.folder.path)
            defer { direct.process.kill() }
            let directAccepted = try #require(try await signUntilLimited(direct, limit: limit, next: next) { "203.0.113.\(100 + $0)" })
            #expect(directAccepted >= burst)
            #expect(try await send(direct.url.appendingPathComponent("metrics"), headers: ["X-Forwarded-For": "198.51.100.1"]).0 == 200)
            #expect(try KioskTest.counted(node) == accepted + 1 + directAccepted)
        }
    }
}
