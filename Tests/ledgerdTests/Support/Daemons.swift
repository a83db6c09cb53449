import Foundation
import Testing

@testable import ledgerd

/// A `ledgerd` serving a data folder on a loopback port it picked, with its base URL.
struct RunningDaemon {
    let process: DaemonProcess
    let url: URL

    /// Starts `ledgerd --data DATA --listen 127.0.0.1:0 ARGUMENTS...` and waits for its `Serving` line.
    static func start(data: String, _ arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) async throws -> RunningDaemon {
        let process = try DaemonProcess(arguments: ["--data", data, "--listen", "127.0.0.1:0"] + arguments)
        guard let url = await process.servingURL() else {
            process.kill()
            throw DaemonStartError(stderr: process.stderr)
        }
        return RunningDaemon(process: process, url: url)
    }

    /// Stops it with SIGTERM and returns how it ended.
    func stop() async -> DaemonProcess.Exit {
        process.send(SIGTERM)
        return await process.waitForExit()
    }
}

struct DaemonStartError: Error, CustomStringConvertible {
    let stderr: String
    var description: String { "ledgerd printed no Serving line; stderr:\n\(stderr)" }
}
