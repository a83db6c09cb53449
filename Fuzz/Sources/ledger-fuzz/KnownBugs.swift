import Foundation
import Ledger

/// Inputs that hit a bug already known and being fixed elsewhere are skipped, so that fuzzing
/// keeps finding new ones meanwhile. Each guard names its bug; remove it once the fix is merged
/// (its reproducer in Fuzz/corpus then becomes a live regression input).
enum KnownBugs {
    /// Known: `LedgerBundle(decoding:)` adds the header's counts (`1 + entries + forks + payloads + 1`)
    /// without checking for overflow, and traps on huge counts.
    static func bundleHeaderCountsOverflow(_ bytes: [UInt8]) -> Bool {
        struct Counts: Decodable {
            var entries: Int
            var forks: Int
            var payloads: Int
        }
        let firstLine = bytes.prefix { $0 != 0x0a }
        guard let counts = try? JSONDecoder().decode(Counts.self, from: Data(firstLine)) else { return false }
        var total = 2
        for count in [counts.entries, counts.forks, counts.payloads] {
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { return true }
            total = sum
        }
        return false
    }

    /// Known: `SyncService.fetch` / `LedgerStore.entries(author:after:limit:)` convert `after` with
    /// `Int64(_:)`, which traps at 2^63 and above.
    static func fetchAfterAbove2To63(_ request: FetchRequest) -> Bool {
        request.from.contains { $0.after > UInt64(Int64.max) }
    }

    /// Known: the store converts an entry's sequence number with `Int64(_:)`, which traps at 2^63
    /// and above, before the batch's signatures are checked.
    static func pushSequenceAbove2To63(_ batch: EntryBatch) -> Bool {
        batch.entries.contains { text in
            guard let raw = Data(base64Encoded: text), let entry = try? Entry(bytes: Array(raw)) else { return false }
            return entry.sequence > UInt64(Int64.max)
        }
    }
}
