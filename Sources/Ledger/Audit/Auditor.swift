import Foundation

/// Verifies every log in a store (docs/FORMAT.md, "Verifying a log").
///
/// - Fast mode: every entry's id and stored columns, every link, every sequence number, and the
///   signature of each log's head.
/// - Full mode: also every signature (on all cores), every body, the author's rights for each
///   entry type, and every payload digest.
///
/// For example:
/// ```swift
/// let report = try Auditor(store: store).run(mode: .full)
/// if !report.intact { print(report.faults) }
/// ```
public struct Auditor {
    public let store: LedgerStore
    /// Entries held in memory at once while their signatures are verified in parallel (full mode).
    public var window = 16_384
    /// Ranges of the log scanned at once, each on a thread and reader of its own (fast mode; at most
    /// the store's readers).
    public var segments = ParallelSignatures.workers

    public init(store: LedgerStore) {
        self.store = store
    }

    /// Runs the audit. `progress` hears "verifying entries" after each window of entries.
    public func run(mode: VerificationMode, progress: (WorkProgress) -> Void = { _ in }) throws -> AuditReport {
        let total = try store.entryCount()
        return try store.audit(mode: mode, window: window, segments: segments) { done in
            progress(WorkProgress(phase: "verifying entries", done: min(done, total), total: total))
        }
    }
}

extension LedgerStore {
    func audit(mode: VerificationMode, window: Int, segments: Int = 1, progress: (Int) -> Void = { _ in }) throws -> AuditReport {
        if mode == .fast { return try auditFast(segments: segments, progress: progress) }
        return try reading { db in
            guard let ledgerID, let hqKey else { throw StoreError.notInitialised(path: path) }
            let policy = try Projector.loadPolicy(db, hq: hqKey)
            var report = AuditReport(
                ledger: ledgerID.hex, mode: mode, entries: 0, logs: 0, signaturesChecked: 0,
                payloadsChecked: 0, heads: [], faults: [])
            var pending: [Entry] = []

            // The checks that need no store run on all cores: the signature, the body and the
            // author's rights. A window's checks run on other threads while this one reads and
            // parses the next window (reading, parsing and hashing are as much work as the
            // signatures: overlapped, every core stays busy).
            let check: @Sendable (Entry) -> [EntryFault] = { entry in
                var found: [EntryFault] = []
                if let fault = EntryVerifier.checkSignature(entry) { found.append(fault) }
                if let fault = EntryVerifier.checkContent(entry, ledger: ledgerID, hq: hqKey) {
                    found.append(fault)
                } else if !policy.allows(entry.author, toWrite: entry.type, sequence: entry.sequence) {
                    let kind: EntryFault.Kind = policy.role(of: entry.author) == nil ? .unknownAuthor : .unauthorised
                    let why = policy.isRevoked(entry.author, at: entry.sequence) ? "the device was revoked before this sequence number"
                        : "\(policy.role(of: entry.author)?.rawValue ?? "unknown") author may not write \(entry.type)"
                    found.append(EntryFault(kind, entry: entry, detail: why))
                }
                return found
            }
            // Two windows in flight: the next window's checks start while the last threads of the
            // one before finish (a single window in flight left a core idle at each window's end),
            // and the first windows are small so the checks start early (from 1,024 entries,
            // doubling up to `window`).
            var inFlight: [WindowCheck] = []
            var size = min(window, 1024)
            var scan = LogScan(mode: .full, db: db, path: path, ledger: ledgerID, hq: hqKey)
            func join(leaving: Int) {
                while inFlight.count > leaving {
                    report.faults += inFlight.removeFirst().wait()
                }
                progress(scan.entries)
            }
            func flush() {
                join(leaving: 1)
                report.signaturesChecked += pending.count
                inFlight.append(WindowCheck(pending, check: check))
                size = min(window, size * 2)
                pending = []
                pending.reserveCapacity(size)
            }

            let rows = try db.statement("SELECT \(LogScan.columns) FROM entries ORDER BY author, sequence")
            defer { rows.reset() }
            while try rows.step() {
                try scan.row(rows) { entry in
                    if let digest = entry.payloadDigest {
                        report.payloadsChecked += 1
                        if let fault = try checkPayload(digest, of: entry, in: db) { report.faults.append(fault) }
                    }
                    pending.append(entry)
                }
                if pending.count >= size { flush() } else if scan.entries % 4096 == 0 { progress(scan.entries) }
            }
            try scan.finish()
            flush()
            join(leaving: 0)
            report.entries = scan.entries
            report.logs = scan.logs
            report.heads = scan.heads.map { LogHead(author: $0.author.hex, sequence: $0.sequence, id: $0.id.hex) }
            report.faults += scan.faults
            try auditForks(into: &report, in: db)
            report.faults.sort { ($0.author, $0.sequence, $0.kind.rawValue) < ($1.author, $1.sequence, $1.kind.rawValue) }
            return report
        }
    }

    private func checkPayload(_ digest: Digest, of entry: Entry, in db: SQLiteConnection) throws -> EntryFault? {
        let statement = try db.statement("SELECT bytes FROM payloads WHERE digest = ?")
        statement.bind(1, digest.bytes)
        defer { statement.reset() }
        guard try statement.step() else {
            if try isErased(digest, in: db) { return nil }  // HQ erased it (payload.erased): not a fault
            return EntryFault(.missingPayload, entry: entry, detail: "payload \(digest.short) is not in the store")
        }
        let actual = Digest.sha256(statement.blob(0))
        return actual == digest ? nil : EntryFault(.payloadMismatch, entry: entry, detail: "stored payload hashes to \(actual.short), the entry names \(digest.short)")
    }

    /// Branch entries of forked logs (docs/FORMAT.md section 8, "Forks"): each is verified like a log
    /// entry (bytes, stored columns, signature, content, link to a held entry), then one `fork`
    /// fault is reported per (author, sequence) holding two or more entries, naming the smallest id,
    /// so every node holding the same entries reports the same forks.
    func auditForks(into report: inout AuditReport, in db: SQLiteConnection) throws {
        guard let ledgerID, let hqKey else { return }
        let rows = try db.statement("SELECT id, author, sequence, previous, bytes FROM forks ORDER BY author, sequence, id")
        var branchEntries: [Entry] = []
        while try rows.step() {
            let storedID = Digest(rows.blob(0)) ?? .zero
            let author = PublicKey(rows.blob(1)) ?? PublicKey(unchecked: [UInt8](repeating: 0, count: 32))
            let sequence = UInt64(bitPattern: rows.int64(2))  // a negative stored value is a fault below, not a crash
            guard let entry = try? Entry(bytes: rows.blob(4)) else {
                report.faults.append(EntryFault(.malformed, author: author, sequence: sequence, id: storedID, detail: "a branch entry's bytes do not parse"))
                continue
            }
            if entry.id != storedID || entry.author != author || entry.sequence != sequence || !rows.blobEquals(3, entry.previous.bytes) {
                report.faults.append(EntryFault(.idMismatch, entry: entry, detail: "the stored columns of a branch entry disagree with its bytes"))
            }
            branchEntries.append(entry)
        }
        rows.reset()
        report.signaturesChecked += branchEntries.count
        let policy = try Projector.loadPolicy(db, hq: hqKey)
        report.faults += ParallelSignatures.faults(branchEntries) { entry in
            if let fault = EntryVerifier.checkSignature(entry) ?? EntryVerifier.checkContent(entry, ledger: ledgerID, hq: hqKey) { return [fault] }
            // Rights, as for a log entry (FORMAT.md section 8, step 7).
            if !policy.allows(entry.author, toWrite: entry.type, sequence: entry.sequence) {
                let kind: EntryFault.Kind = policy.role(of: entry.author) == nil ? .unknownAuthor : .unauthorised
                let why = policy.isRevoked(entry.author, at: entry.sequence) ? "the device was revoked before this sequence number"
                    : "\(policy.role(of: entry.author)?.rawValue ?? "unknown") author may not write \(entry.type)"
                return [EntryFault(kind, entry: entry, detail: why)]
            }
            return []
        }
        for entry in branchEntries {
            let predecessor = entry.sequence == 1 ? nil : try heldLinkPoint(id: entry.previous, author: entry.author, in: db)
            if entry.sequence > 1 && predecessor == nil {
                report.faults.append(EntryFault(.brokenLink, entry: entry, detail: "a branch entry whose previous entry is not held"))
            } else if let fault = EntryVerifier.checkLink(entry, after: predecessor) {
                report.faults.append(fault)
            }
        }
        let points = try db.statement("""
            SELECT author, sequence, MIN(id), COUNT(*) FROM (
                SELECT f.author, f.sequence, f.id FROM forks f
                UNION ALL SELECT e.author, e.sequence, e.id FROM entries e WHERE EXISTS (SELECT 1 FROM forks f WHERE f.author = e.author AND f.sequence = e.sequence)
            ) GROUP BY author, sequence HAVING COUNT(*) > 1 ORDER BY author, sequence
            """)
        defer { points.reset() }
        while try points.step() {
            guard let author = PublicKey(points.blob(0)), let smallest = Digest(points.blob(2)) else { continue }
            let count = points.int64(3)
            report.faults.append(EntryFault(.fork, author: author, sequence: points.uint64(1), id: smallest,
                                            detail: "\(count) different entries at this sequence (the log was copied or restored and written on both copies)"))
        }
    }
}

/// One window of entries checked on other threads (``ParallelSignatures``) while the audit reads
/// the next; ``wait()`` returns its faults.
private final class WindowCheck: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var faults: [EntryFault] = []

    init(_ entries: [Entry], check: @escaping @Sendable (Entry) -> [EntryFault]) {
        Thread.detachNewThread { [self] in
            faults = ParallelSignatures.faults(entries, check)
            done.signal()
        }
    }

    /// Waits for the window's checks; call once.
    func wait() -> [EntryFault] {
        done.wait()
        return faults
    }
}
