import ArgumentParser
import Foundation
import Ledger

/// The control CLI: set-up, campaigns, signatures, audits and bundles.
struct Ledgerctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerctl",
        abstract: "Set up a Ledger node, manage campaigns, record signatures, audit and move bundles.",
        discussion: """
            The data folder is --data, else $LEDGER_DATA, else ./ledger-data.
            Exit status: 0 success, 1 integrity failure (verify found a fault, or a bundle failed \
            verification), 2 usage error, 3 any other failure (bad input, missing data folder, ...), \
            4 done, but forked logs or entries outside their authors' rights were found or stored \
            (see 'ledgerctl status').
            """,
        subcommands: [
            InitCommand.self, StatusCommand.self, CampaignCommand.self, DeviceCommand.self, SignCommand.self, CommentCommand.self,
            WithdrawCommand.self, ImportPaperCommand.self, StatsCommand.self, DeliverCommand.self, LogCommand.self,
            VerifyCommand.self, RebuildCommand.self, ExportCommand.self, ImportCommand.self, SyncCommand.self, PeersCommand.self,
            ForkCommand.self,
            BackupCommand.self,
            RestoreCommand.self,
            EraseCommand.self,
        ]
    )
}

/// Exit codes, documented in docs/CLI.md.
enum ExitStatus: Int32 {
    case success = 0
    case integrityFailure = 1
    case usage = 2
    case failure = 3
    /// The command did its work, but the ledger holds forked logs (or stored entries outside
    /// their authors' rights) that it found or caused: see `ledgerctl status`.
    case findings = 4
}

@main
enum Main {
    static func main() {
        do {
            var command = try Ledgerctl.parseAsRoot()
            try command.run()
        } catch {
            exit(status(for: error))
        }
    }

    /// Prints the error (one line for runtime errors) and returns the exit status.
    static func status(for error: any Error) -> Int32 {
        if let code = error as? ExitCode { return code.rawValue }
        switch error {
        case let error as StoreError:
            printError(error.description)
            switch error {
            case .rejected, .noGenesis: return ExitStatus.integrityFailure.rawValue
            default: break
            }
            return ExitStatus.failure.rawValue
        case let error as BundleError:
            printError(error.description)
            switch error {
            case .checksumMismatch, .headerMismatch: return ExitStatus.integrityFailure.rawValue
            default: break
            }
            return ExitStatus.failure.rawValue
        case let error as NodeError:
            printError(error.description)
            return ExitStatus.failure.rawValue
        case let error as CryptoError:
            printError(error.description)
            return ExitStatus.failure.rawValue
        case let error as PeerError:
            printError(error.description)
            return ExitStatus.failure.rawValue
        case let error as AuthError:
            printError(error.description)
            return ExitStatus.failure.rawValue
        case let error as PaperListError:
            printError(error.description)
            return ExitStatus.failure.rawValue
        case let error as FormatError:
            printError(error.description)
            return ExitStatus.failure.rawValue
        default:
            break
        }
        let code = Ledgerctl.exitCode(for: error)
        if code == .success {
            // --help, --version
            Ledgerctl.exit(withError: error)
        }
        if code == .validationFailure {
            FileHandle.standardError.write(Data((Ledgerctl.fullMessage(for: error) + "\n").utf8))
            return ExitStatus.usage.rawValue
        }
        printError("\(error)")
        return ExitStatus.failure.rawValue
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("ledgerctl: error: \(message)\n".utf8))
    }
}
