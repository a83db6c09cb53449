import Testing

@testable import ledgerd

@Suite("Backoff between syncs")
struct BackoffTests {
    @Test("doubles the wait after each failure, up to 5 minutes", arguments: [
        (30, 0, 30), (30, 1, 60), (30, 2, 120), (30, 3, 240), (30, 4, 300), (30, 5, 300), (30, 1_000, 300),
        (1, 1, 2), (1, 2, 4), (1, 8, 256), (1, 9, 300),
    ])
    func doubles(interval: Int, failures: Int, seconds: Int) {
        #expect(Backoff(interval: .seconds(interval)).delay(afterFailures: failures) == .seconds(seconds))
    }

    @Test("never waits less than the interval, even when it is longer than 5 minutes")
    func longInterval() {
        let backoff = Backoff(interval: .seconds(600))
        #expect(backoff.delay(afterFailures: 0) == .seconds(600))
        #expect(backoff.delay(afterFailures: 3) == .seconds(600))
    }
}
