import Foundation
import Testing

/// Runs tools/verify_bundle.py, the Python verifier written from docs/FORMAT.md alone.
@Suite("Independent verifier (Python, from docs/FORMAT.md)")
struct IndependentVerifierTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func python(_ args: [String]) throws -> CLI.Result {
        try CLI.external("python3", [Self.root + "/tools/verify_bundle.py"] + args)
    }

    @Test("agrees with every test vector, including every one-byte flip")
    func vectors() throws {
        let result = try python(["--vectors", Self.root + "/docs/test-vectors"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(" 0 disagreement"))
    }

    @Test("verifies a real export from ledgerctl, with the same heads, and catches a re-checksummed tamper")
    func realExport() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "Audit me"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let signed = try cli.run(["sign", "--campaign", "free-the-press", "--name", "Ola Nordmann", "--email", "ola@example.org", "--country", "NO"])
        let code = try #require(signed.stdout.split(separator: "\n").first { $0.hasPrefix("Receipt code: ") }?.dropFirst(14))
        #expect(try cli.run(["sign", "--campaign", "free-the-press", "--name", "Kari", "--channel", "paper", "--paper-list", "7"]).status == 0)
        #expect(try cli.run(["comment", "--campaign", "free-the-press", "--display-name", "Ola", "--text", "Løslat dem!"]).status == 0)
        #expect(try cli.run(["withdraw", "--receipt", String(code)]).status == 0)
        #expect(try cli.run(["campaign", "close", "free-the-press", "--reason", "Delivered"]).status == 0)
        let bundle = scratch.file("export.bundle")
        #expect(try cli.run(["export", "--out", bundle]).status == 0)

        let result = try python([bundle, "--json"])
        #expect(result.status == 0, "\(result.output)")
        struct Status: Decodable { struct Head: Decodable { var author: String; var sequence: UInt64; var id: String }; var heads: [Head] }
        let status = try JSONDecoder().decode(Status.self, from: Data(try cli.run(["status", "--json"]).stdout.utf8))
        let head = try #require(status.heads.first)
        #expect(result.stdout.contains(head.id))
        #expect(!result.output.contains("Nordmann") && !result.output.contains("ola@example.org"))

        // Alter one entry and recompute the end checksum, as a forger would: signatures still catch it.
        var lines = try String(contentsOfFile: bundle, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let entryLine = lines[3]
        let base64 = String(entryLine.dropFirst("{\"entry\":\"".count).dropLast(2))
        var raw = try #require(Data(base64Encoded: base64))
        raw[150] ^= 0x01
        lines[3] = "{\"entry\":\"\(raw.base64EncodedString())\"}"
        let bodyText = lines[0..<(lines.count - 2)].joined(separator: "\n") + "\n"
        let checksum = sha256Hex(Array(bodyText.utf8))
        let forged = bodyText + "{\"end\":\"\(checksum)\"}\n"
        let forgedPath = scratch.file("forged.bundle")
        try Data(forged.utf8).write(to: URL(fileURLWithPath: forgedPath))
        let caught = try python([forgedPath])
        #expect(caught.status == 1, "\(caught.output)")
        // ledgerctl refuses it too, whole.
        let copy = CLI(data: scratch.file("copy"))
        let refused = try copy.run(["init", "--from-bundle", forgedPath])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("copy/ledger.sqlite")))
    }
}

/// SHA-256 via the system's sha256sum, so this test shares no hashing code with Ledger.
func sha256Hex(_ bytes: [UInt8]) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sha256sum"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    guard (try? process.run()) != nil else { return "" }
    input.fileHandleForWriting.write(Data(bytes))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}
