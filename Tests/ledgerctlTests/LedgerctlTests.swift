import Foundation
import Testing

@Suite("ledgerctl end to end")
struct LedgerctlTests {
    /// An HQ node with one published campaign.
    func makeHQ(_ scratch: Scratch) throws -> CLI {
        let cli = CLI(data: scratch.file("hq"))
        let created = try cli.run(["init", "--hq", "--name", "Test HQ"])
        #expect(created.status == 0, "\(created.output)")
        let published = try cli.run(["campaign", "publish", try scratch.campaignFile()])
        #expect(published.status == 0, "\(published.output)")
        return cli
    }

    /// Every string in a JSON value, keys excluded.
    func stringValues(in json: Any) -> [String] {
        switch json {
        case let string as String: [string]
        case let array as [Any]: array.flatMap { stringValues(in: $0) }
        case let object as [String: Any]: object.values.flatMap { stringValues(in: $0) }
        default: []
        }
    }

    /// A hash, key or signature as the log prints it: lowercase hex of 32 bytes or more.
    func isHex(_ value: String) -> Bool {
        value.utf8.count >= 64 && value.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    func receipt(from output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("Receipt code: ") }.map { String($0.dropFirst("Receipt code: ".count)) }
    }

    func entryCount(_ cli: CLI) throws -> Int {
        let status = try cli.run(["status", "--json"])
        struct Status: Decodable { var entries: Int }
        return try JSONDecoder().decode(Status.self, from: Data(status.stdout.utf8)).entries
    }

    @Test("init creates keys with mode 0600 and refuses to overwrite a node")
    func initNode() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        for key in ["node.key", "sealing.key", "pseudonym.key"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: scratch.file("hq/keys/\(key)"))
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        let again = try cli.run(["init", "--hq", "--name", "Other"])
        #expect(again.status == 3)
        #expect(again.stderr.contains("refusing to overwrite"))
        #expect(try entryCount(cli) == 2)
    }

    @Test("usage errors exit 2; --help exits 0")
    func usage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("x"))
        #expect(try cli.run(["init"]).status == 2)
        #expect(try cli.run(["frobnicate"], withData: false).status == 2)
        #expect(try cli.run(["sign", "--campaign", "c"]).status == 2)
        let help = try cli.run(["--help"], withData: false)
        #expect(help.status == 0)
        #expect(help.stdout.contains("verify"))
    }

    @Test("sign, comment, withdraw by receipt; a second withdrawal is refused")
    func signAndWithdraw() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let signed = try cli.run(["sign", "--campaign", "free-the-press", "--name", "Kari Nordmann", "--email", "kari@example.org", "--postcode", "0150", "--country", "no", "--consent-contact"])
        #expect(signed.status == 0, "\(signed.output)")
        let code = try #require(receipt(from: signed.stdout))
        #expect(!signed.output.contains("Kari") && !signed.output.contains("kari@"))
        #expect(try cli.run(["comment", "--campaign", "free-the-press", "--display-name", "Kari", "--text", "Free them"]).status == 0)
        let list = try cli.run(["campaign", "list", "--json"])
        #expect(list.stdout.contains("\"counted\" : 1"))
        let withdrawn = try cli.run(["withdraw", "--receipt", code.lowercased()])
        #expect(withdrawn.status == 0, "\(withdrawn.output)")
        let again = try cli.run(["withdraw", "--receipt", code])
        #expect(again.status == 3)
        #expect(again.stderr.contains("already withdrawn"))
        let unknown = try cli.run(["withdraw", "--receipt", "0000-0000-0000-0000"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("no signature has this receipt code"))
        // The log shows public facts only.
        let log = try cli.run(["log", "--json"])
        #expect(log.status == 0)
        #expect(!log.stdout.contains("Nordmann") && !log.stdout.contains("kari@example.org"))
        // The postcode is four digits, which a 64-digit hex hash holds by chance about once in thirty
        // logs like this one: look for it in every string value that is not a hash, key or signature.
        let values = stringValues(in: try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)))
        #expect(values.count > 20)
        #expect(!values.filter { !isHex($0) }.contains { $0.contains("0150") })
        #expect(log.stdout.contains("\"postcodeArea\" : \"01\""))
        let filtered = try cli.run(["log", "--type", "signature.withdrawn", "--json"])
        #expect(filtered.stdout.components(separatedBy: "\"type\" : \"signature.withdrawn\"").count == 2)
        let verify = try cli.run(["verify", "--full"])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.stdout.contains("OK"))
    }

    @Test("bad input: unknown campaign, closed campaign, malformed e-mail, missing folder — one line, exit 3, nothing stored")
    func badInput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let before = try entryCount(cli)
        let unknown = try cli.run(["sign", "--campaign", "nope", "--name", "A"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("no campaign 'nope'"))
        let email = try cli.run(["sign", "--campaign", "free-the-press", "--name", "Secret Person", "--email", "secret.person@@example"])
        #expect(email.status == 3)
        #expect(email.stderr.contains("e-mail"))
        #expect(!email.output.contains("secret.person") && !email.output.contains("Secret Person"))
        #expect(email.stderr.split(separator: "\n").count == 1)
        #expect(try entryCount(cli) == before)
        #expect(try cli.run(["campaign", "close", "free-the-press"]).status == 0)
        let closed = try cli.run(["sign", "--campaign", "free-the-press", "--name", "A"])
        #expect(closed.status == 3)
        #expect(closed.stderr.contains("is closed"))
        #expect(try entryCount(cli) == before + 1)
        let missing = try CLI(data: scratch.file("nowhere")).run(["status"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("no Ledger node in"))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("nowhere")))
        let badFile = scratch.file("bad.json")
        try Data("{\"id\": \"Bad Id\"}".utf8).write(to: URL(fileURLWithPath: badFile))
        let badCampaign = try cli.run(["campaign", "publish", badFile])
        #expect(badCampaign.status == 3)
        #expect(badCampaign.stderr.contains("missing field") || badCampaign.stderr.contains("'id'"))
    }

    @Test("LEDGER_DATA chooses the data folder when --data is absent")
    func environmentFolder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("env"))
        let created = try cli.run(["init", "--hq", "--name", "Env"], withData: false, environment: ["LEDGER_DATA": scratch.file("env")])
        #expect(created.status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.file("env/ledger.sqlite")))
        let local = try cli.run(["init", "--hq", "--name", "Local"], withData: false, cwd: scratch.path)
        #expect(local.status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.file("ledger-data/ledger.sqlite")))
    }

    @Test("an entry tampered with sqlite3 after dropping the triggers fails verify, naming it")
    func tamperedDatabase() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        #expect(try cli.run(["comment", "--campaign", "free-the-press", "--display-name", "A", "--text", "original text"]).status == 0)
        struct Row: Decodable { var id: String; var author: String; var sequence: UInt64 }
        let rows = try JSONDecoder().decode([Row].self, from: Data(try cli.run(["log", "--json"]).stdout.utf8))
        let target = try #require(rows.first { $0.sequence == 2 })
        let sql = """
            DROP TRIGGER entries_immutable_update;
            UPDATE entries SET bytes = CAST(replace(CAST(bytes AS TEXT), 'Free the press', 'Free the prezz') AS BLOB) WHERE sequence = 2;
            """
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [scratch.file("hq/ledger.sqlite"), sql]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        for mode in [[], ["--full"]] {
            let verify = try cli.run(["verify"] + mode)
            #expect(verify.status == 1, "\(verify.output)")
            #expect(verify.stdout.contains("author \(target.author) sequence 2 entry \(target.id)"), "\(verify.stdout)")
            #expect(verify.stdout.contains("FAILED"))
        }
        let json = try cli.run(["verify", "--json"])
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"intact\" : false"))
    }

    @Test("two processes appending to one data folder at once leave no gap and no duplicate")
    func concurrentProcesses() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let perProcess = 15
        func loop(_ name: String) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "i=0; while [ $i -lt \(perProcess) ]; do \"$0\" comment --data \"$1\" --campaign free-the-press --display-name \(name) --text \"n $i\" || exit 1; i=$((i+1)); done", CLI.binary, scratch.file("hq")]
            try process.run()
            return process
        }
        let first = try loop("first")
        let second = try loop("second")
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        struct Row: Decodable { var sequence: UInt64 }
        let rows = try JSONDecoder().decode([Row].self, from: Data(try cli.run(["log", "--json"]).stdout.utf8))
        #expect(rows.map(\.sequence) == Array(1...UInt64(2 + 2 * perProcess)))
        #expect(try cli.run(["verify", "--full"]).status == 0)
    }

    @Test("export, then init --from-bundle on a fresh node: identical heads; import is idempotent")
    func exportImport() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        #expect(try cli.run(["sign", "--campaign", "free-the-press", "--name", "A B", "--email", "a@example.org"]).status == 0)
        let bundle = scratch.file("ledger.bundle")
        #expect(try cli.run(["export", "--out", bundle]).status == 0)
        let copy = CLI(data: scratch.file("copy"))
        let created = try copy.run(["init", "--from-bundle", bundle])
        #expect(created.status == 0, "\(created.output)")
        struct Status: Decodable, Equatable {
            struct Head: Decodable, Equatable { var author: String; var sequence: UInt64; var id: String }
            var ledger: String
            var heads: [Head]
        }
        let original = try JSONDecoder().decode(Status.self, from: Data(try cli.run(["status", "--json"]).stdout.utf8))
        let copied = try JSONDecoder().decode(Status.self, from: Data(try copy.run(["status", "--json"]).stdout.utf8))
        #expect(original == copied)
        let again = try copy.run(["import", bundle, "--json"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"added\" : 0"))
        #expect(try copy.run(["verify", "--full"]).status == 0)
        // An observer cannot write.
        #expect(try copy.run(["comment", "--campaign", "free-the-press", "--display-name", "x", "--text", "y"]).status == 3)
    }

    @Test("a truncated, tampered or foreign bundle is refused whole with a clear message")
    func badBundles() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        #expect(try cli.run(["comment", "--campaign", "free-the-press", "--display-name", "A", "--text", "t"]).status == 0)
        let bundle = scratch.file("ledger.bundle")
        #expect(try cli.run(["export", "--out", bundle]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
        let copy = CLI(data: scratch.file("copy"))
        #expect(try copy.run(["init", "--from-bundle", bundle]).status == 0)

        let truncated = scratch.file("truncated.bundle")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let t = try cli.run(["import", truncated])
        #expect(t.status == 1)      // docs/CLI.md: a bundle refused for its content fails verification
        #expect(t.stderr.contains("truncated"))

        // A payload no entry names: refused whole, exit 1.
        let text = try #require(String(data: bytes, encoding: .utf8))
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines[0]
        let stray = "{\"payload\":\"\(Data([1] + [UInt8](repeating: 9, count: 40)).base64EncodedString())\"}"
        let payloads = lines.filter { $0.hasPrefix("{\"payload\"") }.count
        lines[0] = header.replacingOccurrences(of: "\"payloads\":\(payloads)}", with: "\"payloads\":\(payloads + 1)}")
        lines.insert(stray, at: lines.count - 1)
        lines.removeLast()
        var body = lines.joined(separator: "\n") + "\n"
        body += "{\"end\":\"\(sha256Hex(Array(body.utf8)))\"}\n"
        let orphan = scratch.file("orphan.bundle")
        try Data(body.utf8).write(to: URL(fileURLWithPath: orphan))
        let o = try cli.run(["import", orphan])
        #expect(o.status == 1, "\(o.output)")
        #expect(o.stderr.contains("matches no entry"))

        // Header version 1.0 is not the form of FORMAT.md section 9 (exit 1); version 2 is another format (exit 3).
        for (version, status) in [("1.0", Int32(1)), ("2", Int32(3))] {
            let other = text.replacingOccurrences(of: "\"version\":1,", with: "\"version\":\(version),")
            let path = scratch.file("version-\(version).bundle")
            try Data(other.utf8).write(to: URL(fileURLWithPath: path))
            let v = try cli.run(["import", path])
            #expect(v.status == status, "version \(version): \(v.output)")
        }

        var altered = bytes
        altered[bytes.count / 2] = altered[bytes.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = scratch.file("tampered.bundle")
        try altered.write(to: URL(fileURLWithPath: tampered))
        let a = try cli.run(["import", tampered])
        #expect(a.status == 1)
        #expect(a.stderr.contains("checksum"))

        // A different ledger.
        let other = CLI(data: scratch.file("other"))
        #expect(try other.run(["init", "--hq", "--name", "Other"]).status == 0)
        let foreign = try other.run(["import", bundle])
        #expect(foreign.status == 3)
        #expect(foreign.stderr.contains("ledger"))
        struct Status: Decodable { var entries: Int }
        #expect(try JSONDecoder().decode(Status.self, from: Data(try other.run(["status", "--json"]).stdout.utf8)).entries == 1)
        // Nothing was lost at the copy either.
        #expect(try copy.run(["verify"]).status == 0)
    }

    @Test("a damaged database file gets one clear line")
    func damagedDatabase() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let path = scratch.file("hq/ledger.sqlite")
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let result = try cli.run(["status"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("damaged"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
