import ArgumentParser
import Foundation
import Ledger

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Publish, close and list campaigns.",
        subcommands: [Publish.self, Update.self, Close.self, List.self, Show.self])

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a campaign from a campaign file (HQ only; see docs/CAMPAIGNS.md).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The campaign file (JSON).", valueName: "FILE"))
        var file: String

        func run() throws {
            let campaign = try CampaignFile.load(path: file)
            let node = try global.openNode()
            let entry = try node.publish(campaign)
            if output.json {
                try Output.json(["campaign": campaign.campaign, "version": entry.id.hex])
            } else {
                print("Published campaign \(campaign.campaign) (version \(entry.id.short))")
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a new version of a campaign's texts from its campaign file (HQ only).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The campaign file (JSON), with the same id.", valueName: "FILE"))
        var file: String

        func run() throws {
            let campaign = try CampaignFile.load(path: file)
            let entry = try global.openNode().update(campaign)
            print("Updated campaign \(campaign.campaign) (version \(entry.id.short))")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a campaign's text, current or any version.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The campaign id.", valueName: "ID")) var id: String
        @Option(name: .long, help: ArgumentHelp("A version id (or a prefix of it); default: the current one.", valueName: "VERSION"))
        var version: String?
        @Option(name: .long, help: "The language to show; default: the campaign's first.") var language: String?

        func run() throws {
            let node = try global.openNode()
            let versions = try node.store.campaignVersions(id)
            guard let latest = versions.last else { throw NodeError.unknownCampaign(id) }
            var chosen = latest
            if let version {
                let matches = versions.filter { $0.id.hex.hasPrefix(version.lowercased()) }
                guard matches.count == 1, let match = matches.first else {
                    throw NodeError.ambiguous(matches.isEmpty ? "campaign \(id) has no version \(version); versions: \(versions.map(\.id.short).joined(separator: ", "))" : "version prefix \(version) is ambiguous")
                }
                chosen = match
            }
            if output.json {
                struct Shown: Encodable { var version: String; var kind: String; var publishedAt: String; var campaign: CampaignPublished; var versions: [String] }
                try Output.json(Shown(version: chosen.id.hex, kind: chosen.kind, publishedAt: Output.time(chosen.timestamp), campaign: chosen.body, versions: versions.map(\.id.hex)))
                return
            }
            let body = chosen.body
            let language = language ?? body.languages.first ?? ""
            guard let text = body.texts[language] else {
                throw NodeError.ambiguous("campaign \(id) has no text in '\(language)'; languages: \(body.languages.joined(separator: ", "))")
            }
            let summary = try node.store.campaign(id)
            print("\(text.title)  [\(summary?.state ?? "?")]")
            print("campaign \(id), version \(chosen.id.hex) (\(chosen.kind) \(Output.time(chosen.timestamp)))\(chosen.id == latest.id ? ", current" : "")")
            print("languages: \(body.languages.joined(separator: ", ")); goal: \(body.goal.map(String.init) ?? "-"); deadline: \(body.deadline ?? "-")")
            print("")
            print(text.summary)
            print("")
            print(text.body)
            print("")
            print("Demands:")
            for demand in text.demands { print("  - \(demand)") }
            if let letter = text.letter {
                print("")
                print("Letter to \(letter.recipient):")
                print(letter.text)
            }
            if versions.count > 1 {
                print("")
                print("Versions: " + versions.map { "\($0.id.short) (\(Output.time($0.timestamp)))" }.joined(separator: ", "))
            }
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a campaign: it takes no more signatures (HQ only).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The campaign id.", valueName: "ID"))
        var id: String

        @Option(name: .long, help: "Why the campaign closed, for the record.")
        var reason: String?

        func run() throws {
            let entry = try global.openNode().close(campaign: id, reason: reason)
            print("Closed campaign \(id) (entry \(entry.id.short))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List campaigns with their state and counts.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        struct Row: Encodable {
            var campaign: CampaignSummary
            var counted: Int
            var withdrawn: Int
            /// Milliseconds until the deadline (0 once passed), when there is one.
            var timeLeft: UInt64?
        }

        /// "12 days", "5 h 3 min", "passed", or "-" without a deadline.
        static func describe(left: UInt64?, deadline: UInt64?) -> String {
            guard let deadline, let left else { return "-" }
            _ = deadline
            if left == 0 { return "passed" }
            let minutes = left / 60_000
            if minutes >= 2 * 24 * 60 { return "\(minutes / (24 * 60)) days" }
            if minutes >= 60 { return "\(minutes / 60) h \(minutes % 60) min" }
            return "\(max(1, minutes)) min"
        }

        func run() throws {
            let node = try global.openNode()
            let rows = try node.store.campaigns().map { campaign in
                let counts = try node.store.signatureCounts(campaign: campaign.campaign)
                let now = SystemClock().nowMillis()
                return Row(campaign: campaign, counted: counts["counted", default: 0], withdrawn: counts["withdrawn", default: 0],
                           timeLeft: campaign.deadline.map { $0 > now ? $0 - now : 0 })
            }
            if output.json {
                try Output.json(rows)
                return
            }
            if rows.isEmpty {
                print("No campaigns yet. Publish one with 'ledgerctl campaign publish FILE'.")
                return
            }
            let width = max(8, rows.map(\.campaign.campaign.count).max() ?? 8)
            print("CAMPAIGN".padding(toLength: width, withPad: " ", startingAt: 0) + "  STATE   COUNTED  GOAL      DEADLINE                  LEFT         TITLE")
            for row in rows {
                let c = row.campaign
                // Open by HQ but past its deadline: it takes no more signatures.
                let state = c.isOpen && row.timeLeft == 0 ? "ended" : c.state
                print(c.campaign.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + state.padding(toLength: 6, withPad: " ", startingAt: 0) + "  "
                    + String(row.counted).padding(toLength: 7, withPad: " ", startingAt: 0) + "  "
                    + (c.goal.map(String.init) ?? "-").padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                    + Output.time(c.deadline).padding(toLength: 24, withPad: " ", startingAt: 0) + "  "
                    + Self.describe(left: row.timeLeft, deadline: c.deadline).padding(toLength: 11, withPad: " ", startingAt: 0) + "  " + c.title)
            }
        }
    }
}
