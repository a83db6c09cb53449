import ArgumentParser
import Foundation
import Ledger

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a node in the data folder: a new HQ ledger, or a verified copy of a bundle.",
        discussion: """
            --hq creates the ledger: HQ's signing key, sealing key and pseudonym key (files with mode \
            0600 in DIR/keys) and the genesis entry. --from-bundle creates an observer node that holds \
            a verified copy of an exported ledger, for an auditor or a spare machine. An existing node \
            is never overwritten.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Create a new ledger with this node as HQ.")
    var hq = false

    @Option(name: .long, help: "The ledger's name, for example the organisation's (with --hq).")
    var name: String?

    @Option(name: .customLong("from-bundle"), help: ArgumentHelp("Create an observer node from a bundle file.", valueName: "FILE"))
    var fromBundle: String?

    func validate() throws {
        if hq == (fromBundle != nil) { throw ValidationError("give exactly one of --hq or --from-bundle FILE") }
        if hq && name == nil { throw ValidationError("--hq needs --name NAME") }
        if !hq && name != nil { throw ValidationError("--name goes with --hq") }
    }

    func run() throws {
        let path = global.dataPath
        if NodeFolder(path: path).exists { throw NodeError.alreadyInitialised(path: path) }
        let node: LedgerNode
        if hq, let name {
            node = try LedgerNode.createHQ(at: path, name: name)
        } else if let fromBundle {
            let bundle = try LedgerNode.readBundle(at: fromBundle)
            node = try LedgerNode.createObserver(at: path, bundle: bundle).0
        } else {
            return
        }
        let status = try node.info()
        if output.json {
            try Output.json(status)
        } else {
            print("Created \(node.role.rawValue) node in \(node.folder.path)")
            status.printText()
        }
    }
}
