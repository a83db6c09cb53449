import Foundation
import Ledger

/// Prints HTML to PDF with headless Chromium (`--print-to-pdf`), which lays out the print CSS as a
/// browser does. The page is the pack's own file (no script, nothing from the network); the PDF is
/// written with mode 0600, as it holds signers' names.
enum PDFPrinter {
    /// `$LEDGER_CHROMIUM`, else the first of chromium, chromium-browser, google-chrome on PATH.
    static func chromium() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["LEDGER_CHROMIUM"], !chosen.isEmpty { return chosen }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for folder in path where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") { return "\(folder)/\(name)" }
        }
        return nil
    }

    static func print(html: Data, to out: String) throws {
        guard let browser = chromium() else {
            throw NodeError.ambiguous("printing to PDF needs Chromium (apt install chromium, or set LEDGER_CHROMIUM); or write --format html and print it from a browser")
        }
        let scratch = NSTemporaryDirectory() + "ledger-pdf-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let page = scratch + "/pack.html"
        let pdf = scratch + "/pack.pdf"
        guard FileManager.default.createFile(atPath: page, contents: html, attributes: [.posixPermissions: 0o600]) else {
            throw NodeError.ambiguous("cannot write a temporary file in \(NSTemporaryDirectory())")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        // --no-sandbox: Chromium refuses to run as root with its sandbox; the page is our own
        // static file, with no script and nothing from the network.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(scratch)/profile",
                             "--print-to-pdf=\(pdf)", URL(fileURLWithPath: page).absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: pdf), data.starts(with: Data("%PDF".utf8)) else {
            throw NodeError.ambiguous("\(browser) did not print the PDF (exit \(process.terminationStatus)); write --format html and print it from a browser")
        }
        try DeliverCommand.writePrivately(data, to: out)
    }
}
