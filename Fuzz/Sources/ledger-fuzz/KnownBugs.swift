import Foundation
import Ledger

/// Inputs that hit a bug already known and being fixed elsewhere are skipped, so that fuzzing
/// keeps finding new ones meanwhile. Each guard names its bug; remove it once the fix is merged
/// (its reproducer in Fuzz/corpus then becomes a live regression input).
///
/// `LEDGER_FUZZ_KNOWN_BUGS=run` turns every guard off, to check a fix against the reproducers:
/// `LEDGER_FUZZ_KNOWN_BUGS=run .build-fuzz/debug/ledger-fuzz sync-push Fuzz/corpus/sync-push/*`.
enum KnownBugs {
    static let skipped = ProcessInfo.processInfo.environment["LEDGER_FUZZ_KNOWN_BUGS"] != "run"

    /// Known: `LedgerBundle(decoding:)` adds the header's counts (`1 + entries + forks + payloads + 1`)
    /// without checking for overflow, and traps on huge counts.
    static func bundleHeaderCountsOverflow(_ bytes: [UInt8]) -> Bool {
        guard skipped, let counts = headerCounts(bytes) else { return false }
        var total = 2
        for count in counts {
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { return true }
            total = sum
        }
        return false
    }

    /// The entry, fork and payload counts of a bundle's header line, as the reader decodes them.
    private static func headerCounts(_ bytes: [UInt8]) -> [Int]? {
        struct Counts: Decodable {
            var entries: Int
            var forks: Int
            var payloads: Int
        }
        let firstLine = bytes.prefix { $0 != 0x0a }
        guard let counts = try? JSONDecoder().decode(Counts.self, from: Data(firstLine)) else { return nil }
        return [counts.entries, counts.forks, counts.payloads]
    }

    /// Known: `SyncService.fetch` / `LedgerStore.entries(author:after:limit:)` convert `after` with
    /// `Int64(_:)`, which traps at 2^63 and above.
    static func fetchAfterAbove2To63(_ request: FetchRequest) -> Bool {
        skipped && request.from.contains { $0.after > UInt64(Int64.max) }
    }

    /// Known: the store converts an entry's sequence number with `Int64(_:)`, which traps at 2^63
    /// and above when it stores such an entry (e.g. fork evidence signed by an enrolled device:
    /// Fuzz/corpus/sync-push/seed-sequence-2-63-after-fork).
    static func pushSequenceAbove2To63(_ batch: EntryBatch) -> Bool {
        skipped && entries(batch).contains { $0.sequence > UInt64(Int64.max) }
    }

    /// Found by the sync-push seeds (reported, not yet fixed): `LedgerStore.insert` converts the
    /// timestamp's wall clock with `Int64(_:)`, which traps at 2^63 and above, so one entry signed
    /// by any enrolled device stops the node that stores it (Fuzz/corpus/sync-push/seed-wall-2-63;
    /// a bundle import takes the same path).
    static func pushWallAbove2To63(_ batch: EntryBatch) -> Bool {
        skipped && entries(batch).contains { $0.timestamp.wall > UInt64(Int64.max) }
    }

    /// Found by the bundle seeds (reported, not yet fixed): `LedgerBundle(decoding:)` accepts
    /// negative header counts; when they add up below zero, so that the header announces a single
    /// line, it builds the range `1..<0` and traps (Fuzz/corpus/bundle/seed-negative-count-one-line).
    static func bundleNegativeCount(_ bytes: [UInt8]) -> Bool {
        guard skipped, let counts = headerCounts(bytes) else { return false }
        var total = 0
        for count in counts {
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { return false }
            total = sum
        }
        return total < 0
    }

    private static func entries(_ batch: EntryBatch) -> [Entry] {
        batch.entries.compactMap { text in Data(base64Encoded: text).flatMap { try? Entry(bytes: Array($0)) } }
    }
}
