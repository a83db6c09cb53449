import Foundation
import Testing

@testable import Ledger

/// The kiosk's token buckets (docs/KIOSK.md, "Rate limits"), on a clock the test moves.
@Suite("Kiosk rate limiter")
struct KioskRateLimiterTests {
    @Test("a queue at a stall (one client, one person every 20 seconds at best) is never refused, for hours")
    func stallQueue() {
        for limits in [RateLimiter.Limits.stallSigning, .publicSigning] {
            let clock = ManualClock()
            let limiter = RateLimiter(limits: limits, clock: clock)
            var refused = 0
            // Three hours at one signer every 20 s, then a rush of people signing as fast as a
            // form can be filled in (every 10 s) for half an hour.
            for _ in 0..<540 {
                if limiter.take(client: "127.0.0.1") != .allowed { refused += 1 }
                clock.advance(20_000)
            }
            for _ in 0..<180 {
                if limiter.take(client: "127.0.0.1") != .allowed { refused += 1 }
                clock.advance(10_000)
            }
            #expect(refused == 0, "\(limits)")
        }
    }

    @Test("a script on one client is stopped after its burst, and told how long to wait")
    func burstThenWait() {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(perClient: .init(burst: 3, perMinute: 6), overall: .init(burst: 100, perMinute: 100)), clock: clock)
        for _ in 0..<3 { #expect(limiter.take(client: "a") == .allowed) }
        // One token every 10 s.
        #expect(limiter.take(client: "a") == .wait(seconds: 10))
        clock.advance(4_000)
        #expect(limiter.take(client: "a") == .wait(seconds: 6))
        clock.advance(6_000)
        #expect(limiter.take(client: "a") == .allowed)
        // Another client has its own bucket.
        #expect(limiter.take(client: "b") == .allowed)
    }

    @Test("the overall bucket holds many clients back together; the wait names the later of the two buckets")
    func overall() {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(perClient: .init(burst: 5, perMinute: 5), overall: .init(burst: 4, perMinute: 2)), clock: clock)
        for client in ["a", "b", "c", "d"] { #expect(limiter.take(client: client) == .allowed) }
        #expect(limiter.take(client: "e") == .wait(seconds: 30))
    }

    @Test("withdrawal attempts: five addresses guessing codes are each stopped after a few tries")
    func withdrawals() {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .withdrawing, clock: clock)
        var allowed = 0
        for round in 0..<30 {
            if limiter.take(client: "10.0.0.\(round % 5)") == .allowed { allowed += 1 }
        }
        #expect(allowed == 5 * RateLimiter.Limits.withdrawing.perClient.burst)
        #expect(RateLimiter.Limits.withdrawing.perClient.perMinute < RateLimiter.Limits.stallSigning.perClient.perMinute)
        // A real person who mistypes a code twice still withdraws on the third try.
        let person = RateLimiter(limits: .withdrawing, clock: clock)
        for _ in 0..<3 { #expect(person.take(client: "127.0.0.1") == .allowed) }
    }

    @Test("the memory of clients stays bounded")
    func bounded() {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(perClient: .init(burst: 2, perMinute: 60), overall: .init(burst: 1_000_000, perMinute: 1_000_000)), clock: clock)
        for index in 0..<25_000 {
            _ = limiter.take(client: "c\(index)")
            clock.advance(1)
        }
        #expect(limiter.clientCount <= RateLimiter.maxClients)
    }
}
