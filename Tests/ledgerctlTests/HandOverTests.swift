import Foundation
import Testing

/// Stats by device name, handing a join token over, and progress on long commands (issue 9, item 14).
@Suite("ledgerctl devices, tokens and progress")
struct HandOverTests {
    @Test("stats shows enrolled devices by name; --json has the name and the key")
    func statsByName() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "HQ"]).status == 0)
        #expect(try hq.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let token = try hq.run(["device", "invite", "--name", "Stall laptop A", "--url", "http://127.0.0.1:9"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let laptop = CLI(data: scratch.file("laptop"))
        let joined = try laptop.run(["init", "--join", token, "--offline"])
        let key = try #require(joined.stdout.split(separator: "\n").first { $0.contains("device enrol") }?.split(separator: " ").dropFirst(3).first)
        #expect(try hq.run(["device", "enrol", String(key), "--name", "Stall laptop A"]).status == 0)
        #expect(try hq.run(["export", "--out", scratch.file("hq.bundle")]).status == 0)
        #expect(try laptop.run(["import", scratch.file("hq.bundle")]).status == 0)
        #expect(try laptop.run(["sign", "--campaign", "free-the-press", "--name", "A", "--email", "a@example.org"]).status == 0)
        #expect(try laptop.run(["export", "--out", scratch.file("laptop.bundle")]).status == 0)
        #expect(try hq.run(["import", scratch.file("laptop.bundle")]).status == 0)

        let text = try hq.run(["stats"]).stdout
        #expect(text.contains("Stall laptop A (\(key.prefix(8)))"), "\(text)")
        struct Stats: Decodable {
            struct Device: Decodable { var device: String; var name: String?; var counted: Int }
            var byDevice: [String: Int]
            var devices: [Device]
        }
        let stats = try JSONDecoder().decode([Stats].self, from: Data(try hq.run(["stats", "--json"]).stdout.utf8))
        #expect(stats.first?.byDevice[String(key)] == 1)
        #expect(stats.first?.devices.map(\.name) == ["Stall laptop A"])
        #expect(stats.first?.devices.first?.device == String(key))
    }

    @Test("device invite needs --url; --out writes the token to a 0600 file that init --join takes")
    func inviteURLAndFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "HQ"]).status == 0)
        let missing = try hq.run(["device", "invite", "--name", "Stall laptop A"])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("ledgerctl: error: ") && missing.stderr.contains("--url"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")

        let file = scratch.file("stall-a.token")
        let written = try hq.run(["device", "invite", "--name", "Stall laptop A", "--url", "http://127.0.0.1:9", "--out", file])
        #expect(written.status == 0, "\(written.output)")
        #expect(!written.stdout.contains("LEDGER-JOIN-1."))
        #expect(written.stdout.contains(file))
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("LEDGER-JOIN-1."))
        let again = try hq.run(["device", "invite", "--name", "Stall laptop B", "--url", "http://127.0.0.1:9", "--out", file])
        #expect(again.status == 3)
        #expect(again.stderr.contains("exists"), "\(again.stderr)")

        let joined = try CLI(data: scratch.file("laptop")).run(["init", "--join", file, "--offline"])
        #expect(joined.status == 0, "\(joined.output)")
        #expect(joined.stdout.contains("--name \"Stall laptop A\""))
    }

    @Test("device invite --valid-for: the token's expiry on stderr (stdout is the token alone), 7 days by default; bad durations exit 2")
    func inviteValidity() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "HQ"]).status == 0)
        func expiry(_ stderr: String) throws -> Date {
            let text = try #require(stderr.range(of: "until ").map { String(stderr[$0.upperBound...].prefix(16)) })
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.timeZone = TimeZone(identifier: "UTC")
            format.dateFormat = "yyyy-MM-dd HH:mm"
            return try #require(format.date(from: text), "\(stderr)")
        }
        for (arguments, seconds) in [([String](), 7.0 * 86_400), (["--valid-for", "30m"], 1_800.0), (["--valid-for", "12h"], 43_200.0), (["--valid-for", "90d"], 90.0 * 86_400)] {
            let made = try hq.run(["device", "invite", "--name", "Laptop", "--url", "http://10.0.0.2:8080"] + arguments)
            #expect(made.status == 0, "\(made.output)")
            #expect(made.stdout.hasPrefix("LEDGER-JOIN-1.") && made.stdout.split(separator: "\n").count == 1)
            // The minute printed is the expiry rounded down, a few seconds after now + the validity at most.
            let offset = try expiry(made.stderr).timeIntervalSinceNow - seconds
            #expect(offset > -90 && offset <= 0, "\(arguments): \(made.stderr)")
        }
        for bad in ["0d", "91d", "7x", "1.5d", "7 d", "", "-1d", "1000000d", "+7d", "\u{0667}d"] {
            let refused = try hq.run(["device", "invite", "--name", "Laptop", "--url", "http://10.0.0.2:8080", "--valid-for", bad])
            #expect(refused.status == 2, "\(bad): \(refused.output)")
            #expect(refused.stdout.isEmpty && refused.stderr.hasPrefix("ledgerctl: error: ") && refused.stderr.contains("--valid-for"), "\(bad): \(refused.stderr)")
        }
        let written = try hq.run(["device", "invite", "--name", "Laptop", "--url", "http://10.0.0.2:8080", "--valid-for", "1h", "--out", scratch.file("t")])
        #expect(written.status == 0 && written.stdout.contains("It works once, until "), "\(written.output)")

        // Listed (never with a secret), and cancelled by name once the name is unique.
        let listed = try hq.run(["device", "invitations"]).stdout.split(separator: "\n")
        #expect(listed.count == 5 && listed.allSatisfy { $0.contains("expires ") && $0.hasSuffix("Laptop") }, "\(listed)")
        #expect(!listed.joined().contains("LEDGER-JOIN"))
        #expect(try hq.run(["device", "cancel-invitation", "Laptop"]).stderr.contains("5 open invitations match"))
        let id = try #require(listed.first.map { String($0.prefix(12)) })
        let cancelled = try hq.run(["device", "cancel-invitation", id])
        #expect(cancelled.status == 0 && cancelled.stdout.contains("Cancelled the invitation \(id)"), "\(cancelled.output)")
        #expect(try hq.run(["device", "invitations", "--json"]).stdout.components(separatedBy: "\"id\"").count == 5)
    }

    @Test("--progress shows progress on stderr for long commands; stdout and --json stay as they are")
    func progress() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "HQ"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let paper = scratch.file("list.csv")
        let rows = (1...40).map { "Person \($0),p\($0)@example.org,NO,yes" }.joined(separator: "\n")
        try Data(("name,email,country,consent\n" + rows + "\n").utf8).write(to: URL(fileURLWithPath: paper))
        let check = try #require(try cli.issuePaperLists(rows: 40, scratch: scratch)[1])
        let imported = try cli.run(["import-paper", paper, "--campaign", "free-the-press", "--list", "1", "--check", check, "--progress"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("40/40"), "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("Recorded 40 signatures"))
        let bundle = scratch.file("b.bundle")
        for arguments in [["verify", "--full"], ["rebuild"], ["export", "--out", bundle], ["import", bundle]] {
            let result = try cli.run(arguments + ["--progress"])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("/"), "\(arguments) shows no progress")
            let quiet = try cli.run(arguments)
            #expect(quiet.stderr.isEmpty, "\(arguments) shows progress when stderr is not a terminal: \(quiet.stderr)")
        }
        let json = try cli.run(["verify", "--json", "--progress"])
        #expect(json.stdout.hasPrefix("{"))
        struct Verified: Decodable { var intact: Bool }
        #expect(try JSONDecoder().decode(Verified.self, from: Data(json.stdout.utf8)).intact)
    }
}
