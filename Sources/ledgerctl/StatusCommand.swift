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

    @Flag(name: .long, help: "Compute the read-model digest however large the ledger (it reads every row: seconds per million entries).")
    var digest = false

    /// Up to this many entries, status computes the read-model digest itself (well under a second).
    static let digestQuickUpTo = 20_000

    func run() throws {
        let node = try global.openNode()
        let status = try node.info()
        // The digest reads every row: computed when quick or asked for, else the one remembered
        // while nothing has changed since (docs/READMODELS.md, "The digest").
        let digest: String? = try (self.digest || status.entries <= Self.digestQuickUpTo)
            ? node.store.rememberReadModelDigest().hex : node.store.knownReadModelDigest()?.hex
        let forks = try node.store.forkEntryCount()
        let forkedLogs = try node.store.forkedLogs()
        let witness = try node.witnessState()
        var transparency: String?
        if node.role == .hq, node.store.keepsMerkleTree {
            let (checkpoint, _) = try node.signCheckpoint()
            let cosigned = try node.store.cosignatureLines(epoch: checkpoint.epoch, size: checkpoint.size).count
            transparency = "tree:        \(checkpoint.size) leaves, epoch \(checkpoint.epoch), root \(checkpoint.root.short); \(cosigned) witness cosignature\(cosigned == 1 ? "" : "s") of this checkpoint ('ledgerctl checkpoint')"
        } else if let size = witness.size, let epoch = witness.epoch {
            transparency = "witnessed:   HQ's checkpoint of \(size) entries, epoch \(epoch), root \(witness.root?.prefix(12) ?? "")"
        }
        if output.json {
            struct Status: Encodable { var info: NodeInfo; var readModelDigest: String?; var forks: Int; var forkedLogs: [ForkedLog]; var witness: LedgerNode.WitnessState
                func encode(to encoder: any Encoder) throws {
                    try info.encode(to: encoder)
                    enum Keys: String, CodingKey { case readModelDigest, forks, forkedLogs, witness }
                    var container = encoder.container(keyedBy: Keys.self)
                    try container.encode(readModelDigest, forKey: .readModelDigest)
                    try container.encode(forks, forKey: .forks)
                    try container.encode(forkedLogs, forKey: .forkedLogs)
                    try container.encode(witness, forKey: .witness)
                }
            }
            try Output.json(Status(info: status, readModelDigest: digest, forks: forks, forkedLogs: forkedLogs, witness: witness))
        } else {
            status.printText()
            print("read models: \(digest ?? "not computed at \(status.entries) entries; 'ledgerctl status --digest' computes it (it reads every row)")")
            if let transparency { print(transparency) }
            if let alarm = witness.alarm {
                print("WITNESS ALARM: \(alarm)")
                print("  Its evidence: 'ledgerctl witness evidence --out FILE'; once the organisers have looked into it: 'ledgerctl witness acknowledge --evidence FILE'.")
            }
            for change in witness.epochChanges { print("NOTICE: \(change)") }
            for line in witness.acknowledged { print("NOTICE: \(line)") }
            for fork in forkedLogs { print(fork.line) }
            if let own = forkedLogs.first(where: { $0.device == node.key.publicKey.hex && !$0.isHQ }) {
                print("THIS NODE'S LOG IS FORKED at sequence \(own.forkSequence): a copy of this data folder also wrote entries under its key.")
                print("  It records nothing more under this key; what it recorded counts once HQ adopts the fork.")
                print("  Run 'ledgerctl device rekey' when HQ is reachable (docs/OPERATIONS.md, \"Forks\").")
            }
        }
    }
}
