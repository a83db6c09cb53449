import Foundation

/// Token buckets per client and overall, so a script cannot flood the ledger from the kiosk
/// (docs/KIOSK.md, "Rate limit"). Thread-safe.
public final class RateLimiter: @unchecked Sendable {
    public struct Limits: Sendable, Equatable {
        /// Burst and refill per minute for one client address.
        public var perClient: Int
        /// Burst and refill per minute for all clients together.
        public var overall: Int

        public init(perClient: Int, overall: Int) {
            self.perClient = perClient
            self.overall = overall
        }

        /// 6 signatures a minute per address, 30 a minute overall: a busy stall signs one person
        /// every few seconds at most.
        public static let kiosk = Limits(perClient: 6, overall: 30)
    }

    private struct Bucket {
        var tokens: Double
        var updated: UInt64
    }

    public let limits: Limits
    private let clock: any WallClock
    private let lock = NSLock()
    private var clients: [String: Bucket] = [:]
    private var overall: Bucket

    public init(limits: Limits = .kiosk, clock: any WallClock = SystemClock()) {
        self.limits = limits
        self.clock = clock
        overall = Bucket(tokens: Double(limits.overall), updated: clock.nowMillis())
    }

    /// Takes one token for `client`; false when either bucket is empty (answer 429).
    public func allow(client: String) -> Bool {
        let now = clock.nowMillis()
        lock.lock()
        defer { lock.unlock() }
        func refill(_ bucket: inout Bucket, capacity: Int) {
            let elapsed = Double(now >= bucket.updated ? now - bucket.updated : 0) / 60_000
            bucket.tokens = min(Double(capacity), bucket.tokens + elapsed * Double(capacity))
            bucket.updated = now
        }
        var mine = clients[client] ?? Bucket(tokens: Double(limits.perClient), updated: now)
        refill(&mine, capacity: limits.perClient)
        refill(&overall, capacity: limits.overall)
        guard mine.tokens >= 1, overall.tokens >= 1 else {
            clients[client] = mine
            return false
        }
        mine.tokens -= 1
        overall.tokens -= 1
        clients[client] = mine
        if clients.count > 10_000 { clients = clients.filter { $0.value.tokens < Double(limits.perClient) } }
        return true
    }
}
