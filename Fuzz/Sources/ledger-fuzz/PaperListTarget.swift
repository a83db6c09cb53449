import Foundation
import Ledger

/// `paper-list`: a typed-in paper list as `ledgerctl import-paper` reads it (UTF-8 text, then
/// `PaperList(text:)`).
///
/// Rules: rows and problems come in line order, each row's signer is already validated (checking
/// it again changes nothing), and neither a problem nor the error refusing the whole list quotes
/// the list (docs/PAPER.md: "never its content"; a list without its header row has a signer in
/// its first row).
enum PaperListTarget {
    static let target = FuzzTarget(name: "paper-list", summary: "PaperList(text:) (ledgerctl import-paper)", run: run)

    static func run(_ bytes: [UInt8]) {
        guard let text = String(data: Data(bytes), encoding: .utf8) else { return }
        let list: PaperList
        do {
            list = try PaperList(text: text)
        } catch {
            require(!quotesACell("\(error)", longCells(text)), "a refused list's error does not quote it")
            return
        }
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
        let cells = longCells(text)
        for reason in Set(list.problems.map(\.reason)) {
            require(!quotesACell(reason, cells), "a problem does not quote its row")
        }
    }

    /// The cells of the file, roughly, that are long enough not to match fixed wording by chance,
    /// normalised.
    static func longCells(_ text: String) -> Set<[UInt8]> {
        Set(text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\"" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 12 }.map(normalised))
    }

    /// Lower-cased UTF-8 with every digit 0, so that "the header names 3" matches the wording's
    /// "the header names 7".
    static func normalised<Text: StringProtocol>(_ text: Text) -> [UInt8] {
        text.lowercased().utf8.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) ? UInt8(ascii: "0") : $0 }
    }

    /// True when `message` holds one of `cells`, ignoring case, that the library's own wording
    /// does not hold.
    static func quotesACell(_ message: String, _ cells: Set<[UInt8]>) -> Bool {
        let haystack = normalised(message)
        return cells.contains { contains(haystack, $0) && !contains(wording, $0) }
    }

    /// Byte-wise (Foundation's `contains` skips ignorable characters such as U+0000, which would
    /// find cells that are not there).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    /// Every reason the library gives, for a list with one bad row of each kind: its fixed wording.
    static let wording: [UInt8] = {
        let longName = String(repeating: "n", count: SignerDetails.Limits.name + 1)
        let longAddress = String(repeating: "a", count: SignerDetails.Limits.address + 1)
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
        // And every way a whole list is refused.
        let refusals = ["", "name\n\"x\n", "email\nx\n", "name,name\nx,y\n", "nom\nx\n"].map { text in
            do {
                _ = try PaperList(text: text)
                return ""
            } catch {
                return "\(error)"
            }
        }
        require(!refusals.contains(""), "the reference lists are refused")
        return normalised(((list?.problems.map(\.reason) ?? []) + refusals).joined(separator: "\n"))
    }()
}
