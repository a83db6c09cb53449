import Foundation
import Testing

/// The delivery CSV opens cleanly in spreadsheets and CSV readers (issue 9, item 12). Read back
/// with Python's csv module. Signers' values are compared into a Bool first, so that a failure
/// prints true or false, never the value.
@Suite("ledgerctl deliver: the CSV file")
struct DeliveryCSVTests {
    func makeHQ(_ scratch: Scratch) throws -> CLI {
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "HQ"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        #expect(try cli.run(["sign", "--campaign", "free-the-press", "--name", "Øystein Ærø", "--email", "oystein@example.org",
                             "--postcode", "0150", "--country", "NO", "--phone", "+4712345678"]).status == 0)
        let paper = scratch.file("list.csv")
        try Data("name,email,postcode,country,consent\n=1+2,eve@example.org,5003,NO,no\nPer Persen,per@example.org,0001,NO,yes\n".utf8)
            .write(to: URL(fileURLWithPath: paper))
        let check = try #require(try cli.issuePaperLists(count: 7, scratch: scratch)[7])
        let imported = try cli.run(["import-paper", paper, "--campaign", "free-the-press", "--list", "7", "--check", check])
        #expect(imported.status == 0, "\(imported.stderr)")
        return cli
    }

    /// Parses a CSV file with Python's csv.DictReader; returns the header and the rows.
    func read(_ path: String, encoding: String = "utf-8") throws -> (header: [String], rows: [[String: String]]) {
        let script = """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding=sys.argv[2]) as f:
                reader = csv.DictReader(f)
                rows = list(reader)
                print(json.dumps({"header": reader.fieldnames, "rows": rows}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, encoding]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        struct Parsed: Decodable { var header: [String]; var rows: [[String: String]] }
        let parsed = try JSONDecoder().decode(Parsed.self, from: data)
        return (parsed.header, parsed.rows)
    }

    static let header = ["name", "email", "phone", "address", "postcode", "country", "consent_contact",
                         "signed_at", "channel", "paper_list", "paper_row", "signature", "version"]

    @Test("header on line 1, values as typed (Ø, 0150), paper list and row, formulas neutralised, metadata beside it")
    func plainCSV() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let out = scratch.file("delivery.csv")
        let delivered = try cli.run(["deliver", "--campaign", "free-the-press", "--out", out])
        #expect(delivered.status == 0, "\(delivered.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(bytes.starts(with: Array("name,".utf8)))
        let (header, rows) = try read(out)
        #expect(header == Self.header)
        #expect(rows.count == 3)
        let kiosk = rows.first { $0["channel"] == "manual" }
        let nameSurvives = kiosk?["name"] == "Øystein Ærø"
        let postcodeSurvives = kiosk?["postcode"] == "0150"
        #expect(nameSurvives, "the name does not survive")
        #expect(postcodeSurvives, "the postcode lost its leading zero or changed")
        #expect(kiosk?["paper_list"] == "" && kiosk?["paper_row"] == "")
        let paper = rows.filter { $0["channel"] == "paper" }
        #expect(paper.count == 2)
        #expect(Set(paper.map { $0["paper_list"] ?? "" }) == ["7"])
        #expect(Set(paper.map { $0["paper_row"] ?? "" }) == ["1", "2"])  // 1 = the first row under the header (docs/PAPER.md)
        let zeroKept = paper.contains { $0["postcode"] == "0001" }
        let formulaNeutralised = paper.contains { $0["name"]?.hasPrefix("'=") == true }
        let noFormula = rows.allSatisfy { !($0["name"] ?? "").hasPrefix("=") }
        #expect(zeroKept, "the postcode lost its leading zero or changed")
        #expect(formulaNeutralised && noFormula, "a formula is not neutralised")

        // The metadata is in FILE.meta.json (0600), not in the CSV.
        let meta = out + ".meta.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: meta)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        struct Meta: Decodable { var campaign: String; var counted: Int; var ledger: String; var readModelDigest: String; var file: String }
        let header2 = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: URL(fileURLWithPath: meta)))
        #expect(header2.campaign == "free-the-press" && header2.counted == 3 && header2.file == "delivery.csv")
        let hasCommentLines = String(decoding: bytes, as: UTF8.self).contains("\n#")
        #expect(!hasCommentLines)
    }

    @Test("--excel: a byte-order mark, and postcodes and phone numbers kept as text")
    func excel() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let out = scratch.file("excel.csv")
        #expect(try cli.run(["deliver", "--campaign", "free-the-press", "--out", out, "--excel"]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let (header, rows) = try read(out, encoding: "utf-8-sig")
        #expect(header == Self.header)
        let kiosk = rows.first { $0["channel"] == "manual" }
        let nameSurvives = kiosk?["name"] == "Øystein Ærø"
        let postcodeIsText = kiosk?["postcode"] == "=\"0150\""
        let phoneIsText = kiosk?["phone"] == "=\"+4712345678\""
        #expect(nameSurvives, "the name does not survive")
        #expect(postcodeIsText, "the postcode is not kept as text")
        #expect(phoneIsText, "the phone number is not kept as text")
        let formulaNeutralised = rows.contains { $0["name"]?.hasPrefix("'=") == true }
        #expect(formulaNeutralised, "a formula is not neutralised")
    }

    @Test("refuses to overwrite a file without --force, and writes nothing then")
    func overwrite() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = try makeHQ(scratch)
        let out = scratch.file("delivery.csv")
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: out))
        let refused = try cli.run(["deliver", "--campaign", "free-the-press", "--out", out])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "precious\n")
        #expect(!FileManager.default.fileExists(atPath: out + ".meta.json"))
        let forced = try cli.run(["deliver", "--campaign", "free-the-press", "--out", out, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try read(out).rows.count == 3)
    }
}
