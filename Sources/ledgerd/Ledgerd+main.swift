import ArgumentParser
import Foundation
import Logging

extension Ledgerd {
    /// Exit statuses, the same numbers as ledgerctl's.
    enum ExitStatus: Int32 {
        case success = 0
        case usage = 2
        case failure = 3
    }

    /// Parses the arguments and runs the daemon; every error ends as one line on stderr,
    /// `ledgerd: error: <description>`, and a non-zero exit status.
    static func main() async {
        let command: Ledgerd
        let config: DaemonConfig
        let format: LogFormat
        do {
            command = try parse()
            config = try command.loadConfig()
            format = try command.format(config)
            _ = try command.settings(config)  // a bad setting is a usage error, before anything starts
        } catch let error as DaemonError {
            printError(error.description)
            exit(withError: ExitCode(ExitStatus.usage.rawValue))
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help
            printError(message(for: error) + " (see 'ledgerd --help')")
            exit(withError: ExitCode(code == .validationFailure ? ExitStatus.usage.rawValue : ExitStatus.failure.rawValue))
        }
        switch format {
        case .text: LoggingSystem.bootstrap(StreamLogHandler.standardError)
        case .json: LoggingSystem.bootstrap(JSONLogHandler.init(label:))
        }
        do {
            try await command.run(config: config)
        } catch {
            printError(String(describing: error))
            exit(withError: ExitCode(ExitStatus.failure.rawValue))
        }
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data("ledgerd: error: \(message)\n".utf8))
    }
}
