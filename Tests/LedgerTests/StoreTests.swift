import Foundation
import Testing
@testable import Ledger

@Suite("Store")
struct StoreTests {
    /// An HQ node with a campaign, in a fresh temporary folder.
    func makeHQ(_ dir: TempDir, name: String = "hq") throws -> LedgerNode {
        let node = try LedgerNode.createHQ(at: dir.file(name), name: "Test HQ")
        try node.publish(sampleCampaign())
        return node
    }

    @Test("appends number each log 1, 2, 3, … and link each entry to the one before")
    func appendsChain() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        for index in 0..<5 { try node.comment(campaign: "free-the-press", displayName: "N\(index)", text: "t") }
        let entries = try node.store.entries()
        #expect(entries.map(\.sequence) == Array(1...7))
        for (previous, entry) in zip(entries, entries.dropFirst()) {
            #expect(entry.previous == previous.id)
            #expect(entry.timestamp > previous.timestamp)
        }
        #expect(try node.store.heads() == [LogHead(author: node.key.publicKey.hex, sequence: 7, id: entries[6].id.hex)])
    }

    @Test("triggers refuse UPDATE and DELETE on entries")
    func triggersRefuseChanges() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        let raw = try RawDatabase(path: node.folder.storePath)
        #expect(throws: RawDatabase.RawError.self) { try raw.execute("UPDATE entries SET type = 'x'") }
        #expect(throws: RawDatabase.RawError.self) { try raw.execute("DELETE FROM entries") }
        #expect(try node.store.entryCount() == 2)
    }

    @Test("a batch is atomic: one bad entry and nothing of the batch is stored")
    func batchAtomic() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let observer = try LedgerStore.open(at: dir.file("copy.sqlite"), create: true)
        var entries = try VectorBuilder.validEntries()
        var bytes = entries[4].bytes
        bytes[bytes.count - 1] ^= 0x01
        entries[4] = try Entry(bytes: bytes)
        #expect(throws: StoreError.self) { try observer.ingest(entries, payloads: [Fixed.payload]) }
        #expect(try observer.entryCount() == 0)
        #expect(observer.ledgerID == nil)
    }

    @Test("ingesting the same entries twice adds nothing the second time")
    func ingestIdempotent() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try LedgerStore.open(at: dir.file("copy.sqlite"), create: true)
        let entries = try VectorBuilder.validEntries()
        let first = try store.ingest(entries, payloads: [Fixed.payload])
        #expect(first.added == entries.count && first.payloadsAdded == 1)
        let second = try store.ingest(entries.reversed(), payloads: [Fixed.payload])
        #expect(second.added == 0 && second.known == entries.count && second.payloadsAdded == 0)
        #expect(try store.entryCount() == entries.count)
        #expect(try Auditor(store: store).run(mode: .full).intact)
    }

    @Test("fast ingest refuses a one-byte flip anywhere in any entry, and stores nothing")
    func fastIngestRejectsFlips() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try LedgerStore.open(at: dir.file("copy.sqlite"), create: true)
        let entries = try VectorBuilder.validEntries()
        var refused = 0
        for index in entries.indices {
            for offset in entries[index].bytes.indices {
                var bytes = entries[index].bytes
                bytes[offset] ^= 0x01
                var batch = entries
                guard let flipped = try? Entry(bytes: bytes) else { refused += 1; continue }  // malformed: cannot even be read
                batch[index] = flipped
                do {
                    _ = try store.ingest(batch, payloads: [Fixed.payload], verification: .fast)
                    Issue.record("flip at \(offset) of entry \(index) was accepted")
                    return
                } catch {
                    refused += 1
                }
            }
        }
        #expect(try store.entryCount() == 0)
        #expect(refused == entries.map(\.bytes.count).reduce(0, +))
        #expect(try store.ingest(entries, payloads: [Fixed.payload], verification: .fast).added == entries.count)
    }

    @Test("entries of another ledger are refused")
    func wrongLedger() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        #expect {
            try node.store.ingest(try VectorBuilder.validEntries(), payloads: [])
        } throws: { error in
            guard case StoreError.wrongLedger = error else { return false }
            return true
        }
    }

    @Test("a gap in a log is refused, naming the entry")
    func gapRefused() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try LedgerStore.open(at: dir.file("copy.sqlite"), create: true)
        let entries = try VectorBuilder.validEntries()
        #expect {
            try store.ingest([entries[0], entries[1], entries[3]], payloads: [])
        } throws: { error in
            guard case StoreError.rejected(let fault) = error else { return false }
            return fault.kind == .sequenceGap && fault.sequence == 4
        }
        #expect(try store.entryCount() == 0)
    }

    @Test("an unknown author is refused whole")
    func unknownAuthor() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try LedgerStore.open(at: dir.file("copy.sqlite"), create: true)
        let entries = try VectorBuilder.validEntries()
        var stranger = EntryFactory(ledger: entries[0].id, key: SigningKey())
        let spam = try stranger.next(CommentPosted(campaign: "free-the-press", displayName: "M", text: "spam", signature: nil))
        #expect {
            try store.ingest(entries + [spam], payloads: [Fixed.payload])
        } throws: { error in
            guard case StoreError.rejected(let fault) = error else { return false }
            return fault.kind == .unknownAuthor
        }
        #expect(try store.entryCount() == 0)
    }

    @Test("a payload that matches no entry is refused")
    func orphanPayload() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try LedgerStore.open(at: dir.file("copy.sqlite"), create: true)
        #expect(throws: StoreError.self) {
            try store.ingest(try VectorBuilder.validEntries(), payloads: [Fixed.payload, [1, 2, 3]])
        }
        #expect(try store.entryCount() == 0)
    }

    @Test("export then import on a fresh node gives identical heads and an intact audit")
    func exportImport() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let hq = try makeHQ(dir)
        let receipt = try hq.sign(campaign: "free-the-press", signer: SignerDetails(name: "Kari", email: "kari@example.org", country: "no"))
        try hq.comment(campaign: "free-the-press", displayName: "Kari", text: "Yes")
        try hq.withdraw(receipt: receipt.code)
        try hq.exportBundle(to: dir.file("ledger.bundle"))
        let bundle = try LedgerNode.readBundle(at: dir.file("ledger.bundle"))
        let (copy, report) = try LedgerNode.createObserver(at: dir.file("copy"), bundle: bundle)
        #expect(report.added == 5)
        #expect(try copy.store.heads() == hq.store.heads())
        #expect(try copy.ledgerID == hq.ledgerID)
        #expect(try Auditor(store: copy.store).run(mode: .full).intact)
        #expect(try copy.importBundle(bundle).added == 0)
        #expect(throws: NodeError.self) { try copy.comment(campaign: "free-the-press", displayName: "x", text: "y") }
    }

    @Test("a file that is not a database gives a clear error, not a crash")
    func corruptedDatabase() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        let path = node.folder.storePath
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        #expect {
            try LedgerNode.open(at: dir.file("hq"))
        } throws: { error in
            guard case StoreError.corrupted = error else { return false }
            return "\(error)".contains("damaged")
        }
    }

    @Test("bundles: a truncated, altered or foreign file is refused whole with a clear reason")
    func badBundles() throws {
        let good = try VectorBuilder.bundle()
        #expect(try LedgerBundle(decoding: good).entries.count == VectorBuilder.validNames.count)
        #expect(throws: BundleError.truncated("the last line is incomplete")) { try LedgerBundle(decoding: Array(good.dropLast(10))) }
        var altered = good
        altered[300] ^= 0x01
        #expect(throws: BundleError.self) { try LedgerBundle(decoding: altered) }
        #expect(throws: BundleError.notABundle) { try LedgerBundle(decoding: Array("hello\n".utf8)) }
        let lines = good.split(separator: 0x0a, omittingEmptySubsequences: false)
        let dropped = Array(lines[0] + [0x0a] + lines[2...].joined(separator: [0x0a]))
        #expect(throws: BundleError.self) { try LedgerBundle(decoding: dropped) }
    }
    @Test("the WAL file is cut back to its limit after a transaction larger than it, with the readers open")
    func walCutBack() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let node = try makeHQ(dir)
        let store = node.store
        func limit() throws -> Int64 {
            try store.locked {
                let statement = try store.connection.statement("PRAGMA journal_size_limit")
                defer { statement.reset() }
                _ = try statement.step()
                return statement.int64(0)
            }
        }
        func walSize() -> Int {
            (try? FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int) ?? 0
        }
        #expect(try limit() == LedgerStore.walSizeLimit)
        for index in 0..<300 {
            _ = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Signer \(index)", email: "s\(index)@example.org", country: "NO"))
        }
        // The readers of the pool have read (a kiosk page, counts) and must not pin the WAL.
        _ = try store.campaign("free-the-press")
        _ = try store.readModelDigest()
        // A limit the rebuild's transaction exceeds and one signing's (about 16 pages) does not,
        // so that the cut can be seen at test size.
        let small: Int64 = 128 << 10
        try store.locked { try store.connection.execute("PRAGMA journal_size_limit = \(small)") }
        try store.locked { try store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
        try store.rebuildReadModels()
        let grown = walSize()
        #expect(grown > 2 * Int(small))
        // The automatic checkpoint runs at 16,384 pages; here it is asked for.
        try store.locked { try store.connection.execute("PRAGMA wal_checkpoint(PASSIVE)") }
        _ = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Last", email: "last@example.org", country: "NO"))
        #expect(walSize() <= Int(small), "the WAL stayed at \(walSize()) bytes after \(grown)")
    }
}
