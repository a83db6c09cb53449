import Foundation
import Testing

/// `ledgerctl paper print`, `paper lists` and `import-paper --check` (docs/PAPER.md): lists issued in
/// the ledger, printed by headless Chromium and read back with pdftotext, typed in only when issued.
@Suite("Paper lists: issue, print, type in")
struct PaperCommandTests {
    struct Issued: Decodable { var list: Int64; var check: String; var rows: Int64; var recordedRows: Int; var device: String? }

    func lists(_ cli: CLI) throws -> [Issued] {
        let listed = try cli.run(["paper", "lists", "--campaign", "free-the-press", "--json"])
        #expect(listed.status == 0, "\(listed.output)")
        return try JSONDecoder().decode([Issued].self, from: Data(listed.stdout.utf8))
    }

    func counted(_ cli: CLI) throws -> Int {
        struct Stats: Decodable { var counted: Int }
        let result = try cli.run(["stats", "--campaign", "free-the-press", "--json"])
        return try #require(try JSONDecoder().decode([Stats].self, from: Data(result.stdout.utf8)).first).counted
    }

    @Test("print issues numbered lists with check codes into a PDF whose text is the campaign, the notice and the rows")
    func printPDF() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "Paper HQ"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let pdf = scratch.file("lists.pdf")
        let printed = try cli.run(["paper", "print", "--campaign", "free-the-press", "--lists", "2", "--rows", "15", "--out", pdf])
        #expect(printed.status == 0, "\(printed.output)")
        let issued = try lists(cli)
        #expect(issued.map(\.list) == [1, 2] && issued.allSatisfy { $0.rows == 15 && $0.recordedRows == 0 && $0.device == nil })
        #expect(printed.stdout.hasPrefix("Issued lists 1-2 of free-the-press to \(pdf): 1 (check code \(issued[0].check)), 2 (check code \(issued[1].check))."))
        #expect(issued[0].check != issued[1].check)

        let text = try CLI.external("pdftotext", ["-layout", pdf, "-"])
        #expect(text.status == 0)
        let words = text.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Free the press") && words.contains("We demand: Release them"))
        #expect(words.contains("List 1 · check code \(issued[0].check)") && words.contains("List 2 · check code \(issued[1].check)"))
        #expect(words.contains("Privacy: Paper HQ uses your name, e-mail and postcode for this petition only."))
        #expect(words.contains("Name E-mail Postcode") && words.contains("Signature"))
        // Rows 1 to 15 on each list, one page each (A4 landscape), and a form feed between pages.
        let pages = text.stdout.split(separator: "\u{0C}", omittingEmptySubsequences: true).filter { !$0.allSatisfy(\.isWhitespace) }
        #expect(pages.count == 2)
        for page in pages {
            let rows = page.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            #expect(rows == Array(1...15))
        }

        // In Norwegian, as HTML; --list prints list 1 again and issues nothing.
        let html = scratch.file("again.html")
        let again = try cli.run(["paper", "print", "--campaign", "free-the-press", "--list", "1", "--language", "nb", "--out", html])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.stdout.hasPrefix("Printed list 1 of free-the-press"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("Liste 1 · kontrollkode \(issued[0].check)") && page.contains("<style>") && page.contains("Løslat dem"))
        #expect(try lists(cli).count == 2)
    }

    @Test("nothing is issued for a document that cannot be written, and bad options are usage errors")
    func refusals() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "Paper HQ"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let existing = scratch.file("exists.html")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
        let refused = try cli.run(["paper", "print", "--campaign", "free-the-press", "--lists", "3", "--out", existing])
        #expect(refused.status == 3 && refused.stderr.contains("exists"), "\(refused.output)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        // No Chromium: nothing issued either.
        let noBrowser = try cli.run(["paper", "print", "--campaign", "free-the-press", "--lists", "3", "--out", scratch.file("x.pdf")],
                                    environment: ["LEDGER_CHROMIUM": "", "PATH": "/nonexistent"])
        #expect(noBrowser.status == 3 && noBrowser.stderr.contains("Chromium"), "\(noBrowser.output)")
        #expect(try cli.run(["paper", "print", "--campaign", "free-the-press", "--lists", "1", "--language", "xx", "--out", scratch.file("xx.html")]).status == 3)
        #expect(try cli.run(["paper", "print", "--campaign", "nope", "--lists", "1", "--out", scratch.file("nope.html")]).status == 3)
        #expect(try lists(cli).isEmpty)
        for bad in [["--lists", "0"], ["--lists", "1001"], ["--lists", "1", "--rows", "0"], ["--lists", "1", "--rows", "1001"],
                    ["--lists", "1", "--list", "1"], [], ["--list", "1", "--for", "abcd"]] {
            let result = try cli.run(["paper", "print", "--campaign", "free-the-press", "--out", scratch.file("bad.html")] + bad)
            #expect(result.status == 2, "\(bad): \(result.output)")
        }
        #expect(try cli.run(["paper", "print", "--campaign", "free-the-press", "--list", "1", "--out", scratch.file("r.html")]).status == 3)
        #expect(try lists(cli).isEmpty)
        // A device that is not enrolled cannot be given lists.
        let unknown = try cli.run(["paper", "print", "--campaign", "free-the-press", "--lists", "1", "--for", String(repeating: "ab", count: 32),
                                   "--out", scratch.file("for.html")])
        #expect(unknown.status == 3, "\(unknown.output)")
        #expect(try lists(cli).isEmpty)
    }

    @Test("import-paper records only an issued list with its check code, refuses rows past the list, and names the lists not back")
    func importIssued() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "Paper HQ"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let checks = try cli.issuePaperLists(count: 3, rows: 2, scratch: scratch)
        let csv = scratch.file("list.csv")
        try Data("name,postcode\nPaper One,0150\nPaper Two,5003\nPaper Three,7010\n".utf8).write(to: URL(fileURLWithPath: csv))
        func importing(_ list: String, _ check: String, _ extra: [String] = []) throws -> CLI.Result {
            try cli.run(["import-paper", csv, "--campaign", "free-the-press", "--list", list, "--check", check] + extra)
        }
        let never = try importing("4", checks[1]!)
        #expect(never.status == 3 && never.stderr.contains("list 4 of free-the-press was never issued"), "\(never.output)")
        let wrong = try importing("2", checks[1]!)
        #expect(wrong.status == 3 && wrong.stderr.contains("check code does not match list 2"), "\(wrong.output)")
        #expect(try importing("2", "12345").status == 3)
        #expect(try importing("2", "1234").status == 2)
        #expect(try importing("2", "UUUUU").status == 2)  // U is not in the alphabet
        #expect(try counted(cli) == 0)
        // Three rows on a list of two: the third is a bad row.
        let past = try importing("2", checks[2]!)
        #expect(past.status == 3 && past.stderr.contains("line 4: row 3 is past the 2 rows printed on list 2"), "\(past.output)")
        #expect(!past.output.contains("Paper Three"))
        #expect(try counted(cli) == 0)
        // Typed as people type codes: lower case, a dash, O for 0, L for 1.
        let typed = String(checks[2]!.lowercased().prefix(2)) + "-" + String(checks[2]!.lowercased().dropFirst(2))
        let skipped = try importing("2", typed.replacingOccurrences(of: "0", with: "o").replacingOccurrences(of: "1", with: "l"), ["--skip-invalid"])
        #expect(skipped.status == 0, "\(skipped.output)")
        #expect(skipped.stdout.contains("Recorded 2 signatures from list 2"))
        #expect(skipped.stdout.contains("Issued lists of free-the-press not back yet: 1, 3."), "\(skipped.stdout)")
        #expect(try counted(cli) == 2)
        let shown = try cli.run(["paper", "lists", "--campaign", "free-the-press"])
        #expect(shown.stdout.contains("3 issued, 1 back, 2 not back yet: 1, 3."), "\(shown.stdout)")
        #expect(try lists(cli).map(\.recordedRows) == [0, 2, 0])
    }

    @Test("a laptop cannot issue lists; it types in a list HQ issued once it holds HQ's entry")
    func laptop() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "Paper HQ"]).status == 0)
        #expect(try hq.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let token = try hq.run(["device", "invite", "--name", "Stall laptop", "--url", "http://127.0.0.1:9"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let laptop = CLI(data: scratch.file("laptop"))
        let joined = try laptop.run(["init", "--join", token, "--offline"])
        let key = try #require(joined.stdout.split(whereSeparator: { !$0.isHexDigit }).first { $0.count == 64 }.map(String.init))
        #expect(try hq.run(["device", "enrol", key, "--name", "Stall laptop"]).status == 0)
        #expect(try hq.run(["export", "--out", scratch.file("before.bundle")]).status == 0)
        #expect(try laptop.run(["import", scratch.file("before.bundle")]).status == 0)

        let issuedHere = try laptop.run(["paper", "print", "--campaign", "free-the-press", "--lists", "1", "--out", scratch.file("l.html")])
        #expect(issuedHere.status == 3 && issuedHere.stderr.contains("HQ"), "\(issuedHere.output)")
        let checks = try hq.issuePaperLists(count: 1, scratch: scratch)
        let forLaptop = try hq.run(["paper", "print", "--campaign", "free-the-press", "--lists", "1", "--for", String(key.prefix(12)),
                                    "--out", scratch.file("for.html")])
        #expect(forLaptop.status == 0, "\(forLaptop.output)")
        let csv = scratch.file("list.csv")
        try Data("name\nPaper One\n".utf8).write(to: URL(fileURLWithPath: csv))
        let early = try laptop.run(["import-paper", csv, "--campaign", "free-the-press", "--list", "1", "--check", checks[1]!])
        #expect(early.status == 3 && early.stderr.contains("sync first"), "\(early.output)")
        #expect(try hq.run(["export", "--out", scratch.file("after.bundle")]).status == 0)
        #expect(try laptop.run(["import", scratch.file("after.bundle")]).status == 0)
        let typed = try laptop.run(["import-paper", csv, "--campaign", "free-the-press", "--list", "1", "--check", checks[1]!])
        #expect(typed.status == 0, "\(typed.output)")
        #expect(typed.stdout.contains("not back yet: 2."), "\(typed.stdout)")
        let listed = try lists(laptop)
        #expect(listed.count == 2 && listed[1].device == key)
    }
}
