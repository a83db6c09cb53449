import ArgumentParser
import Foundation
import Ledger

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of this node (store, keys, peers) to a file, also while ledgerd runs.",
        discussion: """
            The file holds the node's keys and the sealed personal data: it is written with mode \
            0600; keep it like the data folder itself. Restore it with 'ledgerctl restore FILE'.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: ArgumentHelp("The backup file to write (never overwritten).", valueName: "FILE"))
    var out: String

    func run() throws {
        let summary = try global.openNode().backup(to: out)
        if output.json {
            try Output.json(summary)
        } else {
            print("Backed up \(summary.entries) log entries, \(summary.files.count) files (\(summary.files.joined(separator: ", "))) to \(out) (mode 0600).")
        }
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a node from a backup file into an empty data folder, catching up from its peers before it writes.",
        discussion: """
            The data folder (--data) must not hold a node. A restored laptop syncs with its peers \
            (peers.json) at once and records nothing until one sync succeeded, so it pulls back what \
            it wrote after the backup instead of forking its log. HQ's own log never holds writes back \
            (docs/OPERATIONS.md, "Backups and restores").
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The backup file, from 'ledgerctl backup'.", valueName: "FILE"))
    var file: String

    func run() throws {
        let summary = try LedgerNode.restore(from: file, at: global.dataPath)
        let node = summary.node
        print("Restored \(node.role.rawValue) node \(node.key.publicKey.short) into \(node.folder.path): \(try node.store.entryCount()) log entries.")
        for peer in summary.caughtUpFrom { print("Caught up from \(peer).") }
        for (peer, reason) in summary.unreachable { print("Could not reach \(peer): \(reason)") }
        if summary.writesHeld {
            print("Writes are held until this node has synced with a peer: run 'ledgerctl sync' (or start ledgerd) when one is reachable.")
            throw ExitCode(ExitStatus.findings.rawValue)
        }
        if node.key.publicKey == node.store.hqKey {
            print("HQ's log may be behind what the laptops hold: they send it back at their next sync. What HQ writes meanwhile may fork HQ's log; that is reported and loses nothing (docs/OPERATIONS.md).")
        }
    }
}
