import Foundation

/// Measures how much of the machine other processes used during a stretch of the run, so that a
/// figure taken while someone else was compiling can be recognised as such.
///
/// For example:
/// ```swift
/// let start = CPUMeter.Snapshot.now()
/// runMeasurement()
/// let share = CPUMeter.otherShare(since: start)   // 0.03: others used 3% of all cores
/// ```
enum CPUMeter {
    /// CPU counters at one instant: busy time of the whole machine and of this process.
    struct Snapshot: Sendable {
        /// Seconds all cores spent busy since boot (/proc/stat), or nil where it cannot be read.
        var machineBusy: Double?
        /// Seconds of CPU this process used (user + system, all threads).
        var ownCPU: Double
        /// Monotonic wall-clock instant.
        var instant: ContinuousClock.Instant

        /// The counters now.
        static func now() -> Snapshot {
            Snapshot(machineBusy: CPUMeter.machineBusySeconds(), ownCPU: CPUMeter.ownCPUSeconds(), instant: ContinuousClock().now)
        }
    }

    /// The share (0...1) of all online cores that other processes kept busy since `start`;
    /// nil where /proc/stat is unavailable.
    static func otherShare(since start: Snapshot, until end: Snapshot = .now()) -> Double? {
        guard let before = start.machineBusy, let after = end.machineBusy else { return nil }
        let wall = (end.instant - start.instant).seconds
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        guard wall > 0, cores > 0 else { return nil }
        let others = (after - before) - (end.ownCPU - start.ownCPU)
        return min(1, max(0, others / (wall * cores)))
    }

    private static func machineBusySeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        // user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return nil }
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticksPerSecond > 0 ? busy / ticksPerSecond : nil
    }

    private static func ownCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
