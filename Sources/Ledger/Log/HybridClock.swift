import Foundation

/// A source of wall-clock time in milliseconds since the Unix epoch. Injected so tests control time.
public protocol WallClock: Sendable {
    func nowMillis() -> UInt64
}

/// The machine's clock.
public struct SystemClock: WallClock {
    public init() {}

    public func nowMillis() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }
}

/// A hybrid logical clock (Kulkarni et al., 2014) over an injectable wall clock.
///
/// Promises:
/// - ``tick()`` returns strictly increasing timestamps, even when the wall clock steps back.
/// - ``observe(_:)`` merges a received timestamp so later ticks order after it, unless it lies more
///   than ``maxForwardDrift`` milliseconds ahead of the wall clock: such a timestamp is still
///   accepted by the store, but is not merged, so one laptop with a clock set in the future cannot
///   drag every node's clock with it (docs/FORMAT.md, "Timestamps").
///
/// Not thread-safe; the store serialises its use inside write transactions.
public struct HybridClock: Sendable {
    /// One hour, in milliseconds.
    public static let maxForwardDrift: UInt64 = 3_600_000

    public let wallClock: any WallClock
    public private(set) var last: HLCTimestamp

    public init(wallClock: any WallClock = SystemClock(), last: HLCTimestamp = .zero) {
        self.wallClock = wallClock
        self.last = last
    }

    /// The next local timestamp (HLC send/local event rule).
    public mutating func tick() -> HLCTimestamp {
        let now = wallClock.nowMillis()
        if now > last.wall {
            last = HLCTimestamp(wall: now, counter: 0)
        } else if last.counter == UInt32.max {
            last = HLCTimestamp(wall: last.wall + 1, counter: 0)
        } else {
            last = HLCTimestamp(wall: last.wall, counter: last.counter + 1)
        }
        return last
    }

    mutating func setLast(_ timestamp: HLCTimestamp) {
        last = timestamp
    }

    /// Merges a timestamp seen on a received or stored entry (HLC receive rule, without the tick).
    /// Returns false, and leaves the clock alone, when `remote` is beyond the forward-drift bound.
    @discardableResult
    public mutating func observe(_ remote: HLCTimestamp) -> Bool {
        let now = wallClock.nowMillis()
        guard remote.wall <= now &+ HybridClock.maxForwardDrift else { return false }
        if remote > last { last = remote }
        return true
    }
}
