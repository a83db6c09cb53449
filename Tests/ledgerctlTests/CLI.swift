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
