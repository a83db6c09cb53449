import ArgumentParser
import Foundation
import Ledger

struct ImportPaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-paper",
        abstract: "Record a typed-in paper list (CSV) as signatures with channel paper.",
        discussion: """
            The first row names the columns: name (required), email, phone, address, postcode, country, \
            consent (yes/no). The list must have been issued ('ledgerctl paper print'): give its number and \
            the check code printed beside it. A file with bad rows is refused whole, each bad row listed by \
            line number and reason, unless --skip-invalid. Importing the same list again adds nothing. See docs/PAPER.md.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progressOptions: ProgressOptions

    @Argument(help: ArgumentHelp("The CSV file.", valueName: "FILE.csv")) var file: String
    @Option(name: .long, help: "The campaign id.") var campaign: String
    @Option(name: .long, help: "The paper list's number, as printed on the sheet.") var list: Int64
    @Option(name: .long, help: ArgumentHelp("The check code printed beside the list number (5 symbols).", valueName: "CODE")) var check: String
    @Flag(name: .customLong("skip-invalid"), help: "Record the valid rows and skip the bad ones.") var skipInvalid = false

    func validate() throws {
        if list < 1 { throw ValidationError("--list must be 1 or more") }
        if PaperCheckCode.normalised(check) == nil { throw ValidationError("--check must be the 5-symbol code printed beside the list number, for example K3F9A") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw PaperListError.unreadable(path: file)
        }
        let paper = try PaperList(text: text)
        let line = progressOptions.line(json: output.json)
        defer { line.finish() }
        let report = try global.openNode().importPaper(paper, campaign: campaign, listNumber: list, check: check, skipInvalid: skipInvalid, progress: line.report)
        line.finish()
        if output.json {
            try Output.json(report)
            return
        }
        print("Recorded \(report.recorded) signature\(report.recorded == 1 ? "" : "s") from list \(list) (\(report.alreadyRecorded) already recorded).")
        for problem in report.skipped { print("skipped \(problem)") }
        if !report.notReturned.isEmpty {
            print("Issued lists of \(campaign) not back yet: \(PaperCommand.Print.ranges(report.notReturned)).")
        }
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
        var names: [String: String] = [:]
        for device in try node.store.devices() { names[device.device] = device.name }
        if let hq = node.store.hqKey { names[hq.hex] = names[hq.hex] ?? "HQ" }
        if output.json {
            try Output.json(stats.map { NamedStats(stats: $0, names: names) })
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
            if item.forked > 0 { print("  forked      \(item.forked) (held until HQ adopts the fork: 'ledgerctl fork list')") }
            if item.unchecked > 0 { print("  unchecked   \(item.unchecked) (recorded here, not yet checked for duplicates: HQ does that when they reach it)") }
            for (title, table) in [("channel", item.byChannel), ("day", item.byDay), ("device", item.byDevice), ("country", item.byCountry)] where !table.isEmpty {
                print("  by \(title):")
                for key in table.keys.sorted() {
                    let label = title == "device" ? Self.deviceLabel(key, names: names) : (key.isEmpty ? "(none)" : key)
                    print("    \(label.padding(toLength: max(12, label.count), withPad: " ", startingAt: 0)) \(table[key] ?? 0)")
                }
            }
        }
    }
}

extension StatsCommand {
    /// "Stall laptop A (3f9a0c12)": the enrolled name and the key's first 8 characters; the key
    /// prefix alone for a device this node has no enrolment of.
    static func deviceLabel(_ key: String, names: [String: String]) -> String {
        names[key].map { "\($0) (\(key.prefix(8)))" } ?? String(key.prefix(12))
    }

    /// A campaign's stats for --json, with `devices`: each device's key, enrolled name and count.
    struct NamedStats: Encodable {
        struct Device: Encodable { var device: String; var name: String?; var counted: Int }
        var stats: CampaignStats
        var names: [String: String]

        func encode(to encoder: any Encoder) throws {
            try stats.encode(to: encoder)
            enum Keys: String, CodingKey { case devices }
            var container = encoder.container(keyedBy: Keys.self)
            let devices = stats.byDevice.keys.sorted().map { Device(device: $0, name: names[$0], counted: stats.byDevice[$0] ?? 0) }
            try container.encode(devices, forKey: .devices)
        }
    }
}

struct DeliverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Write the delivery list of a campaign's counted signatures (HQ only: it opens sealed data).",
        discussion: """
            CSV (default): the column names on line 1, one row per signature, UTF-8; the campaign, \
            ledger, read-model digest and counts go to FILE.meta.json beside it (with the CSV's \
            SHA-256). --excel adds a byte-order mark and keeps postcodes and phone numbers as text, \
            for Excel. Both files get mode 0600: they hold signers' personal data. An existing file \
            is never overwritten without --force.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, html, pdf }

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The campaign id.") var campaign: String
    @Option(name: .long, help: ArgumentHelp("The file to write (mode 0600).", valueName: "FILE")) var out: String
    @Option(name: .long, help: "csv or json (the list, for the organisers), html or pdf (the delivery pack, for the petition's target).") var format: Format = .csv
    @Option(name: .long, help: ArgumentHelp("The pack's language, one of the campaign's (html and pdf; default: its first).", valueName: "CODE")) var language: String?
    @Flag(name: .long, help: "For Excel: a UTF-8 byte-order mark, and postcodes and phone numbers kept as text (csv only).")
    var excel = false
    @Flag(name: .long, help: "Overwrite FILE (and FILE.meta.json) if they exist.") var force = false

    func validate() throws {
        if excel && format != .csv { throw ValidationError("--excel goes with --format csv") }
        if language != nil && format != .html && format != .pdf { throw ValidationError("--language goes with --format html or pdf") }
    }

    var metadataPath: String { out + ".meta.json" }

    func run() throws {
        if !force {
            let extra = format == .csv ? [out + ".tally.txt", metadataPath] : format == .json ? [out + ".tally.txt"] : []
            for path in [out] + extra where FileManager.default.fileExists(atPath: path) {
                throw NodeError.ambiguous("\(path) exists; refusing to overwrite it (choose another --out FILE, or add --force)")
            }
        }
        if format == .html || format == .pdf {
            try writePack()
            return
        }
        let list = try global.openNode().delivery(campaign: campaign)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        switch format {
        case .csv:
            let data = Data(list.csv(excel: excel).utf8)
            let metadata = DeliveryMetadata(list: list, file: (out as NSString).lastPathComponent, bytes: Array(data))
            try Self.writePrivately(data, to: out)
            try Self.writePrivately(try encoder.encode(metadata) + Data("\n".utf8), to: metadataPath)
        case .json, .html, .pdf:
            try Self.writePrivately(try encoder.encode(list), to: out)
        }
        var metadata = format == .csv ? " (metadata in \(metadataPath))" : ""
        // HQ signs the counts too (docs/FORMAT.md section 11, "Tally statements"), for the recipient to check.
        let node = try global.openNode()
        if node.role == .hq, node.store.keepsMerkleTree {
            let tallyPath = out + ".tally.txt"
            if force { try? FileManager.default.removeItem(atPath: tallyPath) }
            try Data(try node.signTally(campaign: campaign).note.utf8).write(to: URL(fileURLWithPath: tallyPath), options: .withoutOverwriting)
            metadata += "; signed tally in \(tallyPath) (check: ledgerctl tally verify \(tallyPath) --key '\(try node.checkpointKey().vkey)')"
        }
        print("Wrote \(list.signatures.count) counted signatures of \(campaign) to \(out)\(metadata)\(list.header.missingPayloads > 0 ? "; \(list.header.missingPayloads) without their sealed data yet: sync, then deliver again" : "").")
    }

    /// The delivery pack: the letter, demands, count, how to check it and the signatories by name
    /// and place, as HTML with print CSS, or printed to PDF by headless Chromium.
    func writePack() throws {
        let node = try global.openNode()
        let pack = try node.deliveryPack(campaign: campaign, language: language)
        let html = Data(pack.html.utf8)
        if format == .html {
            try Self.writePrivately(html, to: out)
        } else {
            try PDFPrinter.print(html: html, to: out)
        }
        print("Wrote the delivery pack of \(campaign) to \(out): \(pack.list.header.counted) counted signatories, by name and place"
              + (pack.tally == nil ? "" : ", with HQ's signed tally and how to check it") + "."
              + (pack.list.header.missingPayloads > 0 ? " \(pack.list.header.missingPayloads) counted signatures have no sealed data here yet: sync, then deliver again." : ""))
    }

    /// Writes `data` to a new file of mode 0600 beside `path`, then renames it over `path`, so
    /// the file never exists with wider permissions or half written.
    static func writePrivately(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw NodeError.ambiguous("cannot write \(path)")
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw NodeError.ambiguous("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild", abstract: "Drop the read models and rebuild them from the log.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var progressOptions: ProgressOptions

    func run() throws {
        let node = try global.openNode()
        let started = Date()
        let line = progressOptions.line()
        defer { line.finish() }
        let count = try node.store.rebuildReadModels(progress: line.report)
        line.finish()
        print("Rebuilt the read models from \(count) entries in \(String(format: "%.2f", Date().timeIntervalSince(started))) s; digest \(try node.store.rememberReadModelDigest().hex)")
    }
}
