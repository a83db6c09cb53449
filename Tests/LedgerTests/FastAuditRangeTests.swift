import Foundation
import Testing
@testable import Ledger

/// The fast audit cuts the log into ranges scanned on several threads (docs/STORE.md, "The fast
/// audit"); whatever the cuts, its report must be the one a single scan gives, for an intact store
/// and for every kind of edit near any cut.
@Suite("Fast audit ranges")
struct FastAuditRangeTests {
    /// Edits made behind the store's back, each to a row picked by `index` (0 ..< rows).
    enum Edit: CaseIterable {
        case none, flipByte, deleteRow, truncateRow, truncateThreeRows, negativeSequence, otherAuthorColumn, zeroAuthor
    }

    /// Applies the edit; true when it changed a row.
    func apply(_ edit: Edit, at index: Int, raw: RawDatabase, rows: Int) throws -> Bool {
        let rowid = index % rows + 1
        switch edit {
        case .none: return false
        case .flipByte:
            // A byte of the previous-id field, set to a value it does not hold (the ids depend on
            // random sealed payloads, so a fixed value would sometimes be no change at all).
            try raw.execute("""
                UPDATE entries SET bytes = substr(bytes, 1, 80) || CASE WHEN substr(bytes, 81, 1) = x'ff' THEN x'fe' ELSE x'ff' END
                    || substr(bytes, 82) WHERE rowid = \(rowid)
                """)
        case .deleteRow: try raw.execute("DELETE FROM entries WHERE rowid = \(rowid)")
        case .truncateRow: try raw.execute("UPDATE entries SET bytes = substr(bytes, 1, 100) WHERE rowid = \(rowid)")
        case .truncateThreeRows:
            // Three rows in log order: malformed rows do not move the "entry before" a cut.
            try raw.execute("""
                UPDATE entries SET bytes = substr(bytes, 1, 100) WHERE rowid IN (
                    SELECT rowid FROM entries ORDER BY author, sequence LIMIT 3 OFFSET \(index % max(1, rows - 3)))
                """)
        case .negativeSequence: try raw.execute("UPDATE entries SET sequence = -\(index + 1) WHERE rowid = \(rowid)")
        case .otherAuthorColumn:
            // Another log's author (HQ's, from the genesis row), unless HQ's log holds that sequence.
            try raw.execute("UPDATE OR IGNORE entries SET author = (SELECT author FROM entries WHERE rowid = 1) WHERE rowid = \(rowid) AND author != (SELECT author FROM entries WHERE rowid = 1)")
        case .zeroAuthor: try raw.execute("UPDATE entries SET author = zeroblob(32) WHERE rowid = \(rowid)")
        }
        return try raw.count("SELECT changes()") > 0
    }

    @Test("a fast audit in 2, 3 or 4 ranges reports exactly what one scan reports, intact or edited anywhere",
          arguments: [UInt64(1), 2, 3])
    func rangesAgree(seed: UInt64) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let scenario = try Scenario.make(seed: seed, steps: 80)
        let template = dir.file("template.sqlite")
        do {
            let store = try LedgerStore.open(at: template, create: true)
            try Scenario.ingest(scenario.arrival(seed: seed), into: store)
        }
        try RawDatabase(path: template).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let rows = scenario.allEntries.count
        var random = SeededRandom(seed: seed)
        var edited = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for edit in Edit.allCases {
            for _ in 0..<(edit == .none ? 1 : 6) {
                let index = Int.random(in: 0..<rows, using: &random)
                let path = dir.file("case-\(edited).sqlite")
                edited += 1
                try FileManager.default.copyItem(atPath: template, toPath: path)
                let raw = try RawDatabase(path: path)
                try raw.dropTriggers()
                let changed = try apply(edit, at: index, raw: raw, rows: rows)
                let store = try LedgerStore.open(at: path)
                var one = Auditor(store: store)
                one.segments = 1
                let expected = try one.run(mode: .fast)
                #expect(expected.intact == !changed, "\(edit) at \(index): \(expected.faults.map(\.kind))")
                #expect(expected.logs == 3 || changed)
                for segments in 2...4 {
                    var auditor = Auditor(store: store)
                    auditor.segments = segments
                    let report = try auditor.run(mode: .fast)
                    #expect(try encoder.encode(report) == encoder.encode(expected),
                            "\(edit) at \(index), \(segments) ranges: \(report.entries) entries, \(report.logs) logs, \(report.faults.map { "\($0.kind) \($0.sequence)" }) against \(expected.entries), \(expected.logs), \(expected.faults.map { "\($0.kind) \($0.sequence)" })")
                }
            }
        }
    }
}
