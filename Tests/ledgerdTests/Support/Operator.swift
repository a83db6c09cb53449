import Foundation
import Ledger
import Testing

/// What a real `ledgerctl` printed, and how it ended.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// Runs the real `ledgerctl` (built next to `ledgerd`) on a data folder, as an operator would.
func ledgerctl(_ arguments: [String], data: String) throws -> CommandResult {
    let process = Process()
    process.executableURL = try DaemonProcess.binary().deletingLastPathComponent().appendingPathComponent("ledgerctl")
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["LEDGER_DATA"] = data
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes to the end before waiting, so a chatty command never blocks on a full pipe.
    let errorData = Locked(Data())
    let reader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.done { usleep(1_000) }
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                         stderr: String(decoding: errorData.value, as: UTF8.self))
}

/// A value set once from another thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    private var isSet = false

    init(_ value: Value) { stored = value }

    func set(_ value: Value) {
        lock.withLock {
            stored = value
            isSet = true
        }
    }

    var value: Value { lock.withLock { stored } }
    var done: Bool { lock.withLock { isSet } }
}

/// A signer at a kiosk page served by a live `ledgerd`: reads the form's token, posts the form
/// from the page's own origin, and returns the status and the receipt code shown, if any.
func signAtKiosk(_ base: URL, campaign: String = testCampaign, name: String, email: String) async throws -> (status: Int, receipt: String?, page: String) {
    let page = try await TestRequest(method: "GET", path: "/c/\(campaign)").send(to: base)
    guard let range = page.text.range(of: "name=\"form\" value=\"") else { return (page.status, nil, page.text) }
    let token = String(page.text[range.upperBound...].prefix { $0 != "\"" })
    let fields = [("name", name), ("email", email), ("country", "NO"), ("form", token)]
    let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
    var origin = base.absoluteString
    while origin.hasSuffix("/") { origin.removeLast() }
    let answer = try await TestRequest(method: "POST", path: "/c/\(campaign)/sign", body: Array(body.utf8),
                                       headers: ["Content-Type": "application/x-www-form-urlencoded", "Origin": origin]).send(to: base)
    let receipt = answer.text.range(of: "id=\"receipt\">").map { String(answer.text[$0.upperBound...].prefix(19)) }
    return (answer.status, receipt, answer.text)
}

/// The state of the signature a receipt code belongs to, at `node`.
func state(of receipt: String, at node: LedgerNode) throws -> String? {
    guard let code = ReceiptCode(parsing: receipt) else { return nil }
    return try node.store.signatures(receiptHash: code.hash(ledger: try node.ledgerID).bytes).first?.state
}

/// Copies a data folder as a backup tool or a disk clone would: with `cp -a`, in another process.
/// (Reading a live store's files in this process and closing them would drop the POSIX locks
/// this process's SQLite connections hold on them: a test artefact, not what a backup does.)
func copyFolder(_ source: String, to destination: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/cp")
    process.arguments = ["-a", source, destination]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
}

/// True when some file under `folder` contains `needle`, searched in another process (for the
/// same reason as ``copyFolder(_:to:)``).
func anyFile(under folder: String, contains needle: [UInt8]) throws -> Bool {
    let script = """
        import os, sys
        needle = bytes.fromhex(sys.argv[2])
        for root, _, files in os.walk(sys.argv[1]):
            for name in files:
                with open(os.path.join(root, name), "rb") as fh:
                    if needle in fh.read():
                        sys.exit(0)
        sys.exit(1)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, folder, Hex.encode(needle)]
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus == 0
}
