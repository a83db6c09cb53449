import ArgumentParser
import Foundation
import Ledger

/// `ledgerctl witness`: a laptop's witness alarm (docs/OPERATIONS.md, "Checkpoints and witness
/// alarms"): write out its evidence, and acknowledge it once the organisers have looked into it.
struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Write out a witness alarm's evidence, or acknowledge the alarm (laptops).",
        discussion: """
            A witness alarm means HQ showed this laptop a history that does not extend the one it \
            showed before ('ledgerctl status' shows it; docs/PROTOCOL.md, "Witnessing"). It stays \
            until the organisers acknowledge it here, after they have looked into it.
            """,
        subcommands: [Evidence.self, Acknowledge.self])

    /// Writes `evidence` as pretty JSON to a new file (or standard output for `-`).
    static func write(_ evidence: LedgerNode.WitnessEvidence, to path: String) throws {
        let data = try Output.jsonData(evidence) + Data("\n".utf8)
        if path == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw NodeError.ambiguous("\(path) exists; refusing to overwrite it (choose a new file)")
        }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o644]) else {
            throw NodeError.ambiguous("cannot write \(path)")
        }
    }

    struct Evidence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the current witness alarm's evidence: HQ's two signed checkpoints and the proof it sent.",
            discussion: """
                The file (JSON, docs/PROTOCOL.md, "Witness alarms") holds no personal data: give it to \
                whoever looks into the alarm. Both checkpoints verify with HQ's checkpoint key \
                ('ledgerctl checkpoint --key'). Exits 3 when there is no alarm.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("A new file to write it to; - for standard output.", valueName: "FILE"))
        var out: String

        func run() throws {
            guard let evidence = try global.openNode().witnessEvidence() else {
                throw NodeError.ambiguous("there is no witness alarm on this node")
            }
            try WitnessCommand.write(evidence, to: out)
            if out != "-" { print("Wrote the witness alarm's evidence to \(out).") }
        }
    }

    struct Acknowledge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Acknowledge the witness alarm: write its evidence, then forget the alarm and the checkpoint held.",
            discussion: """
                Only once the organisers have looked into the alarm: the evidence goes to --evidence \
                (a new file) first; then the alarm is cleared and the next sync takes HQ's newest \
                checkpoint as if it were the first. 'ledgerctl status' keeps a line saying when and \
                where the evidence went.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("A new file for the alarm's evidence (required: the alarm is forgotten after).", valueName: "FILE"))
        var evidence: String

        func validate() throws {
            guard evidence != "-" else { throw ValidationError("--evidence must be a file: the evidence is kept, not only shown") }
        }

        func run() throws {
            let node = try global.openNode()
            guard let kept = try node.witnessEvidence() else {
                throw NodeError.ambiguous("there is no witness alarm to acknowledge ('ledgerctl status' shows one when there is)")
            }
            try WitnessCommand.write(kept, to: evidence)
            let path = URL(fileURLWithPath: evidence).standardizedFileURL.path
            print(try node.acknowledgeWitnessAlarm(evidenceFile: path, now: SystemClock().nowMillis()))
        }
    }
}
