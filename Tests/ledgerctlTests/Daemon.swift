import Foundation

/// A real `ledgerd` built beside `ledgerctl`, serving a data folder on a loopback port it picks;
/// for the CLI tests that need HQ online (joining).
final class Daemon: @unchecked Sendable {
    let process = Process()
    let url: URL

    /// Starts `ledgerd --data DATA --listen 127.0.0.1:0` and waits (up to 30 s) for its `Serving` line.
    init(data: String) throws {
        let binary = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("ledgerd")
        process.executableURL = binary
        process.arguments = ["--data", data, "--listen", "127.0.0.1:0"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? pipe.fileHandleForWriting.close()
        let reading = pipe.fileHandleForReading
        var seen = ""
        var found: URL?
        let deadline = Date().addingTimeInterval(30)
        while found == nil, Date() < deadline {
            let chunk = reading.availableData
            if chunk.isEmpty { break }  // ledgerd exited
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: "Serving http://") {
                let rest = seen[range.lowerBound...].dropFirst("Serving ".count)
                if let end = rest.firstIndex(where: { $0.isWhitespace }) { found = URL(string: String(rest[..<end])) }
            }
        }
        guard let found else {
            process.terminate()
            throw DaemonError(stderr: seen)
        }
        url = found
        // Keep draining stderr so that ledgerd never blocks on a full pipe.
        Thread.detachNewThread { while !reading.availableData.isEmpty {} }
    }

    struct DaemonError: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "ledgerd printed no Serving line: \(stderr)" }
    }

    /// Stops it with SIGTERM and waits.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
