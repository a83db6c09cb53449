import ArgumentParser
import Foundation
import Ledger

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync every log with a peer now (or with every configured peer).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The peer's URL, for example http://192.168.1.20:8080; default: every peer in peers.json.", valueName: "PEER"))
    var peer: String?

    func run() throws {
        let node = try global.openNode()
        let book = PeerBook(folder: node.folder)
        let peers = try peer.map { [try PeerBook.normalise($0)] } ?? book.peers()
        if peers.isEmpty { throw NodeError.ambiguous("no peers configured; give a PEER URL or add one with 'ledgerctl peers add URL'") }
        var reports: [SyncReport] = []
        var failed = false
        for peer in peers {
            guard let url = URL(string: peer) else { continue }
            do {
                let client = try SyncClient(node: node, peer: url)
                let lines = SyncProgressLines(enabled: !output.json)
                let report = try client.syncWaiting { lines.report($0) }
                try? book.record(peer: peer, report: report, error: nil, now: SystemClock().nowMillis())
                reports.append(report)
                if !output.json {
                    print("\(peer): pulled \(report.pulled), pushed \(report.pushed) entries; payloads \(report.payloadsIn) in, \(report.payloadsOut) out; \(String(format: "%.2f", report.seconds)) s\(report.forks > 0 ? "; \(report.forks) branch entries of forked logs moved" : "")\(report.refused > 0 ? "; \(report.refused) entries refused over the fork bounds" : "")\(report.unauthorised > 0 ? "; \(report.unauthorised) entries past a revocation (kept, not counted)" : "")")
                    if let witnessed = report.witnessed { print("  witnessed HQ's checkpoint (\(witnessed)) and cosigned it") }
                    if let change = report.epochChange { print("  NOTICE: \(change)") }
                }
                if let alarm = report.witnessAlarm { Main.printError("WITNESS ALARM: \(alarm)") }
            } catch {
                failed = true
                try? book.record(peer: peer, report: nil, error: "\(error)", now: SystemClock().nowMillis())
                Main.printError("\(error)")
            }
        }
        if output.json { try Output.json(reports) }
        if failed { throw ExitCode(ExitStatus.failure.rawValue) }
        // A rewritten history HQ showed: the entries synced, but the history cannot be trusted.
        if reports.contains(where: { $0.witnessAlarm != nil }) { throw ExitCode(ExitStatus.integrityFailure.rawValue) }
        // Forks found or caused: say what happened and what to do, and exit 4.
        let forked = try node.store.forkedLogs()
        let ownFork = forked.first { $0.device == node.key.publicKey.hex && !$0.isHQ }
        if reports.contains(where: { $0.forks > 0 || $0.refused > 0 }) || ownFork != nil {
            if !output.json {
                for fork in forked { print(fork.line) }
                if ownFork != nil {
                    print("THIS NODE'S LOG IS FORKED: a copy of this data folder also wrote entries. Run 'ledgerctl device rekey' when HQ is reachable.")
                }
            }
            throw ExitCode(ExitStatus.findings.rawValue)
        }
    }
}

struct PeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "Show each peer's last sync, lag and errors; add or remove peers.",
        subcommands: [Show.self, Add.self, Remove.self],
        defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show each peer's last sync, lag and errors.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let node = try global.openNode()
            let book = PeerBook(folder: node.folder)
            let states = book.states()
            let peers = try book.peers()
            let rows = peers.map { states[$0] ?? PeerBook.State(peer: $0) } + states.values.filter { !peers.contains($0.peer) }.sorted { $0.peer < $1.peer }
            if output.json {
                try Output.json(rows)
                return
            }
            if rows.isEmpty { print("No peers. Add one with 'ledgerctl peers add URL' (or ledgerd --peer URL).") }
            for row in rows {
                let last = row.lastSuccess.map { "last sync \(Timestamps.iso8601(millis: $0))" } ?? "never synced"
                let lag = row.lag.map { ", \($0) entries behind" } ?? ""
                let error = row.lastError.map { "; last error (\(row.failures) in a row): \($0)" } ?? ""
                print("\(row.peer)  \(last)\(lag)\(error)")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a peer to peers.json.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The peer's URL.", valueName: "URL")) var url: String

        func run() throws {
            try PeerBook(folder: try global.openNode().folder).add(url)
            print("Added \(try PeerBook.normalise(url)).")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a peer from peers.json.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The peer's URL.", valueName: "URL")) var url: String

        func run() throws {
            try PeerBook(folder: try global.openNode().folder).remove(url)
            print("Removed \(try PeerBook.normalise(url)).")
        }
    }
}

/// `ledgerctl sync`'s progress on stderr: at most two lines a second.
private final class SyncProgressLines: @unchecked Sendable {
    // @unchecked: `last` is only touched under `lock`.
    private let enabled: Bool
    private let lock = NSLock()
    private var last = Date.distantPast

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func report(_ progress: SyncProgress) {
        guard enabled else { return }
        let due = lock.withLock {
            guard Date().timeIntervalSince(last) > 0.5 else { return false }
            last = Date()
            return true
        }
        if due { FileHandle.standardError.write(Data("  \(progress.phase): \(progress.done)/\(progress.total)\n".utf8)) }
    }
}
