import ArgumentParser
import Foundation
import Ledger

/// The control CLI: set-up, campaigns, signatures, audits and bundles.
struct Ledgerctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerctl",
        abstract: "Set up a Ledger node, manage campaigns, record signatures, audit and move bundles.",
        discussion: """
            The data folder is --data, else $LEDGER_DATA, else ./ledger-data; --data goes before or \
            after the command ('ledgerctl --data DIR status' or 'ledgerctl status --data DIR').
            Exit status: 0 success, 1 integrity failure (verify found a fault, or a bundle failed \
            verification), 2 usage error, 3 any other failure (bad input, missing data folder, ...), \
            4 done, but forked logs or entries outside their authors' rights were found or stored \
            (see 'ledgerctl status').
            """,
        version: LedgerVersion.string,
        subcommands: [
            InitCommand.self,
            StatusCommand.self,
            CampaignCommand.self,
            DeviceCommand.self,
            SignCommand.self,
            CommentCommand.self,
            WithdrawCommand.self,
            ImportPaperCommand.self,
            PaperCommand.self,
            StatsCommand.self,
            DeliverCommand.self,
            LogCommand.self,
            VerifyCommand.self,
            RebuildCommand.self,
            ExportCommand.self,
            ImportCommand.self,
            SyncCommand.self,
            PeersCommand.self,
            ForkCommand.self,
            BackupCommand.self,
            RestoreCommand.self,
            EraseCommand.self,
            RetentionCommand.self,
            CheckpointCommand.self,
            ReceiptCommand.self,
            TallyCommand.self,
            WitnessCommand.self,
        ]
    )

    /// `--data DIR` before the command; every command's own `GlobalOptions` sees it
    /// (swift-argument-parser shares an option group's parsed values with subcommands).
    @OptionGroup var global: GlobalOptions
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
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try Ledgerctl.parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(status(for: error, arguments: arguments))
        }
    }

    /// Prints the error as one line and returns the exit status. `suffix` adds what happened
    /// around the error ("; nothing was created in DIR"); `arguments` name the command for the
    /// hint after a usage error.
    static func status(for error: any Error, suffix: String = "", arguments: [String] = []) -> Int32 {
        if let code = error as? ExitCode { return code.rawValue }
        let (message, status): (String, ExitStatus)
        switch error {
        case let error as StoreError:
            switch error {
            case .rejected, .noGenesis, .orphanPayload: (message, status) = (error.description, .integrityFailure)
            default: (message, status) = (error.description, .failure)
            }
        case let error as BundleError:
            switch error {
            // A file refused for its content (truncated, altered, not in the form of a bundle) failed
            // verification: exit 1 (docs/CLI.md). An unreadable file or another format version: exit 3.
            case .notABundle, .checksumMismatch, .headerMismatch, .truncated, .malformed: (message, status) = (error.description, .integrityFailure)
            case .unsupportedVersion, .unreadable: (message, status) = (error.description, .failure)
            }
        case let error as NodeError: (message, status) = (error.description, .failure)
        case let error as CryptoError: (message, status) = (error.description, .failure)
        case let error as PeerError: (message, status) = (error.description, .failure)
        case let error as AuthError: (message, status) = (error.description, .failure)
        case let error as PaperListError: (message, status) = (error.description, .failure)
        case let error as FormatError: (message, status) = (error.description, .failure)
        case let error as NoteError: (message, status) = ("it does not hold: \(error)", .integrityFailure)
        default:
            let code = Ledgerctl.exitCode(for: error)
            if code == .success {
                // --help, --version
                Ledgerctl.exit(withError: error)
            }
            if code == .validationFailure {
                printError(Ledgerctl.message(for: error) + suffix + " (see '\(helpCommand(for: arguments))')")
                return ExitStatus.usage.rawValue
            }
            (message, status) = ("\(error)", .failure)
        }
        printError(message + suffix)
        return status.rawValue
    }

    /// `ledgerctl help COMMAND [SUBCOMMAND]` for the command the arguments name, as far as they
    /// name one; `ledgerctl help` otherwise.
    static func helpCommand(for arguments: [String]) -> String {
        var command: any ParsableCommand.Type = Ledgerctl.self
        var path: [String] = []
        var skipValue = false
        for argument in arguments {
            if skipValue { skipValue = false; continue }
            if argument == "--data" { skipValue = true; continue }
            if argument.hasPrefix("-") { continue }
            guard let sub = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            command = sub
            path.append(argument)
        }
        return (["ledgerctl", "help"] + path).joined(separator: " ")
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("ledgerctl: error: \(message)\n".utf8))
    }
}
