import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A command run to its end as a child process, with its wall time and peak resident memory
/// (`VmHWM`, read every 5 ms while it runs), for the scale figures: what an operator's `ledgerctl` costs.
struct ChildRun: Sendable {
    var status: Int32
    var seconds: Double
    /// Peak resident set size in bytes.
    var maxResident: Int
    /// What it wrote on stdout and stderr (stdout first), for the error when it fails.
    var output: String

    /// Runs `executable` with `arguments`, output to a temporary file (never a pipe that could fill).
    static func run(_ executable: String, _ arguments: [String]) throws -> ChildRun {
        let outputPath = NSTemporaryDirectory() + "ledger-bench-child-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).txt"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let started = Date()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError.referenceFailed("cannot start \(executable): error \(spawned)") }
        // The peak is read from /proc while the child runs: `wait4`'s `ru_maxrss` would count the
        // bench's own memory, which a spawned child shares until it runs its program.
        let peak = PeakWatcher(pid: pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError.referenceFailed("waitpid failed for \(executable): errno \(errno)") }
        }
        let seconds = Date().timeIntervalSince(started)
        let maxResident = peak.stop()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally: the low 7 bits are 0 and the status is in the next 8.
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildRun(status: exitStatus, seconds: seconds, maxResident: maxResident, output: output)
    }

    /// Throws unless the command exited 0.
    func checked(_ what: String) throws -> ChildRun {
        guard status == 0 else {
            throw BenchError.referenceFailed("\(what) exited \(status): \(output.suffix(400))")
        }
        return self
    }
}

/// Peak resident memory of a running process (`VmHWM` in /proc/PID/status), in bytes; nil when unknown.
func peakResident(of pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").compactMap { Int($0) }
        if let kib = digits.first { return kib * 1024 }
    }
    return nil
}

/// Polls a process's peak resident memory every 5 ms on its own thread until stopped.
private final class PeakWatcher: @unchecked Sendable {
    // @unchecked: `peak` and `running` are only touched under `lock`.
    private let lock = NSLock()
    private var peak = 0
    private var running = true

    init(pid: pid_t) {
        Thread.detachNewThread { [self] in
            // posix_spawn returns once the child runs its own program, so the first reading is
            // already the child's; then every 5 ms (a command of 20 ms gets a few readings).
            while lock.withLock({ running }) {
                if let value = peakResident(of: pid) { lock.withLock { peak = max(peak, value) } }
                usleep(5_000)
            }
        }
    }

    /// Stops polling; the highest peak seen.
    func stop() -> Int {
        lock.withLock {
            running = false
            return peak
        }
    }
}
