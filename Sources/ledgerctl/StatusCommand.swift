import ArgumentParser
import Foundation
import Ledger

extension NodeInfo {
    func printText() {
        print("ledger:      \(ledger) (\(name))")
        print("node key:    \(node)")
        print("fingerprint: \(fingerprint)")
        print("role:        \(role)")
        print("entries:     \(entries) in \(heads.count) log\(heads.count == 1 ? "" : "s")")
        for head in heads {
            print("  \(head.author.prefix(12))  sequence \(head.sequence)  head \(head.id.prefix(12))")
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the node's ledger, key, role and log heads.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let status = try global.openNode().info()
        if output.json { try Output.json(status) } else { status.printText() }
    }
}
