import Foundation
import Ledger

/// "Reads while ingesting" (issue 11): one thread ingests the main run's log into a fresh store in
/// the sync client's pages, while another reads a kiosk's campaign page from that store again and
/// again, each read timed on its own.
///
/// For example:
/// ```swift
/// let reads = try ReadFigures.measure(source: workload.node.store, campaign: "free-the-press",
///                                     directory: directory, progress: { _ in })
/// print(reads.pageReads.p99)
/// ```
struct ReadFigures: Sendable {
    /// Entries ingested and the seconds the timed ingest took, while the reads ran.
    var ingest: Rate
    /// Each kiosk page read: the campaign, its newest version, its counts and 10 comments, as
    /// `KioskController` reads them for a campaign page.
    var pageReads: Latencies
    /// The slowest page read.
    var slowest: Double
    /// Share of all cores other processes kept busy meanwhile; nil where it cannot be measured.
    var otherLoad: Double?

    /// Entries per `ingest` call: the sync client's page (`SyncClient`'s default batch size).
    static let pageSize = SyncClient.defaultBatchSize
    /// Pause between two page reads: far more pages than a kiosk serves, few enough that the
    /// reader leaves SQLite moments to checkpoint the WAL.
    static let readInterval = 0.005
    /// The issue's target: a kiosk page's p99 while a 100,000-entry ingest runs.
    static let targetP99 = 0.100

    /// Ingests every entry of `source` (HQ's log first, with its payloads) into a fresh store in
    /// `directory`, reading `campaign`'s kiosk page meanwhile.
    static func measure(source: LedgerStore, campaign: String, directory: URL, progress: (String) -> Void) throws -> ReadFigures {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let hq = source.hqKey else { throw BenchError.referenceFailed("the source store holds no ledger") }
        progress("reads while ingesting: reading the log to ingest (not timed)")
        let all = try source.entries()
        let ordered = all.filter { $0.author == hq } + all.filter { $0.author != hq }
        let pages = try stride(from: 0, to: ordered.count, by: pageSize).map { start -> (entries: [Entry], payloads: [[UInt8]]) in
            let entries = Array(ordered[start..<min(ordered.count, start + pageSize)])
            let payloads = try entries.compactMap { entry in try entry.payloadDigest.flatMap { try source.payload(digest: $0) } }
            return (entries, payloads)
        }
        guard let first = pages.first else { throw BenchError.referenceFailed("no entries to ingest") }
        let target = try LedgerStore.open(at: directory.appendingPathComponent("ledger.sqlite").path, create: true)
        // The first page holds the genesis entry and the campaign: the kiosk page exists from now on.
        _ = try target.ingest(first.entries, payloads: first.payloads, verification: .fast)
        guard try target.campaign(campaign) != nil else { throw BenchError.referenceFailed("the first page did not carry campaign \(campaign)") }

        progress("reads while ingesting: ingesting \(Format.count(ordered.count)) entries in pages of \(Format.count(pageSize)), reading the kiosk page meanwhile")
        let reader = PageReader(store: target, campaign: campaign)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            reader.run(every: readInterval)
            finished.signal()
        }
        let loadStart = CPUMeter.Snapshot.now()
        let ingestResult = Result { try Stopwatch.time { for page in pages.dropFirst() { _ = try target.ingest(page.entries, payloads: page.payloads, verification: .fast) } } }
        reader.stop()
        finished.wait()
        let otherLoad = CPUMeter.otherShare(since: loadStart)
        let seconds = try ingestResult.get().seconds
        let (samples, failure) = reader.results()
        if let failure { throw BenchError.referenceFailed("a kiosk page read failed during the ingest: \(failure)") }
        guard try target.entryCount() == all.count else {
            throw BenchError.auditFailed("the ingest stored \(try target.entryCount()) of \(all.count) entries")
        }
        return ReadFigures(ingest: Rate(count: ordered.count - first.entries.count, seconds: seconds),
                           pageReads: Latencies(samples), slowest: samples.max() ?? 0, otherLoad: otherLoad)
    }

    /// The report's section for these figures.
    func render(ingested entries: Int) -> [String] {
        let p99 = pageReads.p99
        return [
            "Reads while ingesting",
            "  ingest in pages of \(Format.count(Self.pageSize)) (ingest, .fast)       \(Format.count(ingest.perSecond)) /s    \(Format.count(ingest.count)) entries in \(String(format: "%.1f", ingest.seconds)) s, with the reads",
            "  kiosk campaign page reads meanwhile     \(Format.count(pageReads.sorted.count)) reads   p50 \(Format.millis(pageReads.p50)), p99 \(Format.millis(p99)), max \(Format.millis(slowest))",
            "  other processes' share of the cores meanwhile: \(Format.percent(otherLoad))",
            "  \(p99 < Self.targetP99 ? "PASS" : "MISS")  kiosk page p99 < \(Format.millis(Self.targetP99)) during a \(Format.count(entries))-entry ingest: \(Format.millis(p99))",
        ]
    }
}

/// The reading thread's loop and what it measured, shared with the thread that stops it.
private final class PageReader: @unchecked Sendable {
    // @unchecked: every mutable field is read and written only while holding `lock`.
    private let lock = NSLock()
    private let store: LedgerStore
    private let campaign: String
    private var stopped = false
    private var samples: [Double] = []
    private var failure: (any Error)?

    init(store: LedgerStore, campaign: String) {
        self.store = store
        self.campaign = campaign
    }

    /// Reads the page, then pauses `interval` seconds, until ``stop()``.
    func run(every interval: Double) {
        while !lock.withLock({ stopped }) {
            do {
                let (_, seconds) = try Stopwatch.time { try readPage() }
                lock.withLock { samples.append(seconds) }
            } catch {
                lock.withLock { failure = error }
                return
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// What `KioskController` reads for a campaign page.
    private func readPage() throws {
        _ = try store.campaign(campaign)
        _ = try store.campaignVersions(campaign).last
        _ = try store.signatureCounts(campaign: campaign)
        _ = try store.comments(campaign: campaign, limit: 10)
    }

    func stop() { lock.withLock { stopped = true } }

    func results() -> ([Double], (any Error)?) { lock.withLock { (samples, failure) } }
}
