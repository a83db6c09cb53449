import ArgumentParser
import Foundation
import Ledger

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Publish, close and list campaigns.",
        subcommands: [Publish.self, Close.self, List.self])

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
        }

        func run() throws {
            let node = try global.openNode()
            let rows = try node.store.campaigns().map { campaign in
                let counts = try node.store.signatureCounts(campaign: campaign.campaign)
                return Row(campaign: campaign, counted: counts["counted", default: 0], withdrawn: counts["withdrawn", default: 0])
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
            print("CAMPAIGN".padding(toLength: width, withPad: " ", startingAt: 0) + "  STATE   COUNTED  GOAL      DEADLINE                  TITLE")
            for row in rows {
                let c = row.campaign
                print(c.campaign.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + c.state.padding(toLength: 6, withPad: " ", startingAt: 0) + "  "
                    + String(row.counted).padding(toLength: 7, withPad: " ", startingAt: 0) + "  "
                    + (c.goal.map(String.init) ?? "-").padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                    + Output.time(c.deadline).padding(toLength: 24, withPad: " ", startingAt: 0) + "  " + c.title)
            }
        }
    }
}
