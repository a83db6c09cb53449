import ArgumentParser
import Foundation
import Ledger

struct ImportPaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-paper",
        abstract: "Record a typed-in paper list (CSV) as signatures with channel paper.",
        discussion: """
            The first row names the columns: name (required), email, phone, address, postcode, country, \
            consent (yes/no). A file with bad rows is refused whole, each bad row listed by line number \
            and reason, unless --skip-invalid. Importing the same list again adds nothing. See docs/PAPER.md.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The CSV file.", valueName: "FILE.csv")) var file: String
    @Option(name: .long, help: "The campaign id.") var campaign: String
    @Option(name: .long, help: "The paper list's number, as written on the sheet.") var list: Int64
    @Flag(name: .customLong("skip-invalid"), help: "Record the valid rows and skip the bad ones.") var skipInvalid = false

    func validate() throws {
        if list < 1 { throw ValidationError("--list must be 1 or more") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw PaperListError.unreadable(path: file)
        }
        let paper = try PaperList(text: text)
        let report = try global.openNode().importPaper(paper, campaign: campaign, listNumber: list, skipInvalid: skipInvalid)
        if output.json {
            try Output.json(report)
            return
        }
        print("Recorded \(report.recorded) signature\(report.recorded == 1 ? "" : "s") from list \(list) (\(report.alreadyRecorded) already recorded).")
        for problem in report.skipped { print("skipped \(problem)") }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Print signature counts per campaign, by channel, day, device and country.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Only this campaign.") var campaign: String?

    func run() throws {
        let node = try global.openNode()
        var campaigns = try node.store.campaigns()
        if let campaign {
            campaigns = campaigns.filter { $0.campaign == campaign }
            if campaigns.isEmpty { throw NodeError.unknownCampaign(campaign) }
        }
        let stats = try campaigns.map { try node.store.stats(campaign: $0) }
        if output.json {
            try Output.json(stats)
            return
        }
        if stats.isEmpty { print("No campaigns yet.") }
        for item in stats {
            print("\(item.campaign) — \(item.title) [\(item.state)]")
            let goal = item.goal.map { " of \($0) (\(Int((Double(item.counted) / Double(max(1, $0)) * 100).rounded()))%)" } ?? ""
            print("  counted     \(item.counted)\(goal)")
            print("  unique      \(item.unique)")
            print("  withdrawn   \(item.withdrawn)")
            print("  duplicates  \(item.duplicates)")
            print("  late        \(item.late)")
            if item.unauthorised > 0 { print("  unauthorised \(item.unauthorised)") }
            for (title, table) in [("channel", item.byChannel), ("day", item.byDay), ("device", item.byDevice), ("country", item.byCountry)] where !table.isEmpty {
                print("  by \(title):")
                for key in table.keys.sorted() {
                    let label = title == "device" ? String(key.prefix(12)) : (key.isEmpty ? "(none)" : key)
                    print("    \(label.padding(toLength: 12, withPad: " ", startingAt: 0)) \(table[key] ?? 0)")
                }
            }
        }
    }
}

struct DeliverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Write the delivery list of a campaign's counted signatures (HQ only: it opens sealed data).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The campaign id.") var campaign: String
    @Option(name: .long, help: ArgumentHelp("The file to write (mode 0600).", valueName: "FILE")) var out: String
    @Option(name: .long, help: "csv or json.") var format: Format = .csv

    func run() throws {
        let list = try global.openNode().delivery(campaign: campaign)
        let data: Data
        switch format {
        case .csv:
            data = Data(list.csv().utf8)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(list)
        }
        guard FileManager.default.createFile(atPath: out, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw NodeError.ambiguous("cannot write \(out)")
        }
        print("Wrote \(list.signatures.count) counted signatures of \(campaign) to \(out)\(list.header.missingPayloads > 0 ? " (\(list.header.missingPayloads) without their sealed data yet: sync, then deliver again)" : "").")
    }
}

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild", abstract: "Drop the read models and rebuild them from the log.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let node = try global.openNode()
        let started = Date()
        let count = try node.store.rebuildReadModels()
        print("Rebuilt the read models from \(count) entries in \(String(format: "%.2f", Date().timeIntervalSince(started))) s; digest \(try node.store.readModelDigest().hex)")
    }
}
