import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// A peer's answers are read only up to a bound, and an honest peer cuts its answers to stay
/// under it (docs/PROTOCOL.md, "Limits").
@Suite("Sync answers: bounded on both sides", .timeLimit(.minutes(3)))
struct SyncAnswerBoundsTests {
    @Test("a peer that sends an endless body is cut off at 32 MiB: a protocol error naming it, not a laptop out of memory", arguments: [FloodingPeer.Mode.endless, .declared])
    func flood(mode: FloodingPeer.Mode) async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let peer = try FloodingPeer(mode)
            defer { peer.stop() }
            // A long timeout: under the whole suite's load, the peer's thread was seen silent for 10 s.
            let client = try SyncClient(node: hq, peer: try #require(URL(string: peer.url)), timeout: 120)
            do {
                _ = try await client.sync()
                Issue.record("a sync with a flooding peer succeeded")
            } catch let error as PeerError {
                guard case .protocolError(let named, let reason) = error else {
                    Issue.record("expected a protocol error, got \(error)")
                    return
                }
                #expect(named.hasPrefix(peer.url))
                #expect(reason.contains("more than \(SyncLimits.maxAnswerBytes) bytes"))
            }
            // The client stopped reading near the bound (the kernel's socket buffers take a few
            // MiB more); a declared length over the bound is refused before its body is read.
            let sent = peer.bodyBytesSent
            switch mode {
            case .endless: #expect(sent >= SyncLimits.maxAnswerBytes && sent < SyncLimits.maxAnswerBytes + (32 << 20))
            case .declared: #expect(sent < 32 << 20)
            case .exactly: Issue.record("not a flooding mode")
            }
        }
    }

    @Test("an answer of exactly 32 MiB is read (and fails as JSON); one byte more is refused as too large, declared or chunked", arguments: [false, true])
    func oneByteOver(chunked: Bool) async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            for (size, tooLarge) in [(SyncLimits.maxAnswerBytes, false), (SyncLimits.maxAnswerBytes + 1, true)] {
                let peer = try FloodingPeer(.exactly(size, chunked: chunked))
                defer { peer.stop() }
                let client = try SyncClient(node: hq, peer: try #require(URL(string: peer.url)), timeout: 120)
                do {
                    _ = try await client.sync()
                    Issue.record("a sync with an answer of spaces succeeded")
                } catch let error as PeerError {
                    guard case .protocolError(_, let reason) = error else {
                        Issue.record("expected a protocol error, got \(error)")
                        continue
                    }
                    #expect(reason.contains("more than \(SyncLimits.maxAnswerBytes) bytes") == tooLarge, "\(size) bytes: \(reason)")
                }
            }
        }
    }

    @Test("a timeout of infinity, NaN, zero or below from a library caller is clamped: the sync fails as unreachable, never traps", arguments: [Double.infinity, .nan, 0, -5, 1e300])
    func oddTimeouts(timeout: Double) async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let client = try SyncClient(node: hq, peer: try #require(URL(string: "http://127.0.0.1:1")), timeout: timeout)
            await #expect(throws: PeerError.self) { try await client.sync() }
        }
    }

    @Test("answers cut at a 2 KiB budget still bring every entry and payload across, in more requests")
    func cutAnswers() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptopA = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let laptopB = try await joinLaptop("Laptop B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            try await sign(120, on: laptopA, label: "A")
            let push = try await sync(laptopA, with: hqd.url)
            #expect(push.pushed == 120 && push.payloadsOut == 120)

            // HQ's node served in this process, with answers cut at 2 KiB: a few entries or
            // payloads each (a signature entry is about 400 bytes, its payload about 200).
            let router = buildRouter(node: hq, answerBudget: 2_048)
            let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger())
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
                let pull = try await sync(laptopB, with: url, batchSize: 1_000)
                #expect(pull.pulled >= 120)
                #expect(pull.payloadsIn == 120)
                #expect(try laptopB.store.wantedPayloads(limit: 10).isEmpty)
                #expect(try laptopB.store.heads() == hq.store.heads())
            }
        }
    }
}
