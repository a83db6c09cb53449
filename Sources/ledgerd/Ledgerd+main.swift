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
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let command: Ledgerd
        do {
            command = try parse()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help
            printError(message(for: error) + " (see 'ledgerd --help')")
            exit(withError: ExitCode(code == .validationFailure ? ExitStatus.usage.rawValue : ExitStatus.failure.rawValue))
        }
        do {
            try await command.run()
        } catch {
            printError(String(describing: error))
            exit(withError: ExitCode(ExitStatus.failure.rawValue))
        }
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data("ledgerd: error: \(message)\n".utf8))
    }
}
