import Foundation
import Ledger
import Testing

@testable import ledgerd

/// The async sync client against a peer that accepts connections and never answers.
@Suite("Sync client: cancellation and timeouts", .timeLimit(.minutes(3)))
struct SyncCancellationTests {
    @Test("cancelling a sync whose peer never answers ends it at once with CancellationError, long before the request timeout")
    func cancelled() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let peer = try SilentPeer()
            let client = try SyncClient(node: hq, peer: try #require(URL(string: peer.url)), timeout: 3600)
            let task = Task { try await client.sync() }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            // It ends long before the hour's timeout: the suite's time limit (3 minutes) fails the
            // test otherwise. No tighter bound: under the full suite's load the cooperative threads
            // that resume a cancelled request were seen busy for 40 s.
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }

    @Test("a peer silent for longer than the timeout is unreachable: a PeerError naming it, not a hang")
    func timeout() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let peer = try SilentPeer()
            let client = try SyncClient(node: hq, peer: try #require(URL(string: peer.url)), timeout: 1)
            do {
                _ = try await client.sync()
                Issue.record("a sync with a silent peer succeeded")
            } catch let error as PeerError {
                guard case .unreachable(let named, _) = error else { Issue.record("unexpected \(error)"); return }
                #expect(named.hasPrefix(peer.url))
            }
        }
    }

    @Test("the blocking bridge returns the async sync's result and error to a thread that may block")
    func waiting() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let peer = try SilentPeer()
            let client = try SyncClient(node: hq, peer: try #require(URL(string: peer.url)), timeout: 1)
            let outcome: String = try await offPool {
                do {
                    _ = try client.syncWaiting()
                    return "synced"
                } catch let error as PeerError {
                    return "\(error)"
                }
            }
            #expect(outcome.hasPrefix("cannot reach \(peer.url)"))
        }
    }
}
