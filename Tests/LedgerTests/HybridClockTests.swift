import Testing
@testable import Ledger

@Suite("Hybrid logical clock")
struct HybridClockTests {
    @Test("ticks follow the wall clock when it moves forward")
    func followsWallClock() {
        let wall = ManualClock(1_000)
        var clock = HybridClock(wallClock: wall)
        #expect(clock.tick() == HLCTimestamp(wall: 1_000, counter: 0))
        wall.advance(5)
        #expect(clock.tick() == HLCTimestamp(wall: 1_005, counter: 0))
    }

    @Test("ticks stay strictly increasing when the wall clock steps back or stands still")
    func monotonicUnderStepBack() {
        let wall = ManualClock(10_000)
        var clock = HybridClock(wallClock: wall)
        let first = clock.tick()
        wall.set(4_000)  // NTP stepped the clock back six seconds
        let second = clock.tick()
        let third = clock.tick()
        #expect(first < second && second < third)
        #expect(second == HLCTimestamp(wall: 10_000, counter: 1))
        wall.set(10_001)
        #expect(clock.tick() == HLCTimestamp(wall: 10_001, counter: 0))
    }

    @Test("a received timestamp within the drift bound orders later ticks after it")
    func mergesReceived() {
        let wall = ManualClock(50_000)
        var clock = HybridClock(wallClock: wall)
        _ = clock.tick()
        let remote = HLCTimestamp(wall: 50_000 + 60_000, counter: 7)  // a laptop one minute ahead
        let merged = clock.observe(remote)
        #expect(merged)
        let next = clock.tick()
        #expect(next > remote)
        #expect(next == HLCTimestamp(wall: 110_000, counter: 8))
    }

    @Test("a timestamp beyond the one-hour bound is not merged")
    func refusesFarFuture() {
        let wall = ManualClock(50_000)
        var clock = HybridClock(wallClock: wall)
        let before = clock.tick()
        let remote = HLCTimestamp(wall: 50_000 + HybridClock.maxForwardDrift + 1, counter: 0)
        let merged = clock.observe(remote)
        #expect(!merged)
        #expect(clock.last == before)
        let atBound = HLCTimestamp(wall: 50_000 + HybridClock.maxForwardDrift, counter: 0)
        let mergedAtBound = clock.observe(atBound)
        #expect(mergedAtBound)
    }

    @Test("an older received timestamp does not move the clock")
    func ignoresOlder() {
        let wall = ManualClock(90_000)
        var clock = HybridClock(wallClock: wall)
        let now = clock.tick()
        let merged = clock.observe(HLCTimestamp(wall: 1, counter: 99))
        #expect(merged)
        #expect(clock.last == now)
    }

    @Test("the counter overflows into the next millisecond")
    func counterOverflow() {
        let wall = ManualClock(5)
        var clock = HybridClock(wallClock: wall, last: HLCTimestamp(wall: 5, counter: .max))
        #expect(clock.tick() == HLCTimestamp(wall: 6, counter: 0))
    }

    @Test("a store's timestamps survive skew between processes: a later append orders after a skewed earlier one")
    func storeUnderSkew() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let wall = ManualClock(Fixed.baseWall)
        let node = try LedgerNode.createHQ(at: dir.file("hq"), name: "Skew", wallClock: wall)
        try node.publish(sampleCampaign())
        wall.set(Fixed.baseWall - 3_600_000)  // clock stepped back an hour
        let comment = try node.comment(campaign: "free-the-press", displayName: "A", text: "one")
        // A second process opening the same folder with a wrong clock still orders after it.
        let other = try LedgerNode.open(at: dir.file("hq"), wallClock: ManualClock(Fixed.baseWall - 7_200_000))
        let later = try other.comment(campaign: "free-the-press", displayName: "B", text: "two")
        #expect(later.timestamp > comment.timestamp)
        #expect(try Auditor(store: other.store).run(mode: .full).intact)
    }
}

@Suite("Timestamps")
struct TimestampTests {
    @Test("a day computed directly is the formatter's date, at the edges of days, months, leap years and centuries, and at random")
    func dayMatchesFormatter() {
        var edges: [UInt64] = [0, 1, 86_399_999, 86_400_000, 951_782_399_999, 951_782_400_000, 951_868_800_000,
                               4_107_542_399_999, 4_107_542_400_000, 4_102_444_800_000, 253_402_300_799_999]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { edges.append(UInt64.random(in: 0..<253_402_300_800_000, using: &random)) }
        for millis in edges {
            #expect(Timestamps.day(millis: millis) == String(Timestamps.iso8601(millis: millis).prefix(10)), "\(millis)")
        }
        // From the year 10000 on, the formatter's answer, whatever it is.
        for millis: UInt64 in [253_402_300_800_000, 1 << 62, (1 << 63) - 1] {
            #expect(Timestamps.day(millis: millis) == String(Timestamps.iso8601(millis: millis).prefix(10)))
        }
    }
}
