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
        let node = try global.openNode()
        let status = try node.info()
        let digest = try node.store.readModelDigest().hex
        let forks = try node.store.forkEntries().count
        let forkedLogs = try node.store.forkedLogs()
        if output.json {
            struct Status: Encodable { var info: NodeInfo; var readModelDigest: String; var forks: Int; var forkedLogs: [ForkedLog]
                func encode(to encoder: any Encoder) throws {
                    try info.encode(to: encoder)
                    enum Keys: String, CodingKey { case readModelDigest, forks, forkedLogs }
                    var container = encoder.container(keyedBy: Keys.self)
                    try container.encode(readModelDigest, forKey: .readModelDigest)
                    try container.encode(forks, forKey: .forks)
                    try container.encode(forkedLogs, forKey: .forkedLogs)
                }
            }
            try Output.json(Status(info: status, readModelDigest: digest, forks: forks, forkedLogs: forkedLogs))
        } else {
            status.printText()
            print("read models: \(digest)")
            for fork in forkedLogs { print(fork.line) }
            if let own = forkedLogs.first(where: { $0.device == node.key.publicKey.hex && !$0.isHQ }) {
                print("THIS NODE'S LOG IS FORKED at sequence \(own.forkSequence): a copy of this data folder also wrote entries under its key.")
                print("  It records nothing more under this key; what it recorded counts once HQ adopts the fork.")
                print("  Run 'ledgerctl device rekey' when HQ is reachable (docs/OPERATIONS.md, \"Forks\").")
            }
        }
    }
}
