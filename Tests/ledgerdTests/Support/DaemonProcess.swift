import Foundation

/// A real `ledgerd` child process, for end-to-end tests. Collects its stderr line by line on a
/// thread of its own (so the pipe never fills up) and lets a test wait for a line.
///
/// For example:
/// ```swift
/// let daemon = try DaemonProcess(arguments: ["--data", path, "--listen", "127.0.0.1:0"])
/// defer { daemon.kill() }
/// let url = try #require(await daemon.servingURL())
/// ```
final class DaemonProcess: @unchecked Sendable {
    /// How the process ended.
    struct Exit: Equatable, CustomStringConvertible {
        /// True when it exited by itself, false when a signal killed it.
        var exited: Bool
        /// The exit status, or the signal number.
        var status: Int32
        var description: String { exited ? "exit status \(status)" : "killed by signal \(status)" }
    }

    private let process = Process()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = Data()
    private var ended = false
    private var waiters: [(marker: String, continuation: CheckedContinuation<String?, Never>)] = []

    /// Launches the `ledgerd` built next to the tests, stdout discarded, stderr collected.
    init(arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = try Self.binary()
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? pipe.fileHandleForWriting.close()  // the child holds its own copy: EOF comes when it exits
        let reading = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in readLoop(reading) }
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }

    /// True until the process has ended.
    var isRunning: Bool { process.isRunning }

    /// Everything the process wrote to stderr so far, for failure messages.
    var stderr: String { lock.withLock { (lines + [String(decoding: partial, as: UTF8.self)]).joined(separator: "\n") } }

    /// Waits for the first stderr line that contains `marker`; nil when stderr ends without one.
    func line(containing marker: String) async -> String? {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let line = lines.first(where: { $0.contains(marker) }) {
                lock.unlock()
                continuation.resume(returning: line)
            } else if ended {
                lock.unlock()
                continuation.resume(returning: nil)
            } else {
                waiters.append((marker, continuation))
                lock.unlock()
            }
        }
    }

    /// Waits at most `timeout` for a stderr line that contains `marker`, counting only lines after
    /// the first `skipping` ones; nil when none came.
    func line(containing marker: String, after skipping: Int = 0, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let found = lock.withLock { lines.dropFirst(skipping).first { $0.contains(marker) } }
            if let found { return found }
            if ContinuousClock.now >= deadline || (lock.withLock { ended }) { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// How many stderr lines came so far, to wait for a line that comes after them.
    var lineCount: Int { lock.withLock { lines.count } }

    /// Waits for the `Serving http://HOST:PORT` line and returns that URL.
    func servingURL() async -> URL? {
        guard let line = await line(containing: "Serving http://"),
              let start = line.range(of: "http://") else { return nil }
        return URL(string: String(line[start.lowerBound...].prefix { !$0.isWhitespace }))
    }

    /// Sends a signal (SIGTERM, SIGINT, ...).
    func send(_ signal: Int32) {
        _ = Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits until the process ends, without a time limit (the test's time limit applies).
    func waitForExit() async -> Exit {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [process] in
                process.waitUntilExit()
                continuation.resume(returning: Exit(exited: process.terminationReason == .exit, status: process.terminationStatus))
            }
        }
    }

    /// Kills the process with SIGKILL and waits until it is gone, blocking the calling thread: for a
    /// test that cuts a transfer from inside a sync's progress callback.
    func killNow() {
        send(SIGKILL)
        process.waitUntilExit()
    }

    /// Kills the process with SIGKILL if it still runs; for `defer`.
    func kill() {
        if process.isRunning { send(SIGKILL) }
    }

    private func readLoop(_ handle: FileHandle) {
        while true {
            let chunk = handle.availableData
            lock.lock()
            if chunk.isEmpty {
                ended = true
                if !partial.isEmpty { lines.append(String(decoding: partial, as: UTF8.self)) }
                partial = Data()
                let pending = waiters
                waiters = []
                let all = lines
                lock.unlock()
                for waiter in pending { waiter.continuation.resume(returning: all.first { $0.contains(waiter.marker) }) }
                return
            }
            partial.append(chunk)
            var ready: [(CheckedContinuation<String?, Never>, String)] = []
            while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: partial[partial.startIndex..<newline], as: UTF8.self)
                partial = Data(partial[partial.index(after: newline)...])
                lines.append(line)
                waiters.removeAll { waiter in
                    guard line.contains(waiter.marker) else { return false }
                    ready.append((waiter.continuation, line))
                    return true
                }
            }
            lock.unlock()
            for (continuation, line) in ready { continuation.resume(returning: line) }
        }
    }

    /// The `ledgerd` executable: next to the test binary (SwiftPM puts both in the same build
    /// folder), else in `.build/debug/` above this source file.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("ledgerd"))
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledgerd"))
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            candidates.append(directory.appendingPathComponent(".build/debug/ledgerd"))
            directory = directory.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw DaemonProcessError.binaryNotFound(searched: candidates.map(\.path))
        }
        return found
    }
}

/// Why a ``DaemonProcess`` could not start.
enum DaemonProcessError: Error, CustomStringConvertible {
    case binaryNotFound(searched: [String])

    var description: String {
        switch self {
        case .binaryNotFound(let searched):
            return "no ledgerd executable; build it first (swift build --build-tests). Searched: \(searched.joined(separator: ", "))"
        }
    }
}
