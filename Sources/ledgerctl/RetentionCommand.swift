import ArgumentParser
import Foundation
import Ledger

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Show when each campaign's signers' personal data is erased (docs/PRIVACY.md, \"Retention\").",
        discussion: """
            A campaign file's 'retentionDays' says how many days after the campaign closes HQ keeps \
            its signers' data; then HQ's ledgerd erases it by itself ('payload.erased', reason \
            retention). --erase-due erases what is due now (HQ only), for HQs that run no ledgerd.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .customLong("erase-due"), help: "Erase now what is due (HQ only).")
    var eraseDue = false

    func run() throws {
        let node = try global.openNode()
        if eraseDue {
            let erased = try node.eraseExpired()
            if !output.json { print("Erased the personal data of \(erased.count) signature(s) whose campaign's retention ran out.") }
        }
        let plans = try node.store.retentionPlans(now: SystemClock().nowMillis())
        if output.json {
            try Output.json(plans)
            return
        }
        if plans.isEmpty { print("No campaigns yet.") }
        for plan in plans {
            let when: String
            switch (plan.retentionDays, plan.closedAt, plan.eraseAt) {
            case (nil, _, _): when = "kept until erased by request (the campaign sets no retentionDays)"
            case (let days?, nil, _): when = "kept while open; erased \(days) day\(days == 1 ? "" : "s") after the close"
            case (_, _, let at?): when = plan.due ? "due since \(Output.time(at)); HQ erases it at its next check" : "erased on \(Output.time(at))"
            default: when = "-"
            }
            print("\(plan.campaign): \(plan.payloadsKept) signer record(s) kept, \(plan.payloadsErased) erased; \(when)")
        }
    }
}
