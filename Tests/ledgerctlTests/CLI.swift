import Foundation

/// Runs the real `ledgerctl` binary built beside the test bundle.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    static var binary: String {
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/ledgerctl").path
        let candidates: [String] = [
            Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("ledgerctl").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledgerctl").path,
            fallback,
        ].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? fallback
    }

    let data: String

    /// Runs `ledgerctl --data DATA args…` (unless `withData` is false) and waits for it.
    @discardableResult
    func run(_ args: [String], withData: Bool = true, environment: [String: String] = [:], cwd: String? = nil, stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = withData ? args + ["--data", data] : args
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LEDGER_DATA")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A temporary folder for one test.
extension CLI {
    /// Runs another program by name on PATH (`python3`, `pdftotext`, ...) and waits for it; stderr
    /// is kept apart so that a test can print it only when it holds no signer's data.
    static func external(_ program: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

struct Scratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ledgerctl-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes the sample campaign file and returns its path.
    func campaignFile(id: String = "free-the-press") throws -> String {
        let json = """
            {
              "id": "\(id)",
              "goal": 1000,
              "deadline": "2027-03-01",
              "languages": ["en", "nb"],
              "texts": {
                "en": { "title": "Free the press", "summary": "Journalists are in jail.", "body": "Three journalists were jailed.",
                        "demands": ["Release them"], "letter": { "recipient": "Minister of Justice", "text": "Dear Minister," } },
                "nb": { "title": "Fri presse", "summary": "Journalister sitter i fengsel.", "body": "Tre journalister er fengslet.",
                        "demands": ["Løslat dem"] }
              }
            }
            """
        let path = file("\(id).json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension CLI {
    /// Issues `count` paper lists of `campaign` at this HQ node (`paper print --format html` into a
    /// scratch file) and returns the check code of every issued list of the campaign, by number.
    @discardableResult
    func issuePaperLists(campaign: String = "free-the-press", count: Int = 1, rows: Int = 20, scratch: Scratch) throws -> [Int64: String] {
        let out = scratch.file("lists-\(UUID().uuidString).html")
        let printed = try run(["paper", "print", "--campaign", campaign, "--lists", String(count), "--rows", String(rows), "--out", out])
        guard printed.status == 0 else { throw CLIFailure(arguments: "paper print", output: printed.output) }
        return try paperChecks(campaign: campaign)
    }

    /// The check codes of a campaign's issued lists, by number (`paper lists --json`).
    func paperChecks(campaign: String = "free-the-press") throws -> [Int64: String] {
        struct Issued: Decodable { var list: Int64; var check: String }
        let listed = try run(["paper", "lists", "--campaign", campaign, "--json"])
        guard listed.status == 0 else { throw CLIFailure(arguments: "paper lists", output: listed.output) }
        let lists = try JSONDecoder().decode([Issued].self, from: Data(listed.stdout.utf8))
        return Dictionary(lists.map { ($0.list, $0.check) }, uniquingKeysWith: { first, _ in first })
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    var arguments: String
    var output: String
    var description: String { "ledgerctl \(arguments) failed: \(output)" }
}
