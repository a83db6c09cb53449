import ArgumentParser
import Foundation
import Ledger

struct ForkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fork",
        abstract: "List forked logs; adopt a forked device's branches so they count (HQ only).",
        discussion: """
            A fork is two or more different entries at one sequence of one device's log: its data \
            folder was copied (a cloned disk, a restored backup) and both copies wrote. Every branch \
            is kept. HQ's own branches always count; another device's entries from the fork on are \
            held until HQ adopts them (docs/FORMAT.md section 8, "Forks"; docs/OPERATIONS.md).
            """,
        subcommands: [List.self, Adopt.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List every forked log and what it holds back.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let forks = try global.openNode().store.forkedLogs()
            if output.json {
                try Output.json(forks)
                return
            }
            if forks.isEmpty { print("No forked logs.") }
            for fork in forks { print(fork.line) }
        }
    }

    struct Adopt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt every branch HQ holds of a device's forked log, so its held entries count (HQ only).",
            discussion: """
                Adopt after review: when the branches were recorded by your own volunteers (a cloned \
                or restored laptop), adopting counts every signer on them, each person once. Do not \
                adopt branches of a lost or stolen laptop that someone else may have written: revoke it.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The device's key or a prefix of it (see 'ledgerctl fork list').", valueName: "ID")) var id: String
        @Option(name: .long, help: "Why, for the audit (for example: laptop 3's disk was cloned).") var reason: String?

        func run() throws {
            let node = try global.openNode()
            let forks = try node.store.forkedLogs()
            let matches = forks.filter { $0.device.hasPrefix(id.lowercased()) }
            guard matches.count == 1, let device = PublicKey(hex: matches[0].device) else {
                throw NodeError.ambiguous(matches.isEmpty ? "no forked log starts with \(id); see 'ledgerctl fork list'" : "\(id) matches \(matches.count) forked logs; give more characters")
            }
            let entry = try node.adoptFork(device: device, reason: reason)
            let after = try node.store.forkedLogs().first { $0.device == device.hex }
            print("Adopted the branches of \(matches[0].label) (entry \(entry.id.short)): \(matches[0].held) held entries now count\(after.map { $0.held > 0 ? "; \($0.held) still held" : "" } ?? "").")
        }
    }
}

extension ForkedLog {
    var label: String { "\(name ?? "unknown device") (\(device.prefix(12)))" }

    /// One line for `status` and `fork list`: what happened and what to do.
    var line: String {
        if isHQ {
            return "FORK: HQ's own log forked at sequence \(forkSequence) (HQ restored from an old copy?): \(entries) entries on \(branches) branches, all counted; nothing to do."
        }
        let todo = held == 0 ? "all adopted" : "\(held) held (\(heldSignatures) signature\(heldSignatures == 1 ? "" : "s")) until HQ adopts them: ledgerctl fork adopt \(device.prefix(12))"
        return "FORK: \(label) forked at sequence \(forkSequence): \(entries) entries on \(branches) branches; \(todo)"
    }
}
