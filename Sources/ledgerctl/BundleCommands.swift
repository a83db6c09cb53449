import ArgumentParser
import Foundation
import Ledger

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every entry, fork and payload this node holds to a bundle file.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progressOptions: ProgressOptions

    @Option(name: .long, help: ArgumentHelp("The bundle file to write.", valueName: "FILE"))
    var out: String

    func run() throws {
        let line = progressOptions.line(json: output.json)
        defer { line.finish() }
        let bundle = try global.openNode().exportBundle(to: out, progress: line.report)
        line.finish()
        if output.json {
            struct Exported: Encodable { var file: String; var ledger: String; var entries: Int; var forks: Int; var payloads: Int }
            try Output.json(Exported(file: out, ledger: bundle.ledger.hex, entries: bundle.entries.count, forks: bundle.forks.count, payloads: bundle.payloads.count))
        } else {
            print("Wrote \(bundle.entries.count) entries, \(bundle.forks.count) fork entries and \(bundle.payloads.count) payloads to \(out)")
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Verify a bundle file and store what is new; a bad bundle is refused whole.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progressOptions: ProgressOptions

    @Argument(help: ArgumentHelp("The bundle file.", valueName: "FILE"))
    var file: String

    func run() throws {
        let node = try global.openNode()
        let bundle = try LedgerNode.readBundle(at: file)
        let line = progressOptions.line(json: output.json)
        defer { line.finish() }
        let report = try node.importBundle(bundle, progress: line.report)
        line.finish()
        if output.json {
            try Output.json(report)
        } else {
            print("Imported \(report.added) new entries and \(report.payloadsAdded) payloads (\(report.known) already held).")
            for fault in report.outsideRights { print("UNAUTHORISED \(fault)") }
            if !report.outsideRights.isEmpty {
                print("\(report.outsideRights.count) entr\(report.outsideRights.count == 1 ? "y is" : "ies are") past a device's revocation: kept as evidence, never counted.")
            }
            for fault in report.refused { print("REFUSED \(fault)") }
            if !report.forks.isEmpty {
                print("\(report.forks.count) branch entr\(report.forks.count == 1 ? "y" : "ies") of forked logs stored:")
                for fork in try node.store.forkedLogs() { print("  \(fork.line)") }
            }
        }
        if !report.forks.isEmpty || !report.outsideRights.isEmpty || !report.refused.isEmpty {
            throw ExitCode(ExitStatus.findings.rawValue)
        }
    }
}
