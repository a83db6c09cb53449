import Foundation
import Ledger

/// What the figures were measured on: cores, CPU model and the load when the run started.
struct Machine: Sendable {
    /// Cores the operating system reports as online.
    var onlineCores: Int
    /// Worker threads Ledger's parallel signature check uses (``ParallelSignatures/workers``).
    var coresInUse: Int
    /// The CPU model from /proc/cpuinfo, or "unknown".
    var cpuModel: String
    /// The 1-, 5- and 15-minute load averages from /proc/loadavg, as printed there.
    var loadAverage: String

    /// Reads the current machine.
    static func current() -> Machine {
        Machine(
            onlineCores: ProcessInfo.processInfo.processorCount,
            coresInUse: ParallelSignatures.workers,
            cpuModel: cpuModelName() ?? "unknown",
            loadAverage: loadAverages() ?? "unknown")
    }

    /// Load averages now, for the report's start and end lines.
    static func loadAverages() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    private static func cpuModelName() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
