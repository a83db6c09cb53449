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
        if output.json {
            struct Status: Encodable { var info: NodeInfo; var readModelDigest: String; var forks: Int
                func encode(to encoder: any Encoder) throws {
                    try info.encode(to: encoder)
                    enum Keys: String, CodingKey { case readModelDigest, forks }
                    var container = encoder.container(keyedBy: Keys.self)
                    try container.encode(readModelDigest, forKey: .readModelDigest)
                    try container.encode(forks, forKey: .forks)
                }
            }
            try Output.json(Status(info: status, readModelDigest: digest, forks: forks))
        } else {
            status.printText()
            print("read models: \(digest)")
            if forks > 0 { print("FORKS:       \(forks) fork entr\(forks == 1 ? "y" : "ies") held as evidence; see 'ledgerctl verify'") }
        }
    }
}
