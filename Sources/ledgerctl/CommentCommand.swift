import ArgumentParser
import Foundation
import Ledger

struct CommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment",
        abstract: "Post, hide and list public comments.",
        subcommands: [Post.self, Hide.self, List.self],
        defaultSubcommand: Post.self)

    struct Post: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Post a public comment on a campaign under a display name.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The campaign id.") var campaign: String
        @Option(name: .customLong("display-name"), help: "The name shown with the comment, as the signer chose it.")
        var displayName: String
        @Option(name: .long, help: "The comment.") var text: String

        func run() throws {
            let entry = try global.openNode().comment(campaign: campaign, displayName: displayName, text: text)
            print("Comment posted (id \(entry.id.hex)).")
        }
    }

    struct Hide: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hide a comment from the public list (HQ only); it stays in the log.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The comment's entry id.", valueName: "ID")) var id: String
        @Option(name: .long, help: "Why, for the record (shown to moderators, not the public).") var reason: String

        func run() throws {
            guard let digest = Digest(hex: id) else { throw ValidationError("ID is the comment's 64-character entry id ('ledgerctl comment list --campaign C')") }
            let entry = try global.openNode().hideComment(digest, reason: reason)
            print("Comment hidden (entry \(entry.id.short)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a campaign's comments, newest first.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(name: .long, help: "The campaign id.") var campaign: String
        @Flag(name: .long, help: "Include hidden comments.") var all = false

        func run() throws {
            let node = try global.openNode()
            guard try node.store.campaign(campaign) != nil else { throw NodeError.unknownCampaign(campaign) }
            let comments = try node.store.comments(campaign: campaign, includeHidden: all)
            if output.json {
                try Output.json(comments)
                return
            }
            if comments.isEmpty { print("No comments.") }
            for comment in comments {
                print("\(comment.id)  \(Output.time(comment.postedAt))  \(comment.displayName)\(comment.hidden ? "  [hidden: \(comment.hiddenReason ?? "")]" : "")")
                print("    \(comment.text.replacingOccurrences(of: "\n", with: "\n    "))")
            }
        }
    }
}
