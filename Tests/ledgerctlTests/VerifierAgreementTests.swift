import Foundation
import Testing

/// One ledger, HQ and five laptop folders, built only through the real `ledgerctl`, then
/// exported and read by both verifiers: ledgerctl itself and tools/verify_bundle.py, the
/// auditor's tool written from docs/FORMAT.md and docs/READMODELS.md alone. They must
/// print the same figures per campaign, the same roles and the same faults, and accept
/// or refuse the same altered bundles. "An auditor's tool that disagrees with the ledger
/// is worse than none."
@Suite("Verifier agreement: tools/verify_bundle.py and ledgerctl on a multi-laptop ledger")
struct VerifierAgreementTests {
    struct Laptop {
        let cli: CLI
        let key: String
    }

    @Test("same counts, roles, faults and verdicts before and after 'fork adopt'")
    func multiLaptopLedger() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        try ok(hq, ["init", "--hq", "--name", "Agreement HQ"])
        let press = try scratch.campaignFile(id: "free-the-press")
        let other = try scratch.campaignFile(id: "second-action")
        try ok(hq, ["campaign", "publish", press])
        try ok(hq, ["campaign", "publish", other])

        // Four laptops join offline: a token, the laptop's key, HQ's enrolment, a bundle.
        var laptops: [String: Laptop] = [:]
        for name in ["a", "b", "c", "r"] {
            let invite = try ok(hq, ["device", "invite", "--name", "Laptop \(name)", "--url", "http://127.0.0.1:9"])
            let token = invite.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let cli = CLI(data: scratch.file(name))
            let joined = try ok(cli, ["init", "--join", token, "--offline"])
            let key = try #require(firstHex64(joined.stdout), "\(joined.output)")
            try ok(hq, ["device", "enrol", key, "--name", "Laptop \(name)"])
            laptops[name] = Laptop(cli: cli, key: key)
        }
        let (a, b, c, r) = (laptops["a"]!, laptops["b"]!, laptops["c"]!, laptops["r"]!)
        let paperCheck = try #require(try hq.issuePaperLists(count: 7, scratch: scratch)[7])
        try ok(hq, ["export", "--out", scratch.file("hq0.bundle")])
        for laptop in laptops.values {
            try ok(laptop.cli, ["import", scratch.file("hq0.bundle")])
        }

        // Signatures on several laptops, with repeated signers and across campaigns.
        let annA = try receipt(ok(a.cli, ["sign", "--campaign", "free-the-press", "--name", "Ann One", "--email", "ann@example.org", "--country", "NO", "--json"]))
        try ok(a.cli, ["sign", "--campaign", "free-the-press", "--name", "Bob Two", "--email", "bob@example.org", "--country", "SE", "--channel", "kiosk"])
        try ok(a.cli, ["sign", "--campaign", "second-action", "--name", "Ann One", "--email", "ann@example.org"])
        try ok(b.cli, ["sign", "--campaign", "free-the-press", "--name", "Ann One", "--email", "ANN@example.org", "--channel", "kiosk"])
        let cidB = try receipt(ok(b.cli, ["sign", "--campaign", "free-the-press", "--name", "Cid Three", "--postcode", "0150", "--json"]))
        try ok(b.cli, ["withdraw", "--receipt", cidB])
        try ok(a.cli, ["withdraw", "--receipt", annA])       // Ann's signature on b counts instead
        let commented = try ok(b.cli, ["comment", "--campaign", "free-the-press", "--display-name", "Zed", "--text", "Not for the public list"])
        let commentID = try #require(firstHex64(commented.stdout))
        try ok(b.cli, ["comment", "--campaign", "second-action", "--display-name", "Ann", "--text", "Løslat dem!"])
        // A paper list typed in on laptop c: Bob signs a second time, on paper.
        let csv = scratch.file("list-7.csv")
        try Data("name,email,postcode,country,consent\nDan Four,dan@example.org,0150,NO,yes\n\"Hansen, Ola\",,5003,NO,no\nBob Two,bob@example.org,,,no\n".utf8)
            .write(to: URL(fileURLWithPath: csv))
        try ok(c.cli, ["import-paper", csv, "--campaign", "free-the-press", "--list", "7", "--check", paperCheck])
        let pat = try receipt(ok(c.cli, ["sign", "--campaign", "free-the-press", "--name", "Pat Zero", "--email", "pat@example.org", "--json"]))
        // Laptop r will be lost.
        let eve = try receipt(ok(r.cli, ["sign", "--campaign", "free-the-press", "--name", "Eve Five", "--email", "eve@example.org", "--json"]))
        try ok(r.cli, ["sign", "--campaign", "free-the-press", "--name", "Fay Six", "--email", "fay@example.org"])
        try ok(r.cli, ["sign", "--campaign", "second-action", "--name", "Gus Seven", "--email", "gus@example.org"])
        for name in ["a", "b", "c", "r"] {
            try ok(laptops[name]!.cli, ["export", "--out", scratch.file("\(name)1.bundle")])
            try ok(hq, ["import", scratch.file("\(name)1.bundle")])
        }

        // HQ hides the comment, revokes laptop r after its first entry, closes a campaign.
        try ok(hq, ["comment", "hide", commentID, "--reason", "spam"])
        try ok(hq, ["device", "revoke", r.key, "--after-seq", "1", "--reason", "lost at a concert"])
        try ok(hq, ["campaign", "close", "second-action", "--reason", "Delivered"])
        Thread.sleep(forTimeInterval: 0.02)
        // Laptop a has not heard of the close: its signature is late.
        try ok(a.cli, ["sign", "--campaign", "second-action", "--name", "Hal Eight", "--email", "hal@example.org"])
        // Laptop r writes on after its revocation: kept as evidence, never counted; its
        // withdrawal of Eve's signature is past the revocation too, so Eve still counts.
        try ok(r.cli, ["sign", "--campaign", "free-the-press", "--name", "Ivy Nine", "--email", "ivy@example.org"])
        try ok(r.cli, ["withdraw", "--receipt", eve])

        // Laptop c's folder is copied; both copies write: a fork.
        try FileManager.default.copyItem(atPath: scratch.file("c"), toPath: scratch.file("c-copy"))
        let copy = CLI(data: scratch.file("c-copy"))
        try ok(c.cli, ["sign", "--campaign", "free-the-press", "--name", "Jon Ten", "--email", "jon@example.org"])
        try ok(c.cli, ["sign", "--campaign", "free-the-press", "--name", "Kim Eleven", "--email", "kim@example.org"])
        try ok(copy, ["sign", "--campaign", "free-the-press", "--name", "Jon Ten", "--email", "jon@example.org"])
        try ok(copy, ["sign", "--campaign", "free-the-press", "--name", "Lea Twelve", "--email", "lea@example.org", "--country", "DK"])
        try ok(copy, ["withdraw", "--receipt", pat])          // held until HQ adopts the branch

        for (name, cli) in [("a", a.cli), ("r", r.cli), ("c", c.cli), ("c-copy", copy)] {
            try ok(cli, ["export", "--out", scratch.file("\(name)2.bundle")])
            let imported = try hq.run(["import", scratch.file("\(name)2.bundle")])
            // r: entries past its revocation; c-copy: a forked log. Both are stored as evidence.
            #expect(imported.status == (name == "r" || name == "c-copy" ? 4 : 0), "\(name): \(imported.output)")
        }

        // Before HQ adopts the fork.
        let before = scratch.file("before.bundle")
        try ok(hq, ["export", "--out", before])
        let reportBefore = try compare(hq: hq, bundle: before, scratch: scratch, phase: "before")
        let press0 = try #require(reportBefore.campaign("free-the-press"))
        #expect((press0["forked"]?.integer ?? 0) > 0)
        #expect(reportBefore.findingKinds.isSuperset(of: ["invalid-withdrawal", "forked", "duplicate", "late", "unauthorised"]))

        // HQ reviews the fork and adopts every branch of laptop c.
        try ok(hq, ["fork", "adopt", c.key, "--reason", "the disk was cloned"])
        let after = scratch.file("after.bundle")
        try ok(hq, ["export", "--out", after])
        let reportAfter = try compare(hq: hq, bundle: after, scratch: scratch, phase: "after")
        let press1 = try #require(reportAfter.campaign("free-the-press"))
        let second = try #require(reportAfter.campaign("second-action"))
        #expect(press1["forked"] == .integer(0))
        #expect((press1["counted"]?.integer ?? 0) > (press0["counted"]?.integer ?? 0))
        #expect((press1["duplicates"]?.integer ?? 0) >= 2)        // Bob on paper, Jon on both copies
        #expect((press1["unauthorised"]?.integer ?? 0) >= 2)      // Fay and Ivy, past r's revocation
        #expect(second["late"] == .integer(1) && second["state"] == .string("closed"))
        #expect(press1["comments"] == .object(["visible": .integer(0), "hidden": .integer(1)]))

        // Altered bundles: both verifiers accept or refuse alike.
        let good = try Data(contentsOf: URL(fileURLWithPath: after))
        #expect(try verdicts(good, name: "intact", scratch: scratch) == Verdicts(python: 4, ledgerctlAccepts: true))
        var lines = try #require(String(data: good, encoding: .utf8)).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()      // the empty string after the final newline
        // One byte of an entry flipped, end checksum recomputed as a forger would.
        var flippedLines = lines
        flippedLines[4] = try flipEntryByte(lines[4], at: 150)
        #expect(try verdicts(rechecksummed(flippedLines), name: "entry byte", scratch: scratch) == Verdicts(python: 1, ledgerctlAccepts: false))
        // One byte of the file flipped, checksum left alone.
        var damaged = good
        damaged[damaged.count / 2] ^= 0x01
        #expect(try verdicts(damaged, name: "file byte", scratch: scratch) == Verdicts(python: 1, ledgerctlAccepts: false))
        // A repeated member: one JSON reader sees one entry, another the other.
        var repeated = lines
        repeated[2] = "{\"entry\":\"\(base64Value(lines[3]))\",\"entry\":\"\(base64Value(lines[2]))\"}"
        #expect(try verdicts(rechecksummed(repeated), name: "repeated member", scratch: scratch) == Verdicts(python: 1, ledgerctlAccepts: false))
        // Cut in the middle, and cut after a whole line.
        #expect(try verdicts(good.prefix(good.count / 3), name: "truncated", scratch: scratch) == Verdicts(python: 1, ledgerctlAccepts: false))
        let lastLine = good.dropLast().lastIndex(of: UInt8(ascii: "\n"))!
        #expect(try verdicts(good.prefix(upTo: lastLine + 1), name: "no end line", scratch: scratch) == Verdicts(python: 1, ledgerctlAccepts: false))
    }

    // MARK: - Comparing

    /// Runs both verifiers on `bundle`, checks they agree, and returns the Python report.
    func compare(hq: CLI, bundle: String, scratch: Scratch, phase: String) throws -> PythonReport {
        let py = try IndependentVerifierTests().python(["--json", bundle])
        // Intact, with evidence: a forked log and entries past a revocation.
        #expect(py.status == 4, "\(phase): \(py.stderr)")
        let report = try decode(PythonReport.self, py.stdout)
        #expect(report.intact, "\(phase): \(report.faults)")

        // The same figures at HQ and on an observer made from the bundle alone.
        let hqStats = try decode([[String: JSON]].self, ok(hq, ["stats", "--json"]).stdout)
        let observer = CLI(data: scratch.file("observer-\(phase)"))
        let made = try observer.run(["init", "--from-bundle", bundle])
        #expect(made.status == 4, "\(phase): a bundle with forks and evidence: \(made.output)")  // docs/CLI.md
        let observerStats = try decode([[String: JSON]].self, ok(observer, ["stats", "--json"]).stdout)
        #expect(hqStats == observerStats, "\(phase): HQ and the observer count differently")

        // Every member ledgerctl prints, per campaign.
        #expect(report.campaigns.map { $0["campaign"] } == hqStats.map { $0["campaign"] }, "\(phase): campaigns")
        for stats in hqStats {
            let name = stats["campaign"]?.description ?? "?"
            let mine = try #require(report.campaign(name), "\(phase): \(name) missing")
            for (key, value) in stats {
                let message: Comment = "\(phase) \(name).\(key): ledgerctl \(value), verify_bundle.py \(mine[key] ?? .null)"
                #expect(mine[key] == value, message)
            }
        }

        // Roles and names from the enrolments; HQ's root key is "hq".
        let status = try decode(Status.self, ok(hq, ["status", "--json"]).stdout)
        let root = try #require(report.log(status.node))
        #expect(root.root && root.role == status.role)
        let devices = try decode([Device].self, ok(hq, ["device", "list", "--json"]).stdout)
        #expect(devices.count == report.logs.count - 1, "\(phase): devices")
        for device in devices {
            let mine = try #require(report.log(device.device), "\(phase): no log row for device \(device.device)")
            #expect(mine.role == device.role && mine.name == device.name && mine.revokedAfter == device.revokedAfter,
                    "\(phase): \(device.device) is \(device.role) \(device.name) \(String(describing: device.revokedAfter)) to ledgerctl")
        }
        // Forked logs: the fork point and what is still held.
        let forked = try decode([ForkedLog].self, ok(hq, ["fork", "list", "--json"]).stdout)
        #expect(forked.map(\.device) == report.logs.filter { $0.forkedAt != nil }.map(\.author))
        for log in forked {
            let mine = try #require(report.log(log.device))
            #expect(mine.forkedAt == log.forkSequence && mine.heldBack == log.held, "\(phase): fork of \(log.device)")
        }

        // The same faults, each named by kind, author, sequence and entry id.
        let verify = try hq.run(["verify", "--full", "--json"])
        #expect(verify.status == 4, "\(phase): \(verify.output)")
        let theirs = Set(try decode(Verification.self, verify.stdout).report.faults)
        let ours = Set(report.faults)
        #expect(theirs == ours, "\(phase): ledgerctl only \(theirs.subtracting(ours)), verify_bundle.py only \(ours.subtracting(theirs))")
        #expect(ours.contains { $0.kind == "fork" } && ours.contains { $0.kind == "unauthorised" })
        return report
    }

    struct Verdicts: Equatable {
        var python: Int32
        var ledgerctlAccepts: Bool
    }

    /// Python's exit status, and whether ledgerctl makes an observer node from the bundle.
    func verdicts(_ data: Data, name: String, scratch: Scratch) throws -> Verdicts {
        let path = scratch.file("altered-\(name.replacingOccurrences(of: " ", with: "-")).bundle")
        try data.write(to: URL(fileURLWithPath: path))
        let py = try IndependentVerifierTests().python([path])
        let node = scratch.file("altered-\(name.replacingOccurrences(of: " ", with: "-"))-node")
        let made = try CLI(data: node).run(["init", "--from-bundle", path])
        let accepted = made.status == 0 || made.status == 4
        // The same exit status (docs/CLI.md): 4 intact with evidence, 1 for a bundle damaged or altered.
        #expect(made.status == py.status, "\(name): ledgerctl exits \(made.status), verify_bundle.py \(py.status): \(made.output)")
        if !accepted {
            #expect(!FileManager.default.fileExists(atPath: node + "/ledger.sqlite"), "\(name): a refused bundle left a store")
        }
        return Verdicts(python: py.status, ledgerctlAccepts: accepted)
    }

    // MARK: - Helpers

    @discardableResult
    func ok(_ cli: CLI, _ args: [String]) throws -> CLI.Result {
        let result = try cli.run(args)
        #expect(result.status == 0, "ledgerctl \(args.prefix(2).joined(separator: " ")): \(result.output)")
        return result
    }

    func receipt(_ result: CLI.Result) throws -> String {
        struct Signed: Decodable { var receipt: String }
        return try decode(Signed.self, result.stdout).receipt
    }

    func firstHex64(_ text: String) -> String? {
        text.split(whereSeparator: { !$0.isHexDigit }).map(String.init).first { $0.count == 64 && $0 == $0.lowercased() }
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    func base64Value(_ line: String) -> String {
        let start = line.range(of: ":\"")!.upperBound
        let end = line.range(of: "\"", options: .backwards)!.lowerBound
        return String(line[start..<end])
    }

    func flipEntryByte(_ line: String, at offset: Int) throws -> String {
        var raw = try #require(Data(base64Encoded: base64Value(line)))
        raw[offset] ^= 0x01
        return "{\"entry\":\"\(raw.base64EncodedString())\"}"
    }

    /// The lines (without the end line) and a new end line with their SHA-256.
    func rechecksummed(_ lines: [String]) -> Data {
        let body = lines.dropLast().joined(separator: "\n") + "\n"
        return Data((body + "{\"end\":\"\(sha256Hex(Array(body.utf8)))\"}\n").utf8)
    }
}

// MARK: - What the two tools print

extension VerifierAgreementTests {
    /// Any JSON value: compares every member `ledgerctl stats --json` prints without
    /// listing them here, so a figure added on either side cannot slip past.
    enum JSON: Decodable, Equatable, CustomStringConvertible {
        case object([String: JSON]), array([JSON]), string(String), integer(Int), number(Double), bool(Bool), null

        init(from decoder: Decoder) throws {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() { self = .null }
            else if let bool = try? value.decode(Bool.self) { self = .bool(bool) }
            else if let integer = try? value.decode(Int.self) { self = .integer(integer) }
            else if let number = try? value.decode(Double.self) { self = .number(number) }
            else if let string = try? value.decode(String.self) { self = .string(string) }
            else if let array = try? value.decode([JSON].self) { self = .array(array) }
            else { self = .object(try value.decode([String: JSON].self)) }
        }

        var integer: Int? { if case .integer(let value) = self { value } else { nil } }

        var description: String {
            switch self {
            case .object(let members): "{" + members.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
            case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
            case .string(let string): string
            case .integer(let integer): String(integer)
            case .number(let number): String(number)
            case .bool(let bool): String(bool)
            case .null: "null"
            }
        }
    }

    /// `verify_bundle.py --json`: the members this test reads.
    struct PythonReport: Decodable {
        struct Log: Decodable {
            var author: String
            var role: String
            var root: Bool
            var name: String?
            var revokedAfter: Int?
            var forkedAt: Int?
            var heldBack: Int?
        }
        struct Finding: Decodable { var finding: String }

        var intact: Bool
        var campaigns: [[String: JSON]]
        var logs: [Log]
        var faults: [Fault]
        var findings: [Finding]

        func campaign(_ name: String) -> [String: JSON]? { campaigns.first { $0["campaign"] == .string(name) } }
        func log(_ author: String) -> Log? { logs.first { $0.author == author } }
        var findingKinds: Set<String> { Set(findings.map(\.finding)) }
    }

    /// A fault as both tools name it: kind, author, sequence and entry id.
    struct Fault: Decodable, Hashable, CustomStringConvertible {
        var kind: String
        var author: String?
        var sequence: Int?
        var id: String?
        var description: String { "\(kind) \(author?.prefix(12) ?? "-") #\(sequence.map(String.init) ?? "-") \(id?.prefix(12) ?? "-")" }
    }

    /// `ledgerctl verify --full --json`.
    struct Verification: Decodable {
        struct Report: Decodable { var faults: [Fault] }
        var report: Report
    }

    /// `ledgerctl status --json`.
    struct Status: Decodable {
        var node: String
        var role: String
    }

    /// `ledgerctl device list --json`.
    struct Device: Decodable {
        var device: String
        var name: String
        var role: String
        var revokedAfter: Int?
    }

    /// `ledgerctl fork list --json`.
    struct ForkedLog: Decodable {
        var device: String
        var forkSequence: Int
        var held: Int
    }
}
