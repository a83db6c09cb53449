import ArgumentParser
import Foundation
import Ledger

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a node in the data folder: a new HQ ledger, a laptop joining one, or a verified copy of a bundle.",
        discussion: """
            --hq creates the ledger: HQ's signing key, sealing key and pseudonym key (files with mode \
            0600 in DIR/keys) and the genesis entry. --from-bundle creates an observer node that holds \
            a verified copy of an exported ledger, for an auditor or a spare machine. --join TOKEN makes \
            a field laptop from the token HQ printed ('ledgerctl device invite'), given as the token or as \
            the file 'device invite --out' wrote: it creates the laptop's keys, asks HQ to enrol it and \
            pulls HQ's log; with --offline it only prints the laptop's key for 'ledgerctl device enrol' at \
            HQ, and the ledger arrives later by sync or 'ledgerctl import'. \
            Set-up is all or nothing: when it fails (a used token, HQ unreachable, ...) nothing is left \
            in DIR, and the command can simply be run again. An existing node is never overwritten.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Create a new ledger with this node as HQ.")
    var hq = false

    @Option(name: .long, help: "The ledger's name, for example the organisation's (with --hq).")
    var name: String?

    @Option(name: .customLong("from-bundle"), help: ArgumentHelp("Create an observer node from a bundle file.", valueName: "FILE"))
    var fromBundle: String?

    @Option(name: .long, help: ArgumentHelp("Join a ledger as a field laptop with HQ's join token, or a file holding it.", valueName: "TOKEN|FILE"))
    var join: String?

    @Flag(name: .long, help: "With --join: do not contact HQ now; print this laptop's key for 'device enrol'.")
    var offline = false

    func validate() throws {
        if [hq, fromBundle != nil, join != nil].filter({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --hq, --join TOKEN or --from-bundle FILE")
        }
        if offline && join == nil { throw ValidationError("--offline goes with --join") }
        if let join, Self.token(join) == nil {
            throw ValidationError("--join takes a join token (it starts with \(JoinToken.prefix)) or a file holding one, as 'ledgerctl device invite' gives")
        }
        if hq && name == nil { throw ValidationError("--hq needs --name NAME") }
        if !hq && name != nil { throw ValidationError("--name goes with --hq") }
    }

    func run() throws {
        let path = global.dataPath
        if NodeFolder(path: path).exists { throw NodeError.alreadyInitialised(path: path) }
        let node: LedgerNode
        var findings: IngestReport?
        if hq, let name {
            node = try LedgerNode.createHQ(at: path, name: name)
        } else if let join, let token = Self.token(join) {
            do {
                node = try LedgerNode.createFromToken(at: path, token: token, enrol: !offline)
            } catch {
                // One line: what went wrong, and that nothing is left to clean up.
                let status = Main.status(for: error, suffix: "; nothing was created in \(NodeFolder(path: path).path), so run the command again once fixed")
                throw ExitCode(status == ExitStatus.integrityFailure.rawValue ? status : ExitStatus.failure.rawValue)
            }
            print("Created field laptop \(node.key.publicKey.fingerprint) for ledger \(token.ledger.prefix(12)) (\(token.name)).")
            if offline {
                print("Offline: at HQ, run")
                print("  ledgerctl device enrol \(node.key.publicKey.hex) --name \"\(token.name)\"")
                print("then bring HQ's bundle here ('ledgerctl export' at HQ, 'ledgerctl import FILE' here), or sync once online.")
                return
            }
            print("Enrolled by HQ as \(token.name).")
            do {
                guard let url = URL(string: token.url) else { throw NodeError.ambiguous("the join token is damaged (url)") }
                let report = try SyncClient(node: node, peer: url).syncWaiting()
                print("Pulled \(report.pulled) entries from \(token.url).")
            } catch {
                Main.printError("pulling HQ's log failed: \(error)")
                print("The laptop is enrolled; run 'ledgerctl sync' when HQ is reachable to fetch the ledger.")
                throw ExitCode(ExitStatus.failure.rawValue)
            }
        } else if let fromBundle {
            let bundle = try LedgerNode.readBundle(at: fromBundle)
            let report: IngestReport
            (node, report) = try LedgerNode.createObserver(at: path, bundle: bundle)
            findings = report
        } else {
            return
        }
        let status = try node.info()
        if output.json {
            try Output.json(status)
        } else {
            print("Created \(node.role.rawValue) node in \(node.folder.path)")
            status.printText()
            for fault in findings?.refused ?? [] { print("REFUSED \(fault)") }
            for fork in try node.store.forkedLogs() { print(fork.line) }
            if let count = findings?.outsideRights.count, count > 0 { print("\(count) entries past a device's revocation: kept as evidence, never counted.") }
        }
        // A bundle with forks or evidence: done, and exit 4 (docs/CLI.md).
        if let findings, !findings.forks.isEmpty || !findings.refused.isEmpty || !findings.outsideRights.isEmpty {
            throw ExitCode(ExitStatus.findings.rawValue)
        }
    }

    /// The token in `text`, or in the file `text` names (as 'device invite --out' writes it).
    static func token(_ text: String) -> JoinToken? {
        if let token = JoinToken(parsing: text) { return token }
        guard let data = FileManager.default.contents(atPath: text), data.count < 64 * 1024 else { return nil }
        return JoinToken(parsing: String(decoding: data, as: UTF8.self))
    }
}
