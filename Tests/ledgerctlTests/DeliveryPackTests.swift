import Foundation
import Testing

/// `ledgerctl deliver --format html|pdf`: the delivery pack for the petition's target, printed by
/// headless Chromium and read back with pdftotext (docs/OPERATIONS.md, "The delivery pack").
@Suite("Delivery pack")
struct DeliveryPackTests {
    @Test("the pack holds the letter, demands, count, HQ's verifiable tally and the signatories by name and place only; as PDF too")
    func pack() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "Pack"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        #expect(try cli.run(["sign", "--campaign", "free-the-press", "--name", "Kari <script>x</script> Nordmann", "--email", "kari@example.org",
                             "--phone", "+47 12345678", "--postcode", "0150", "--country", "NO"]).status == 0)
        #expect(try cli.run(["sign", "--campaign", "free-the-press", "--name", "Ola Hansen", "--email", "ola@example.org", "--country", "SE"]).status == 0)
        let gone = try cli.run(["sign", "--campaign", "free-the-press", "--name", "Gone Person", "--email", "gone@example.org"])
        let code = try #require(gone.stdout.split(separator: "\n").first { $0.hasPrefix("Receipt code: ") }?.dropFirst(14))
        #expect(try cli.run(["withdraw", "--receipt", String(code)]).status == 0)

        let html = scratch.file("pack.html")
        let made = try cli.run(["deliver", "--campaign", "free-the-press", "--format", "html", "--out", html])
        #expect(made.status == 0, "\(made.output)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<strong>2</strong> people signed this petition"))
        #expect(page.contains("Kari &lt;script&gt;x&lt;/script&gt; Nordmann") && !page.contains("<script>"))
        #expect(page.contains("<td>NO 01</td>") && page.contains("<td>SE</td>"))
        #expect(!page.contains("kari@example.org") && !page.contains("12345678") && !page.contains("Gone Person"))
        #expect((try FileManager.default.attributesOfItem(atPath: html)[.posixPermissions] as? Int) == 0o600)
        // The tally in the pack is HQ's signed statement: it verifies with HQ's key.
        let start = try #require(page.range(of: "<pre class=\"tally\">"))
        let end = try #require(page.range(of: "</pre>", range: start.upperBound..<page.endIndex))
        let tally = String(page[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        let tallyFile = scratch.file("tally.txt")
        try tally.write(toFile: tallyFile, atomically: true, encoding: .utf8)
        let key = try cli.run(["checkpoint", "--key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(page.contains(key))
        let checked = try cli.run(["tally", "verify", tallyFile, "--key", key], withData: false)
        #expect(checked.status == 0 && checked.stdout.contains("2 counted"), "\(checked.output)")

        // Printed by headless Chromium; pdftotext reads the same words back.
        let pdf = scratch.file("pack.pdf")
        let printed = try cli.run(["deliver", "--campaign", "free-the-press", "--format", "pdf", "--out", pdf])
        #expect(printed.status == 0, "\(printed.output)")
        let text = try CLI.external("pdftotext", [pdf, "-"])
        #expect(text.status == 0)
        let words = text.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Free the press") && words.contains("To: Minister of Justice") && words.contains("2 people signed this petition"))
        #expect(words.contains("We demand") && words.contains("How anyone can check this number") && words.contains("ledger.tally.v1"))
        #expect(words.contains("Kari <script>x</script> Nordmann") && words.contains("Ola Hansen"))
        #expect(!words.contains("ola@example.org") && !words.contains("Gone Person"))
        // Never over an existing file; a language the campaign lacks is refused.
        #expect(try cli.run(["deliver", "--campaign", "free-the-press", "--format", "pdf", "--out", pdf]).status == 3)
        #expect(try cli.run(["deliver", "--campaign", "free-the-press", "--format", "html", "--language", "xx", "--out", scratch.file("xx.html")]).status == 3)
        #expect(try cli.run(["deliver", "--campaign", "free-the-press", "--language", "en", "--out", scratch.file("x.csv")]).status == 2)
    }
}
