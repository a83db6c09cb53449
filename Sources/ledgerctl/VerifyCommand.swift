import ArgumentParser
import Foundation
import Ledger

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify every log and print a report; exit 1 when integrity fails, 4 when a log forked.",
        discussion: """
            Fast mode (default) checks every entry's id, every link and sequence number, and each \
            log's head signature. --full also checks every signature, body, author's rights and \
            payload digest. Each fault names the author, sequence and entry id.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progressOptions: ProgressOptions

    @Flag(name: .long, help: "Check every signature, body, right and payload too.")
    var full = false

    func run() throws {
        let node = try global.openNode()
        let started = Date()
        let line = progressOptions.line(json: output.json)
        let report = try Auditor(store: node.store).run(mode: full ? .full : .fast, progress: line.report)
        line.finish()
        let seconds = Date().timeIntervalSince(started)
        if output.json {
            struct JSONReport: Encodable { var intact: Bool; var report: AuditReport }
            try Output.json(JSONReport(intact: report.intact, report: report))
        } else {
            print("Ledger \(report.ledger)")
            print("Checked \(report.entries) entries in \(report.logs) log\(report.logs == 1 ? "" : "s") (\(report.mode.rawValue) mode, \(report.signaturesChecked) signatures, \(report.payloadsChecked) payloads) in \(String(format: "%.2f", seconds)) s")
            for fault in report.faults {
                print("\(fault.breaksIntegrity ? "FAULT" : "note ") \(fault.kind.rawValue): author \(fault.author) sequence \(fault.sequence) entry \(fault.id): \(fault.detail)")
            }
            if !report.intact {
                print("FAILED: \(report.faults.filter(\.breaksIntegrity).count) integrity fault(s).")
            } else if report.forked {
                print("OK: every log is intact, but some forked (the faults marked 'note fork' above); see 'ledgerctl fork list'.")
            } else if report.hasFindings {
                print("OK: every log is intact; the entries marked 'note' are kept as evidence and not counted.")
            } else {
                print("OK: every log is intact.")
            }
        }
        if !report.intact { throw ExitCode(ExitStatus.integrityFailure.rawValue) }
        if report.hasFindings { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}
