import ArgumentParser
import Foundation
import Ledger

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "List entries in log order (author, then sequence).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: ArgumentHelp("Only this author (hex key or a prefix of it).", valueName: "KEY"))
    var author: String?
    @Option(name: .long, help: ArgumentHelp("Only this entry type, for example signature.recorded.", valueName: "TYPE"))
    var type: String?
    @Option(name: .long, help: "At most this many entries.")
    var limit: Int?

    struct Row: Encodable {
        var id: String
        var author: String
        var sequence: UInt64
        var timestamp: String
        var type: String
        var payload: String?
        var body: JSONValue?
    }

    func validate() throws {
        if let type, EventType(rawValue: type) == nil {
            throw ValidationError("unknown type '\(type)'; one of: \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() throws {
        let node = try global.openNode()
        var filter = EntryFilter(type: type)
        if let author {
            let matches = try node.store.heads().filter { $0.author.hasPrefix(author.lowercased()) }
            guard matches.count == 1, let key = PublicKey(hex: matches[0].author) else {
                throw NodeError.ambiguous(matches.isEmpty ? "no log has an author starting with \(author)" : "author prefix \(author) matches \(matches.count) logs; give more characters")
            }
            filter.author = key
        }
        var entries = try node.store.entries(matching: filter)
        if let limit { entries = Array(entries.prefix(limit)) }
        let rows = entries.map { entry in
            Row(id: entry.id.hex, author: entry.author.hex, sequence: entry.sequence,
                timestamp: entry.timestamp.description, type: entry.type, payload: entry.payloadDigest?.hex,
                body: try? JSONDecoder().decode(JSONValue.self, from: Data(entry.body)))
        }
        if output.json {
            try Output.json(rows)
            return
        }
        for row in rows {
            print("\(row.id.prefix(12))  \(row.author.prefix(12)) #\(row.sequence)  \(row.timestamp)  \(row.type)")
        }
        if rows.isEmpty { print("No entries match.") }
    }
}
