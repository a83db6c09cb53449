import Foundation

/// A typed-in paper signature list (docs/PAPER.md): a CSV file with a header row naming the
/// columns `name` (required), `email`, `phone`, `address`, `postcode`, `country`, `consent`.
public struct PaperList: Sendable {
    /// One valid row: its record number on the list (1 = first row after the header) and the signer.
    public struct Row: Sendable {
        public var number: Int64
        public var line: Int
        public var signer: SignerDetails
    }

    /// A row that cannot be recorded, by line number and reason (never its content).
    public struct Problem: Sendable, Equatable, CustomStringConvertible, Codable {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public static let columns = ["name", "email", "phone", "address", "postcode", "country", "consent"]

    public var rows: [Row]
    public var problems: [Problem]

    /// Parses the file's text; every row is checked, and each bad one is listed.
    public init(text: String) throws {
        let records: [CSV.Record]
        do {
            records = try CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        } catch CSV.ParseError.unterminatedQuote(let line) {
            throw PaperListError.malformed("a quoted field starting on line \(line) never ends")
        }
        guard let header = records.first else { throw PaperListError.malformed("the file is empty; the first row must name the columns") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        // By position, never by its text: a list typed in without its header row has a signer's
        // name or e-mail address in the first row.
        if let unknown = names.firstIndex(where: { !PaperList.columns.contains($0) }) {
            throw PaperListError.malformed(
                "column \(unknown + 1) of the first row is not a column name (a typo, or no header row?); the first row must name the columns: "
                    + PaperList.columns.joined(separator: ", "))
        }
        guard names.contains("name") else { throw PaperListError.malformed("the header has no 'name' column") }
        guard Set(names).count == names.count else { throw PaperListError.malformed("a column is named twice in the header") }
        var rows: [Row] = []
        var problems: [Problem] = []
        for (index, record) in records.dropFirst().enumerated() {
            guard record.fields.count == names.count else {
                problems.append(Problem(line: record.line, reason: "has \(record.fields.count) fields, the header names \(names.count)"))
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(names, record.fields) { values[name] = value }
            let consent: Bool
            switch values["consent"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "" {
            case "", "no", "n", "false", "0", "nei": consent = false
            case "yes", "y", "true", "1", "ja", "x": consent = true
            default:
                problems.append(Problem(line: record.line, reason: "consent must be yes or no"))
                continue
            }
            let signer = SignerDetails(
                name: values["name"] ?? "", email: values["email"], phone: values["phone"], address: values["address"],
                postcode: values["postcode"], country: values["country"], consentContact: consent)
            do {
                rows.append(Row(number: Int64(index + 1), line: record.line, signer: try signer.validated()))
            } catch let error as NodeError {
                problems.append(Problem(line: record.line, reason: error.description))
            }
        }
        self.rows = rows
        self.problems = problems
    }
}

/// A paper list that cannot be read at all, or that has bad rows.
public enum PaperListError: Error, CustomStringConvertible, Equatable {
    case malformed(String)
    case badRows([PaperList.Problem])
    case unreadable(path: String)
    /// No authorised `paper.issued` names this list number here.
    case notIssued(campaign: String, list: Int64)
    /// The typed check code is not the code of any issuance of this list number.
    case wrongCheck(list: Int64)

    public var description: String {
        switch self {
        case .malformed(let reason): return "paper list: \(reason)"
        case .badRows(let problems):
            return "paper list refused, nothing recorded: \(problems.count) bad row\(problems.count == 1 ? "" : "s") ("
                + problems.prefix(20).map(\.description).joined(separator: "; ")
                + (problems.count > 20 ? "; …" : "") + "); fix them, or pass --skip-invalid to record the valid rows only"
        case .unreadable(let path): return "cannot read \(path) as UTF-8 text"
        case .notIssued(let campaign, let list):
            return "list \(list) of \(campaign) was never issued, as far as this node knows: check the number on the sheet; "
                + "'ledgerctl paper lists --campaign \(campaign)' shows the issued ones (a list printed at HQ since this node last synced: sync first)"
        case .wrongCheck(let list):
            return "the check code does not match list \(list): check the list number and the 5-symbol code printed beside it"
        }
    }
}
