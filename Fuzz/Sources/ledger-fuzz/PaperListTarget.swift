import Foundation
import Ledger

/// `paper-list`: a typed-in paper list as `ledgerctl import-paper` reads it (UTF-8 text, then
/// `PaperList(text:)`).
///
/// Rules: rows and problems come in line order, each row's signer is already validated (checking
/// it again changes nothing), and a problem never quotes a field of its row (docs/PAPER.md: "never
/// its content").
enum PaperListTarget {
    static let target = FuzzTarget(name: "paper-list", summary: "PaperList(text:) (ledgerctl import-paper)", run: run)

    static func run(_ bytes: [UInt8]) {
        guard let text = String(data: Data(bytes), encoding: .utf8), let list = try? PaperList(text: text) else { return }
        for (earlier, later) in zip(list.rows, list.rows.dropFirst()) {
            require(earlier.line < later.line && earlier.number < later.number, "rows are in line order")
        }
        for (earlier, later) in zip(list.problems, list.problems.dropFirst()) {
            require(earlier.line < later.line, "problems are in line order")
        }
        for row in list.rows {
            require((try? row.signer.validated()) == row.signer, "a row's signer is validated")
            require(row.number >= 1 && row.line >= 2, "rows are numbered from 1, under the header")
        }
        // A field value long enough not to match by chance must not appear in a reason, unless
        // the library's own wording holds it too (its example address "name@example.org").
        let values = Set(text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\"" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 12 })
        for problem in list.problems {
            require(!values.contains { quotes(problem.reason, $0) && !quotes(wording, $0) }, "a problem does not quote its row")
        }
    }

    /// True when `text` holds `value`'s exact UTF-8 bytes (Foundation's `contains` skips
    /// ignorable characters such as U+0000, which would find values that are not there).
    static func quotes(_ text: String, _ value: String) -> Bool {
        let haystack = Array(text.utf8), needle = Array(value.utf8)
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    /// Every reason the library gives, for a list with one bad row of each kind: its fixed wording.
    static let wording: String = {
        let longName = String(repeating: "n", count: 201), longAddress = String(repeating: "a", count: 501)
        let text = """
            name,email,phone,address,postcode,country,consent
            ,,,,,,
            \(longName),,,,,,
            N,x,,,,,
            N,,x,,,,
            N,,,\(longAddress),,,
            N,,,,#,,
            N,,,,,x,
            N,,,,,,maybe
            N

            """
        let list = try? PaperList(text: text)
        require(list?.problems.count == 9, "the reference list has one problem per bad row")
        return list?.problems.map(\.reason).joined(separator: "\n") ?? ""
    }()
}
