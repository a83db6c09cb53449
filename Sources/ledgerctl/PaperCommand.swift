import ArgumentParser
import Foundation
import Ledger

struct PaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper",
        abstract: "Issue and print numbered paper signature lists, and see which have come back.",
        discussion: """
            HQ issues each list in the ledger (a paper.issued entry), so that 'ledgerctl import-paper' \
            records only lists that were issued, with the check code printed beside the number. See docs/PAPER.md.
            """,
        subcommands: [Print.self, Lists.self])

    enum Format: String, ExpressibleByArgument, CaseIterable { case html, pdf }

    struct Print: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue N new lists of a campaign (HQ only) and write them as a printable document.",
            discussion: """
                Each list is one A4 page (landscape; longer lists run on): the campaign's title and demands, a \
                short privacy notice, the list number with its check code, and numbered rows for name, e-mail, \
                postcode, contact consent and signature. --format html (print it from a browser) or pdf (printed \
                by headless Chromium). --list N prints an issued list again without issuing a new one.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The campaign id.") var campaign: String
        @Option(name: .long, help: ArgumentHelp("How many new lists to issue (1 to \(LedgerNode.maxListsPerIssue)).", valueName: "N")) var lists: Int?
        @Option(name: .customLong("list"), help: ArgumentHelp("An issued list to print again (repeat for more); issues nothing.", valueName: "N"))
        var again: [Int64] = []
        @Option(name: .long, help: ArgumentHelp("Rows on each new list (1 to \(PaperIssued.maxRows)); 15 fit one page.", valueName: "N")) var rows: Int64 = 15
        @Option(name: .customLong("for"), help: ArgumentHelp("Issue the lists to this enrolled laptop (key or prefix): its kiosk offers them for printing.", valueName: "DEVICE"))
        var device: String?
        @Option(name: .long, help: ArgumentHelp("The file to write.", valueName: "FILE")) var out: String
        @Option(name: .long, help: "html or pdf (default: from FILE's extension, else html).") var format: Format?
        @Option(name: .long, help: ArgumentHelp("The lists' language, one of the campaign's (default: its first).", valueName: "CODE")) var language: String?
        @Flag(name: .long, help: "Overwrite FILE if it exists.") var force = false

        func validate() throws {
            switch (lists, again.isEmpty) {
            case (nil, true): throw ValidationError("say how many new lists to issue (--lists N), or which issued lists to print again (--list N)")
            case (.some, false): throw ValidationError("--lists issues new lists and --list prints issued ones again: use one of them")
            default: break
            }
            if let lists, !(1...LedgerNode.maxListsPerIssue).contains(lists) {
                throw ValidationError("--lists must be 1 to \(LedgerNode.maxListsPerIssue)")
            }
            if !(1...PaperIssued.maxRows).contains(rows) { throw ValidationError("--rows must be 1 to \(PaperIssued.maxRows)") }
            if device != nil && lists == nil { throw ValidationError("--for goes with --lists (new lists)") }
        }

        var chosenFormat: Format { format ?? (out.lowercased().hasSuffix(".pdf") ? .pdf : .html) }

        func run() throws {
            // Everything that can fail before the lists are issued is checked first: nothing is
            // issued for a document that cannot be written.
            if !force && FileManager.default.fileExists(atPath: out) {
                throw NodeError.ambiguous("\(out) exists; refusing to overwrite it (choose another --out FILE, or add --force)")
            }
            if chosenFormat == .pdf && PDFPrinter.chromium() == nil {
                throw NodeError.ambiguous("printing to PDF needs Chromium (apt install chromium, or set LEDGER_CHROMIUM); or write --format html and print it from a browser")
            }
            let node = try global.openNode()
            if let language, try node.store.campaignVersions(campaign).last?.body.texts[language] == nil {
                throw NodeError.ambiguous("campaign \(campaign) has no text in '\(language.prefix(8))'")
            }
            let chosen: [IssuedPaperList]
            if let lists {
                let key = try device.map { try DeviceCommand.key($0, among: try node.store.devices()) }
                chosen = try node.issuePaperLists(campaign: campaign, count: lists, rows: rows, device: key)
            } else {
                let issued = try node.store.paperLists(campaign: campaign)
                if try node.store.campaign(campaign) == nil { throw NodeError.unknownCampaign(campaign) }
                chosen = try again.map { number in
                    guard let list = issued.first(where: { $0.list == number }) else { throw PaperListError.notIssued(campaign: campaign, list: number) }
                    return list
                }
            }
            let numbers = Self.ranges(chosen.map(\.list))
            do {
                let html = Data(try node.paperListDocument(campaign: campaign, lists: chosen, language: language).html.utf8)
                if chosenFormat == .html {
                    try DeliverCommand.writePrivately(html, to: out)
                } else {
                    try PDFPrinter.print(html: html, to: out)
                }
            } catch where lists != nil {
                throw NodeError.ambiguous("lists \(numbers) of \(campaign) were issued but not written (\(error)); print them again with "
                                          + "'ledgerctl paper print --campaign \(campaign) " + chosen.map { "--list \($0.list)" }.joined(separator: " ") + " --out FILE'")
            }
            print("\(lists == nil ? "Printed" : "Issued") list\(chosen.count == 1 ? "" : "s") \(numbers) of \(campaign) to \(out): "
                  + chosen.map { "\($0.list) (check code \($0.check))" }.joined(separator: ", ") + ".")
        }

        /// 1, 2, 3, 5 as "1-3, 5".
        static func ranges(_ numbers: [Int64]) -> String {
            var parts: [String] = []
            var index = 0
            let sorted = numbers.sorted()
            while index < sorted.count {
                var end = index
                while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
                parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
                index = end + 1
            }
            return parts.joined(separator: ", ")
        }
    }

    struct Lists: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a campaign's issued paper lists, and which have not come back.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(name: .long, help: "The campaign id.") var campaign: String

        func run() throws {
            let node = try global.openNode()
            guard try node.store.campaign(campaign) != nil else { throw NodeError.unknownCampaign(campaign) }
            let lists = try node.store.paperLists(campaign: campaign)
            if output.json {
                try Output.json(lists)
                return
            }
            if lists.isEmpty {
                print("No paper lists of \(campaign) issued yet. HQ issues and prints them with 'ledgerctl paper print --campaign \(campaign) --lists N --out lists.pdf'.")
                return
            }
            let names = Dictionary(try node.store.devices().map { ($0.device, $0.name) }, uniquingKeysWith: { first, _ in first })
            print("list  check  rows  issued      for                   recorded")
            for list in lists {
                let holder = list.device.map { names[$0] ?? String($0.prefix(8)) } ?? "HQ"
                let issued = String(Output.time(list.issuedAt).prefix(10))
                print("\(String(list.list).padding(5)) \(list.check)  \(String(list.rows).padding(5)) \(issued)  \(String(holder.prefix(20)).padding(20))  "
                      + (list.returned ? "\(list.recordedRows) row\(list.recordedRows == 1 ? "" : "s")" : "not back yet"))
            }
            let out = lists.filter { !$0.returned }
            print("\(lists.count) issued, \(lists.count - out.count) back, \(out.count) not back yet" + (out.isEmpty ? "." : ": \(Print.ranges(out.map(\.list)))."))
        }
    }
}

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
