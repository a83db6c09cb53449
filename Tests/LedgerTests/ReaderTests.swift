import Foundation
import Testing
@testable import Ledger

/// Reads run on the reader connections beside the writer (docs/STORE.md, "Readers and the
/// writer"): they neither wait for an open write transaction nor see its rows.
@Suite("Readers and the writer")
struct ReaderTests {
    /// The longest a read may take while the write is held open. With one lock for reads and
    /// writes the read cannot finish until the write does, so it fails this wait.
    static let bound = 10.0

    /// An HQ log of the genesis entry, a campaign and `comments` comments, made on an HQ node in
    /// `dir`, with a fresh store in the same folder to ingest it.
    func makeLog(_ dir: TempDir, comments: Int) throws -> (entries: [Entry], store: LedgerStore) {
        let hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Test HQ")
        try hq.publish(sampleCampaign())
        for index in 0..<comments { try hq.comment(campaign: "free-the-press", displayName: "N\(index)", text: "t") }
        let store = try LedgerStore.open(at: dir.file("copy.sqlite"), create: true)
        return (try hq.store.entries(), store)
    }

    /// What a kiosk and `/healthz` read, as one value.
    struct Seen: Equatable {
        var entries: Int
        var head: UInt64?
        var comments: Int
        var campaignOpen: Bool?
    }

    static func look(_ store: LedgerStore) throws -> Seen {
        Seen(entries: try store.entryCount(), head: try store.heads().first?.sequence,
             comments: try store.comments(campaign: "free-the-press").count,
             campaignOpen: try store.campaign("free-the-press")?.isOpen)
    }

    /// Ingests `later` into `store`; when the ingest's write transaction has stored all but its
    /// last entry (uncommitted), reads `store` on another thread and waits at most ``bound`` seconds for
    /// that read. Returns whether it finished in time and what it saw. Runs on its own threads,
    /// never on the cooperative pool, since it blocks.
    static func readDuringIngest(of later: [Entry], into store: LedgerStore) async throws -> (finished: Bool, seen: Seen?) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let result = ReadResult()
                var finished = false
                do {
                    _ = try store.ingest(later, verification: .full) { progress in
                        guard progress.phase == "storing entries", progress.done == progress.total, progress.total > 1 else { return }
                        let done = DispatchSemaphore(value: 0)
                        Thread.detachNewThread {
                            result.set(Result { try look(store) })
                            done.signal()
                        }
                        finished = done.wait(timeout: .now() + Self.bound) == .success
                    }
                    continuation.resume(returning: (finished, try result.get()))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    @Test("a read completes while a write transaction is open, and sees only the last commit")
    func readBesideOpenWrite() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (entries, store) = try makeLog(dir, comments: 12)
        _ = try store.ingest(Array(entries.prefix(5)))
        let committed = try Self.look(store)
        #expect(committed == Seen(entries: 5, head: 5, comments: 3, campaignOpen: true))

        let (finished, seen) = try await Self.readDuringIngest(of: Array(entries.dropFirst(5)), into: store)

        #expect(finished, "the read waited for the write transaction")
        #expect(seen == committed)
        #expect(try Self.look(store) == Seen(entries: 14, head: 14, comments: 12, campaignOpen: true))
    }

    @Test("an audit runs beside an open write and checks the committed entries only")
    func auditBesideOpenWrite() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (entries, store) = try makeLog(dir, comments: 6)
        _ = try store.ingest(Array(entries.prefix(4)))
        let audited = ReadResult()
        let finished = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
            Thread.detachNewThread {
                do {
                    var finished = false
                    _ = try store.ingest(Array(entries.dropFirst(4))) { progress in
                        guard progress.phase == "storing entries", progress.done == progress.total else { return }
                        let done = DispatchSemaphore(value: 0)
                        Thread.detachNewThread {
                            audited.setAudit(Result { try Auditor(store: store).run(mode: .full) })
                            done.signal()
                        }
                        finished = done.wait(timeout: .now() + Self.bound) == .success
                    }
                    continuation.resume(returning: finished)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        #expect(finished, "the audit waited for the write transaction")
        let report = try audited.audit()
        #expect(report?.intact == true)
        #expect(report?.entries == 4)
    }

    @Test("more concurrent reads than readers all complete, each with the committed count")
    func moreReadsThanReaders() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (entries, store) = try makeLog(dir, comments: 3)
        _ = try store.ingest(entries)
        let reads = ReaderPool.defaultSize * 4
        let counts = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Int], any Error>) in
            Thread.detachNewThread {
                let results = ReadResult()
                DispatchQueue.concurrentPerform(iterations: reads) { _ in
                    results.append(Result { try store.entryCount() })
                }
                continuation.resume(with: Result { try results.counts() })
            }
        }
        #expect(counts == Array(repeating: entries.count, count: reads))
    }
}

/// Results handed from reading threads to the test, behind a lock.
private final class ReadResult: @unchecked Sendable {
    // @unchecked: every field is read and written only while holding `lock`.
    private let lock = NSLock()
    private var seen: Result<ReaderTests.Seen, any Error>?
    private var report: Result<AuditReport, any Error>?
    private var all: [Result<Int, any Error>] = []

    func set(_ value: Result<ReaderTests.Seen, any Error>) { lock.withLock { seen = value } }
    func get() throws -> ReaderTests.Seen? { try lock.withLock { seen }?.get() }
    func setAudit(_ value: Result<AuditReport, any Error>) { lock.withLock { report = value } }
    func audit() throws -> AuditReport? { try lock.withLock { report }?.get() }
    func append(_ value: Result<Int, any Error>) { lock.withLock { all.append(value) } }
    func counts() throws -> [Int] { try lock.withLock { all }.map { try $0.get() } }
}
