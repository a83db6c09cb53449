import Foundation
import Logging
import ServiceLifecycle

/// One of ledgerd's background loops (the peer sync loop, HQ's retention loop) as a
/// ServiceLifecycle service in ledgerd's `ServiceGroup`, beside the HTTP servers: it starts once
/// the main server is bound (so the startup sync never races the listener, and a node that cannot
/// bind its address syncs nothing) and ends on graceful shutdown (SIGTERM, SIGINT), cancelled
/// in the middle of a round if need be: every round is transactional, and the next start picks up.
///
/// For example:
/// ```swift
/// let sync = LoopService(name: "sync", after: started) { await loop.run() }
/// ```
struct LoopService: Service {
    let name: String
    let started: StartupFlag
    let work: @Sendable () async -> Void

    init(name: String, after started: StartupFlag, work: @escaping @Sendable () async -> Void) {
        self.name = name
        self.started = started
        self.work = work
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await started.wait()
            guard started.isSet, !Task.isCancelled else { return }
            await work()
        }
    }
}
