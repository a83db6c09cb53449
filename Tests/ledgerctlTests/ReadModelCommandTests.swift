import Foundation
import Testing

@Suite("ledgerctl read models")
struct ReadModelCommandTests {
    func makeHQ(_ scratch: Scratch) throws -> CLI {
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "HQ"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        return cli
    }

    struct Stats: Decodable { var counted: Int; var duplicates: Int; var withdrawn: Int; var byChannel: [String: Int] }

    func stats(_ cli: CLI) throws -> Stats {
        let result = try cli.run(["stats", "--campaign", "free-the-press", "--json"])
        return try #require(try JSONDecoder().decode([Stats].self, from: Data(result.stdout.utf8)).first)
    }

    @Test("import-paper refuses a list with bad rows whole, naming each line; --skip-invalid and a second import")
    func paperImport() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let csv = scratch.file("list.csv")
        try Data("""
            name,email,postcode,country,consent
            Kari Nordmann,kari@example.org,0150,NO,yes
            "Hansen, Ola",ola.hansen@@example,5003,NO,no
            ,nobody@example.org,,,
            Per Persen,per@example.org,5003,SE,maybe
            Kari N,KARI@example.org,,NO,no

            """.utf8).write(to: URL(fileURLWithPath: csv))
        let check = try #require(try cli.issuePaperLists(count: 7, scratch: scratch)[7])
        let refused = try cli.run(["import-paper", csv, "--campaign", "free-the-press", "--list", "7", "--check", check])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("line 3: email"))
        #expect(refused.stderr.contains("line 4: name"))
        #expect(refused.stderr.contains("line 5: consent"))
        #expect(!refused.output.contains("Hansen") && !refused.output.contains("ola.hansen"))
        #expect(try stats(cli).counted == 0)
        let skipped = try cli.run(["import-paper", csv, "--campaign", "free-the-press", "--list", "7", "--check", check, "--skip-invalid", "--json"])
        #expect(skipped.status == 0, "\(skipped.output)")
        #expect(skipped.stdout.contains("\"recorded\" : 2"))
        let stats = try stats(cli)
        #expect(stats.counted == 1)
        #expect(stats.duplicates == 1)  // Kari twice, once in another case
        #expect(stats.byChannel == ["paper": 1])
        let again = try cli.run(["import-paper", csv, "--campaign", "free-the-press", "--list", "7", "--check", check, "--skip-invalid", "--json"])
        #expect(again.stdout.contains("\"recorded\" : 0"))
        #expect(again.stdout.contains("\"alreadyRecorded\" : 2"))
        #expect(try cli.run(["import-paper", csv, "--campaign", "nope", "--list", "7", "--check", check]).status == 3)
    }

    @Test("deliver writes counted signatures at HQ and refuses on a node without the sealing key")
    func deliver() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let signed = try cli.run(["sign", "--campaign", "free-the-press", "--name", "Kari Nordmann", "--email", "kari@example.org"])
        let code = try #require(signed.stdout.split(separator: "\n").first { $0.hasPrefix("Receipt code: ") }?.dropFirst(14))
        #expect(try cli.run(["sign", "--campaign", "free-the-press", "--name", "Ola", "--email", "ola@example.org"]).status == 0)
        #expect(try cli.run(["withdraw", "--receipt", String(code)]).status == 0)
        let out = scratch.file("delivery.csv")
        let delivered = try cli.run(["deliver", "--campaign", "free-the-press", "--out", out])
        #expect(delivered.status == 0, "\(delivered.output)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let metadata = try String(contentsOfFile: out + ".meta.json", encoding: .utf8)
        #expect(metadata.contains("\"counted\" : 1") && metadata.contains("\"withdrawn\" : 1"))
        #expect(text.contains("ola@example.org") && !text.contains("kari@example.org"))
        let attributes = try FileManager.default.attributesOfItem(atPath: out)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let json = scratch.file("delivery.json")
        #expect(try cli.run(["deliver", "--campaign", "free-the-press", "--out", json, "--format", "json"]).status == 0)
        #expect(try String(contentsOfFile: json, encoding: .utf8).contains("\"readModelDigest\""))

        let bundle = scratch.file("b")
        #expect(try cli.run(["export", "--out", bundle]).status == 0)
        let copy = CLI(data: scratch.file("copy"))
        #expect(try copy.run(["init", "--from-bundle", bundle]).status == 0)
        let refused = try copy.run(["deliver", "--campaign", "free-the-press", "--out", scratch.file("x.csv")])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("no sealing key"))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("x.csv")))
        // Same entries, same read-model digest.
        struct Status: Decodable { var readModelDigest: String }
        let a = try JSONDecoder().decode(Status.self, from: Data(try cli.run(["status", "--json"]).stdout.utf8))
        let b = try JSONDecoder().decode(Status.self, from: Data(try copy.run(["status", "--json"]).stdout.utf8))
        #expect(a.readModelDigest == b.readModelDigest)
        let rebuilt = try copy.run(["rebuild"])
        #expect(rebuilt.stdout.contains(b.readModelDigest))
    }

    @Test("campaign update, show any version, comment hide and list")
    func versionsAndComments() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let file = try scratch.campaignFile()
        let updatedText = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"Free the press\"", with: "\"Free the press now\"")
        try Data(updatedText.utf8).write(to: URL(fileURLWithPath: file))
        #expect(try cli.run(["campaign", "update", file]).status == 0)
        struct Shown: Decodable { var version: String; var versions: [String] }
        let shown = try JSONDecoder().decode(Shown.self, from: Data(try cli.run(["campaign", "show", "free-the-press", "--json"]).stdout.utf8))
        #expect(shown.versions.count == 2 && shown.version == shown.versions[1])
        let old = try cli.run(["campaign", "show", "free-the-press", "--version", String(shown.versions[0].prefix(10))])
        #expect(old.stdout.hasPrefix("Free the press  [open]"))
        #expect(try cli.run(["campaign", "show", "free-the-press"]).stdout.hasPrefix("Free the press now"))
        let nb = try cli.run(["campaign", "show", "free-the-press", "--language", "nb"])
        #expect(nb.stdout.hasPrefix("Fri presse"))

        let posted = try cli.run(["comment", "--campaign", "free-the-press", "--display-name", "Bot", "--text", "spam spam"])
        let id = try #require(posted.stdout.split(separator: " ").last?.dropLast(3))
        #expect(try cli.run(["comment", "hide", String(id), "--reason", "spam"]).status == 0)
        #expect(try cli.run(["comment", "list", "--campaign", "free-the-press"]).stdout.contains("No comments."))
        #expect(try cli.run(["comment", "list", "--campaign", "free-the-press", "--all"]).stdout.contains("[hidden: spam]"))
    }
}
