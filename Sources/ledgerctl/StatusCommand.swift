import ArgumentParser
import Foundation
import Ledger

/// What `status` and `init` print.
struct NodeStatus: Encodable {
    var ledger: String
    var name: String
    var node: String
    var fingerprint: String
    var role: String
    var entries: Int
    var heads: [LogHead]

    init(node: LedgerNode) throws {
        let ledger = try node.ledgerID
        do {
            let genesis = try node.store.entry(id: ledger)
            name = (try? genesis?.decodeBody(LedgerCreated.self).name) ?? ""
        }
        self.ledger = ledger.hex
        self.node = node.key.publicKey.hex
        fingerprint = node.key.publicKey.fingerprint
        role = node.role.rawValue
        entries = try node.store.entryCount()
        heads = try node.store.heads()
    }

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
        let status = try NodeStatus(node: try global.openNode())
        if output.json { try Output.json(status) } else { status.printText() }
    }
}
