import Foundation

/// Token buckets per client address and overall, so that a script cannot flood the ledger from
/// the kiosk nor guess receipt codes (docs/KIOSK.md, "Rate limits"). One limiter per action:
/// signing and withdrawing never share a bucket. Thread-safe.
///
/// For example:
/// ```swift
/// let signing = RateLimiter(limits: .stallSigning)
/// if case .wait(let seconds) = signing.take(client: address) { refuse(retryAfter: seconds) }
/// ```
public final class RateLimiter: @unchecked Sendable {
    /// A bucket's size and how fast it fills again.
    public struct Rate: Sendable, Equatable, CustomStringConvertible {
        /// How many actions may come at once.
        public var burst: Int
        /// How many tokens come back each minute, continuously.
        public var perMinute: Double

        public init(burst: Int, perMinute: Double) {
            self.burst = burst
            self.perMinute = perMinute
        }

        public var description: String { "\(burst) at once, \(perMinute) a minute" }
    }

    public struct Limits: Sendable, Equatable, CustomStringConvertible {
        /// For one client address.
        public var perClient: Rate
        /// For all clients together.
        public var overall: Rate

        public init(perClient: Rate, overall: Rate) {
            self.perClient = perClient
            self.overall = overall
        }

        public var description: String { "per client \(perClient); overall \(overall)" }

        /// Signing at a stall (`ledgerd --kiosk`): every signer is the same client (the stall's
        /// browser), and a person takes 20 seconds or more to fill in the form. 10 a minute with
        /// 20 at once is twice the fastest real queue, so a queue never waits; overall 60 a
        /// minute leaves room for a few tablets on the stall's network.
        public static let stallSigning = Limits(perClient: Rate(burst: 20, perMinute: 10), overall: Rate(burst: 120, perMinute: 60))

        /// Signing on a public page (HQ's site, no `--kiosk`): many clients, some behind one
        /// address (an office, a school); overall 600 a minute bounds what a crowd of scripts can
        /// write in a day.
        public static let publicSigning = Limits(perClient: Rate(burst: 20, perMinute: 10), overall: Rate(burst: 600, perMinute: 600))

        /// Withdrawal attempts, which test receipt codes: 5 at once (a person who mistypes a code
        /// twice still gets through), then one a minute per client; 30 a minute overall. A code has
        /// 80 random bits, so guessing is hopeless anyway; the limit keeps it so.
        public static let withdrawing = Limits(perClient: Rate(burst: 5, perMinute: 1), overall: Rate(burst: 30, perMinute: 30))
    }

    /// The answer to ``take(client:)``.
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Refused: a token comes back in this many seconds (at least 1).
        case wait(seconds: Int)
    }

    /// At most this many client buckets are remembered; beyond it, full ones are forgotten first.
    public static let maxClients = 10_000

    private struct Bucket {
        var tokens: Double
        var updated: UInt64

        mutating func refill(_ rate: Rate, now: UInt64) {
            let minutes = Double(now >= updated ? now - updated : 0) / 60_000
            tokens = min(Double(rate.burst), tokens + minutes * rate.perMinute)
            updated = now
        }

        /// A whole token, give or take the rounding of continuous refills.
        var hasToken: Bool { tokens >= 1 - 1e-9 }

        /// Milliseconds until this bucket holds a whole token.
        func wait(_ rate: Rate) -> Double {
            hasToken ? 0 : (1 - tokens) / rate.perMinute * 60_000
        }
    }

    public let limits: Limits
    private let clock: any WallClock
    private let lock = NSLock()
    private var clients: [String: Bucket] = [:]
    private var overall: Bucket

    public init(limits: Limits, clock: any WallClock = SystemClock()) {
        self.limits = limits
        self.clock = clock
        overall = Bucket(tokens: Double(limits.overall.burst), updated: clock.nowMillis())
    }

    /// How many clients are remembered now.
    public var clientCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return clients.count
    }

    /// Takes one token from `client`'s bucket and the overall one, or says how long to wait when
    /// either is empty (nothing is taken then).
    public func take(client: String) -> Decision {
        let now = clock.nowMillis()
        lock.lock()
        defer { lock.unlock() }
        var mine = clients[client] ?? Bucket(tokens: Double(limits.perClient.burst), updated: now)
        mine.refill(limits.perClient, now: now)
        overall.refill(limits.overall, now: now)
        guard mine.hasToken, overall.hasToken else {
            clients[client] = mine
            let millis = max(mine.wait(limits.perClient), overall.wait(limits.overall))
            return .wait(seconds: max(1, Int((millis / 1000).rounded(.up))))
        }
        mine.tokens = max(0, mine.tokens - 1)
        overall.tokens = max(0, overall.tokens - 1)
        clients[client] = mine
        if clients.count > Self.maxClients { forgetClients(now: now) }
        return .allowed
    }

    /// Forgets the clients whose buckets are full again (they lose nothing), then, if still too
    /// many, the ones idle longest.
    private func forgetClients(now: UInt64) {
        let rate = limits.perClient
        clients = clients.filter { _, bucket in
            var bucket = bucket
            bucket.refill(rate, now: now)
            return bucket.tokens < Double(rate.burst)
        }
        if clients.count > Self.maxClients {
            let keep = clients.sorted { $0.value.updated > $1.value.updated }.prefix(Self.maxClients / 2)
            clients = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
