import Foundation
import Testing

/// Global options before the command, --version, and one-line usage errors (issue 9, item 13).
@Suite("ledgerctl usage")
struct UsageTests {
    @Test("--data goes before the command too, also before a nested one")
    func dataBeforeCommand() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        let created = try cli.run(["--data", scratch.file("hq"), "init", "--hq", "--name", "HQ"], withData: false)
        #expect(created.status == 0, "\(created.output)")
        let status = try cli.run(["--data", scratch.file("hq"), "status"], withData: false)
        #expect(status.status == 0, "\(status.output)")
        #expect(status.stdout.contains("role:        hq"))
        let published = try cli.run(["--data", scratch.file("hq"), "campaign", "publish", try scratch.campaignFile()], withData: false)
        #expect(published.status == 0, "\(published.output)")
        #expect(try cli.run(["campaign", "list"]).stdout.contains("free-the-press"))
    }

    @Test("--version prints the library's version string")
    func version() throws {
        let result = try CLI(data: "unused").run(["--version"], withData: false)
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3, "\(result.output)")
    }

    @Test("a usage error is one line, 'ledgerctl: error: …' with a hint, exit 2", arguments: [
        (["frobnicate"], "ledgerctl help"),
        (["sign", "--campaign", "c"], "ledgerctl help sign"),
        (["campaign", "publish"], "ledgerctl help campaign publish"),
        (["--data", "x", "init"], "ledgerctl help init"),
        (["withdraw", "--receipt", "nonsense"], "ledgerctl help withdraw"),
    ])
    func usageError(arguments: [String], hint: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        if arguments.first == "withdraw" { #expect(try cli.run(["init", "--hq", "--name", "HQ"]).status == 0) }
        let result = try cli.run(arguments, withData: arguments.first == "withdraw")
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("ledgerctl: error: "), "\(result.stderr)")
        #expect(result.stderr.contains("(see '\(hint)')"), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:") && !result.stderr.contains("Error:"))
    }
}
