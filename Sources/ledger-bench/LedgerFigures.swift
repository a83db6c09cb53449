import Foundation
import Ledger

/// Ledger's own figures, measured through its public API on a fresh HQ store.
///
/// Order: batched appends fill the store with the given signatures, the auditor verifies it in
/// full then fast mode, and last the durable single appends extend it (so they run on a full-size
/// store, as on a busy laptop).
struct LedgerFigures: Sendable {
    /// `LedgerStore.appendBatch`, ``batchSize`` entries per call (one transaction each).
    var batchedAppend: Rate
    /// Entries per `appendBatch` call.
    var batchSize: Int
    /// Bytes SQLite wrote (WAL frames, checkpoints) per batched entry; nil when unknown.
    var appendBytesWritten: Double?
    /// The first and the last tenth of the batches on their own: how the append rate changes as
    /// the store grows.
    var firstTenthAppend: Rate
    var lastTenthAppend: Rate
    /// `LedgerStore.append`, each call one committed, fsynced transaction.
    var singleAppend: Rate
    /// Latency of each `LedgerStore.append` call.
    var singleLatencies: Latencies
    /// `Auditor.run(mode: .full)`: every signature, body, right and payload digest.
    var fullVerify: Rate
    /// `Auditor.run(mode: .fast)`: ids, links and the head signature of each log. The median of
    /// ``fastRuns``, because one fast audit takes well under a second and varies by a few percent.
    var fastVerify: Rate
    /// Every fast audit run, in the order they ran.
    var fastRuns: [Rate]
    /// Signatures the full audit checked.
    var fullSignaturesChecked: Int
    /// Making the entries before the timed appends (HPKE seal, canonical body), on all cores.
    /// Not part of any figure; printed so the cost `LedgerNode.sign` adds is visible.
    var preparation: Rate
    /// Share of all cores other processes kept busy during the batched appends; nil where it
    /// cannot be measured (see ``CPUMeter``). Likewise for the two audits and the single appends.
    var appendOtherLoad: Double?
    var verifyOtherLoad: Double?
    var singleOtherLoad: Double?
    /// Canonical bytes of a typical appended entry.
    var entrySize: Int
    /// Body bytes of a typical appended entry.
    var bodySize: Int
    /// Sealed payload bytes of a typical appended entry.
    var payloadSize: Int

    /// Fast audits run; the figure is their median.
    static let fastRepeats = 3

    /// Appends `items` in batches, audits the store, then times `singles` durable appends.
    static func measure(
        workload: Workload, items: [Appendable], preparation: Rate, batchSize: Int, singles: Int
    ) throws -> LedgerFigures {
        let store = workload.node.store
        let key = workload.node.key
        let storedBefore = try store.entryCount()

        let batches = stride(from: 0, to: items.count, by: batchSize).map {
            Array(items[$0..<min(items.count, $0 + batchSize)])
        }
        let appendStart = CPUMeter.Snapshot.now()
        let bytesBefore = IOMeter.bytesWritten()
        var batchSeconds: [Double] = []
        batchSeconds.reserveCapacity(batches.count)
        let (written, appendSeconds) = try Stopwatch.time { () throws -> (count: Int, sample: Entry?) in
            var count = 0
            var sample: Entry?
            for batch in batches {
                let (entries, seconds) = try Stopwatch.time { try store.appendBatch(batch, signer: key) }
                batchSeconds.append(seconds)
                count += entries.count
                if sample == nil { sample = entries.first }
            }
            return (count, sample)
        }
        let tenth = max(1, batches.count / 10)
        let firstTenth = Rate(count: batches.prefix(tenth).reduce(0) { $0 + $1.count }, seconds: batchSeconds.prefix(tenth).reduce(0, +))
        let lastTenth = Rate(count: batches.suffix(tenth).reduce(0) { $0 + $1.count }, seconds: batchSeconds.suffix(tenth).reduce(0, +))
        let appendBytesWritten = IOMeter.perOperation(since: bytesBefore, operations: items.count)
        let appendLoad = CPUMeter.otherShare(since: appendStart)
        let expected = storedBefore + items.count
        guard written.count == items.count, try store.entryCount() == expected else {
            throw BenchError.auditFailed("appendBatch stored \(written.count) of \(items.count) entries")
        }

        let auditor = Auditor(store: store)
        let verifyStart = CPUMeter.Snapshot.now()
        let (full, fullSeconds) = try Stopwatch.time { try auditor.run(mode: .full) }
        try check(full, expected: expected)
        var fastRuns: [Rate] = []
        for _ in 0..<fastRepeats {
            let (fast, fastSeconds) = try Stopwatch.time { try auditor.run(mode: .fast) }
            try check(fast, expected: expected)
            fastRuns.append(Rate(count: fast.entries, seconds: fastSeconds))
        }
        let fastMedian = fastRuns.sorted { $0.perSecond < $1.perSecond }[fastRuns.count / 2]
        let verifyLoad = CPUMeter.otherShare(since: verifyStart)

        let parts = try (0..<singles).map { try workload.factory.parts(items.count + $0) }
        var latencies: [Double] = []
        latencies.reserveCapacity(singles)
        let singleStart = CPUMeter.Snapshot.now()
        let (_, singleSeconds) = try Stopwatch.time {
            for (body, payload) in parts {
                let (_, seconds) = try Stopwatch.time { try store.append(body, payload: payload, signer: key) }
                latencies.append(seconds)
            }
        }

        return LedgerFigures(
            batchedAppend: Rate(count: written.count, seconds: appendSeconds), batchSize: batchSize,
            appendBytesWritten: appendBytesWritten, firstTenthAppend: firstTenth, lastTenthAppend: lastTenth,
            singleAppend: Rate(count: singles, seconds: singleSeconds), singleLatencies: Latencies(latencies),
            fullVerify: Rate(count: full.entries, seconds: fullSeconds),
            fastVerify: fastMedian, fastRuns: fastRuns,
            fullSignaturesChecked: full.signaturesChecked, preparation: preparation,
            appendOtherLoad: appendLoad, verifyOtherLoad: verifyLoad,
            singleOtherLoad: CPUMeter.otherShare(since: singleStart),
            entrySize: written.sample?.bytes.count ?? 0, bodySize: written.sample?.body.count ?? 0,
            payloadSize: items.first?.payload?.count ?? 0)
    }

    private static func check(_ report: AuditReport, expected: Int) throws {
        guard report.intact else {
            let first = report.faults.first.map { "\($0)" } ?? "no fault listed"
            throw BenchError.auditFailed("\(report.mode.rawValue) audit found \(report.faults.count) faults, first: \(first)")
        }
        guard report.entries == expected else {
            throw BenchError.auditFailed("\(report.mode.rawValue) audit checked \(report.entries) entries, the store holds \(expected)")
        }
    }
}
