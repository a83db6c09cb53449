import Foundation
import Ledger
import Logging

/// A logger that drops everything, for route tests.
func quietLogger() -> Logger {
    Logger(label: "ledgerd-tests") { _ in SwiftLogNoOpLogHandler() }
}

/// A new HQ node in `directory/node` with one published campaign, so that its log has two entries.
func makeHQNode(in directory: URL, name: String = "Test HQ") throws -> LedgerNode {
    let node = try LedgerNode.createHQ(at: directory.appendingPathComponent("node").path, name: name)
    let text = CampaignText(
        title: "Free the press", summary: "Release all jailed journalists.", body: "Journalists are in jail.",
        demands: ["Release all jailed journalists"], letter: nil)
    try node.publish(CampaignPublished(campaign: "free-the-press", languages: ["en"], texts: ["en": text], goal: 100, deadline: nil))
    return node
}
