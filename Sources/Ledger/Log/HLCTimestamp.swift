/// A hybrid logical clock timestamp: wall-clock milliseconds since the Unix epoch and a counter.
///
/// Ordered first by `wall`, then by `counter`. Encoded as u64 + u32, big-endian.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var wall: UInt64
    public var counter: UInt32

    public init(wall: UInt64, counter: UInt32) {
        self.wall = wall
        self.counter = counter
    }

    public static let zero = HLCTimestamp(wall: 0, counter: 0)

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.wall, lhs.counter) < (rhs.wall, rhs.counter)
    }

    /// ISO 8601 with milliseconds, plus the counter: `2026-11-26T18:42:37.123Z+0`.
    public var description: String {
        "\(Timestamps.iso8601(millis: wall))+\(counter)"
    }
}
