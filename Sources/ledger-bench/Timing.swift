/// A measured throughput: how many operations took how long.
struct Rate: Sendable {
    /// Operations completed.
    var count: Int
    /// Wall-clock seconds they took.
    var seconds: Double

    /// Operations per second; zero when nothing was timed.
    var perSecond: Double { seconds > 0 ? Double(count) / seconds : 0 }
}

/// Latency percentiles of individually timed operations, in seconds.
struct Latencies: Sendable {
    /// Every sample, sorted ascending.
    let sorted: [Double]

    init(_ samples: [Double]) {
        sorted = samples.sorted()
    }

    /// The sample at quantile `q` (0...1), nearest-rank; zero when there are no samples.
    func quantile(_ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    var p50: Double { quantile(0.50) }
    var p99: Double { quantile(0.99) }
}

/// Wall-clock timing on the monotonic clock.
enum Stopwatch {
    /// Runs `body` once and returns its result with the seconds it took.
    static func time<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try body()
        return (result, (clock.now - start).seconds)
    }

    /// Calls `body(iterations)` repeatedly until at least `seconds` have passed, and returns the
    /// rate over all iterations. `body` does `iterations` operations per call.
    static func repeatFor(seconds: Double, iterations: Int, _ body: (Int) -> Void) -> Rate {
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        var elapsed = 0.0
        repeat {
            body(iterations)
            count += iterations
            elapsed = (clock.now - start).seconds
        } while elapsed < seconds
        return Rate(count: count, seconds: elapsed)
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
