import Foundation
import Testing

@testable import Ledger

/// Schema migrations on stores with real data (docs/STORE.md): a store written by today's code
/// is taken back to the previous schema by hand, then opened again, and must come out the same.
@Suite("Schema migrations")
struct SchemaMigrationTests {
    typealias Setup = CountingTests.Setup

    /// Schema 8's tables and indexes turned back into schema 7's: tree leaves keyed by a unique
    /// entry id, no wanted-payload list, and the index of every entry's payload digest.
    static let backToSeven = """
        CREATE TABLE tree_leaves_7 (
            idx  INTEGER PRIMARY KEY,
            id   BLOB NOT NULL UNIQUE,
            hash BLOB NOT NULL
        );
        INSERT INTO tree_leaves_7 (idx, id, hash)
            SELECT t.idx, coalesce(e.id, t.fork), t.hash FROM tree_leaves t LEFT JOIN entries e ON e.rowid = t.entry;
        DROP TABLE tree_leaves;
        ALTER TABLE tree_leaves_7 RENAME TO tree_leaves;
        CREATE TRIGGER tree_leaves_immutable_update BEFORE UPDATE ON tree_leaves
            BEGIN SELECT RAISE(ABORT, 'tree leaves are immutable'); END;
        CREATE TRIGGER tree_leaves_immutable_delete BEFORE DELETE ON tree_leaves
            BEGIN SELECT RAISE(ABORT, 'tree leaves are immutable'); END;
        DROP TABLE payloads_wanted;
        CREATE INDEX entries_by_payload ON entries (payload_digest) WHERE payload_digest IS NOT NULL;
        PRAGMA user_version = 7;
        """

    @Test("7 to 8: HQ's tree (log entries and a branch) keeps every leaf, root and proof; a leaf cannot be changed")
    func treeMigrates() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        _ = try setup.sign(on: 1, email: "b@example.org")
        try setup.syncToHQ()
        // A branch entry: a twin of laptop 0 (a cloned disk) signs at the same sequence.
        let twin = try LedgerStore.open(at: setup.dir.file("twin.sqlite"), create: true)
        _ = try twin.ingest(try setup.hq.store.entries().filter { $0.author != setup.keys[0].publicKey })
        let body = SignatureRecorded(campaign: "c1", campaignVersion: try #require(try setup.hq.store.campaign("c1")).version,
                                     channel: .kiosk, paperList: nil, country: "NO", postcodeArea: nil, consentContact: false,
                                     signer: nil, receiptHash: ReceiptCode().hash(ledger: try setup.hq.ledgerID).hex)
        let details = try SignerDetails(name: "Someone", email: "twin@example.org").validated()
        let sealed = try Sealing.seal(try details.sealedPlaintext(), to: try setup.hq.sealingPublicKey(), ledger: try setup.hq.ledgerID)
        let branch = try twin.append(body, payload: sealed, signer: setup.keys[0])
        #expect(try setup.hq.store.ingest([branch], payloads: [sealed]).forks.count == 1)
        _ = try setup.sign(on: 0, email: "c@example.org")
        try setup.syncToHQ()

        let store = setup.hq.store
        let held = try store.entries() + store.forkEntries()
        let size = try store.treeSize()
        #expect(size == held.count)
        let root = try store.treeRoot(size: size)
        let order = try store.leafIDs(size: size)
        let indexes = try held.map { try store.leafIndex(of: $0.id) }
        #expect(Set(indexes.compactMap { $0 }) == Set(0..<size))

        try RawDatabase(path: store.path).execute(Self.backToSeven)
        let reopened = try LedgerStore.open(at: store.path)
        #expect(try reopened.treeSize() == size)
        #expect(try reopened.treeRoot(size: size) == root)
        #expect(try reopened.leafIDs(size: size) == order)
        #expect(try held.map { try reopened.leafIndex(of: $0.id) } == indexes)
        #expect(try reopened.leafIndex(of: branch.id) != nil)
        for index in [0, size / 2, size - 1] {
            let proof = try reopened.inclusionProof(index: index, size: size)
            let entry = try #require(held.first { try reopened.leafIndex(of: $0.id) == index })
            #expect(MerkleTree.verifyInclusion(leaf: MerkleTree.leafHash(entry.bytes), index: index, size: size, proof: proof, root: root))
        }
        // The tree grows on from where it was.
        _ = try setup.sign(on: 1, email: "d@example.org")
        _ = try reopened.ingest(try setup.laptops[1].entries(matching: EntryFilter(author: setup.keys[1].publicKey)),
                                payloads: try setup.laptops[1].payloads())
        #expect(try reopened.treeSize() == size + 1)
        let proof = try reopened.consistencyProof(old: size, new: size + 1)
        #expect(MerkleTree.verifyConsistency(old: size, new: size + 1, oldRoot: root, newRoot: try reopened.treeRoot(size: size + 1), proof: proof))
        let raw = try RawDatabase(path: store.path)
        #expect(throws: RawDatabase.RawError.self) { try raw.execute("UPDATE tree_leaves SET entry = entry + 1 WHERE idx = 0") }
        #expect(throws: RawDatabase.RawError.self) { try raw.execute("DELETE FROM tree_leaves WHERE idx = 0") }
        #expect(throws: RawDatabase.RawError.self) { try raw.execute("SELECT 1 FROM entries INDEXED BY entries_by_payload") }
    }

    @Test("7 to 8: the payloads an observer lacks stay wanted, an erased one does not, and they arrive as before")
    func wantedMigrates() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let (erased, code) = try setup.sign(on: 0, email: "gone@example.org")
        _ = try setup.sign(on: 0, email: "kept@example.org")
        _ = try setup.sign(on: 1, email: "also-kept@example.org")
        try setup.syncToHQ()
        try setup.hq.erase(receipt: code, reason: nil)
        // The observer holds every entry (the erasure too) and no payload.
        let observer = try LedgerStore.open(at: setup.dir.file("observer.sqlite"), create: true)
        let hqLog = try setup.hq.store.entries(matching: EntryFilter(author: setup.hq.key.publicKey))
        _ = try observer.ingest(hqLog)
        _ = try observer.ingest(try setup.hq.store.entries().filter { $0.author != setup.hq.key.publicKey })
        let wanted = try observer.wantedPayloads(limit: 100)
        #expect(wanted.count == 2)
        #expect(!wanted.contains(try #require(erased.payloadDigest)))
        #expect(wanted == wanted.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) })
        // Paging: one at a time, above the last.
        #expect(try observer.wantedPayloads(after: wanted[0], limit: 1) == [wanted[1]])

        try RawDatabase(path: observer.path).execute(Self.backToSeven)
        let reopened = try LedgerStore.open(at: observer.path)
        #expect(try reopened.wantedPayloads(limit: 100) == wanted)
        // A payload no entry names is still refused; the wanted ones arrive and are wanted no more.
        #expect(throws: StoreError.self) { try reopened.ingest([], payloads: [[1, 2, 3]]) }
        let payloads = try setup.hq.store.payloads()
        let report = try reopened.ingest([], payloads: payloads)
        #expect(report.payloadsAdded == 2)
        #expect(try reopened.wantedPayloads(limit: 100).isEmpty)
        #expect(try reopened.readModelDigest() == (try setup.hq.store.readModelDigest()))
    }

    /// Schema 9's count triggers, which counted a signature in state `pending` too (as it was
    /// inserted, then again as its state was computed).
    static let backToNine = ReadModelSchema.dropCountTriggers + """
        CREATE TRIGGER signature_counts_insert AFTER INSERT ON signatures BEGIN
            \(ReadModelSchema.countRow(sign: "+", row: "NEW"))
        END;
        CREATE TRIGGER signature_counts_update AFTER UPDATE OF campaign, state, day, channel, author, country, signer ON signatures
            WHEN \(ReadModelSchema.countedColumnsChange) BEGIN
            \(ReadModelSchema.countRow(sign: "-", row: "OLD"))
            \(ReadModelSchema.countRow(sign: "+", row: "NEW"))
        END;
        PRAGMA user_version = 9;
        """

    @Test("9 to 10: the count triggers are replaced, the counts stay right, and a signature's insert fires none")
    func countTriggersMigrate() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        _ = try setup.sign(on: 1, email: "b@example.org")
        _ = try setup.sign(on: 1, email: "a@example.org")  // a duplicate
        try setup.syncToHQ()
        let store = setup.hq.store
        let before = try setup.stats()
        try RawDatabase(path: store.path).execute(Self.backToNine)
        let reopened = try LedgerStore.open(at: store.path)
        func stats() throws -> CampaignStats { try reopened.stats(campaign: try #require(try reopened.campaign("c1"))) }
        let triggers = try reopened.reading { db in
            let statement = try db.statement("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'signature_counts%' ORDER BY name")
            defer { statement.reset() }
            var names: [String] = []
            while try statement.step() { names.append(statement.text(0)) }
            return names
        }
        #expect(triggers == ["signature_counts_delete", "signature_counts_insert", "signature_counts_signer",
                             "signature_counts_update_new", "signature_counts_update_old"])
        #expect(try reopened.countsDrift() == [])
        #expect(try stats() == before)
        // A row inserted in state pending counts nowhere until its state is set.
        let raw = try RawDatabase(path: store.path)
        try raw.execute("""
            INSERT INTO signatures (id, campaign, version, author, sequence, hlc_wall, hlc_counter, day, channel, consent,
                receipt_hash, payload, authorised, state, signer)
            VALUES (x'01', 'c1', x'', x'02', 1, 0, 0, '1970-01-01', 'kiosk', 0, x'', x'', 1, 'pending', x'03')
            """)
        #expect(try raw.count("SELECT COUNT(*) FROM signature_counts WHERE value = 'pending'") == 0)
        #expect(try stats() == before)
        try raw.execute("UPDATE signatures SET state = 'counted' WHERE id = x'01'")
        #expect(try stats().counted == before.counted + 1)
        #expect(try stats().unique == before.unique + 1)
        #expect(try reopened.countsDrift() == [])
        try raw.execute("DELETE FROM signatures WHERE id = x'01'")
        #expect(try stats() == before)
        #expect(try reopened.countsDrift() == [])
    }

    @Test("the kept counts: a count that drifts from the rows is found, and a rebuild sets it right")
    func countsDriftIsFound() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        _ = try setup.sign(on: 1, email: "b@example.org")
        try setup.syncToHQ()
        let store = setup.hq.store
        #expect(try store.countsDrift() == [])
        #expect(try setup.stats().counted == 2)
        #expect(try setup.stats().unique == 2)
        try RawDatabase(path: store.path).execute("UPDATE signature_counts SET n = n + 5 WHERE dimension = 'state' AND value = 'counted'")
        let drift = try store.countsDrift()
        #expect(drift.count == 2)  // the kept row and the row counted afresh
        #expect(drift.contains { $0.hasPrefix("kept: c1 state 'counted' = 7") })
        #expect(try setup.stats().counted == 7)
        try store.rebuildReadModels()
        #expect(try store.countsDrift() == [])
        #expect(try setup.stats().counted == 2)
    }

    @Test("a remembered read-model digest is given again while the store holds the same entries, and not after one more")
    func rememberedDigest() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        try setup.syncToHQ()
        let store = setup.hq.store
        #expect(try store.knownReadModelDigest() == nil)
        let digest = try store.rememberReadModelDigest()
        #expect(digest == (try store.readModelDigest()))
        #expect(try store.knownReadModelDigest() == digest)
        try store.rebuildReadModels()  // the same entries: the same digest
        #expect(try store.knownReadModelDigest() == digest)
        _ = try setup.sign(on: 1, email: "b@example.org")
        try setup.syncToHQ()
        #expect(try store.knownReadModelDigest() == nil)
        #expect(try store.rememberReadModelDigest() != digest)
    }

    @Test("a rebuild past its memory bound (the projector forgets its marks every 4,096 entries) gives the digest of incremental projection")
    func longRebuild() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let store = setup.hq.store
        let ledger = try setup.hq.ledgerID
        let version = try #require(try store.campaign("c1")).version
        // 6,000 signatures, every tenth signer signing twice (duplicates across the boundaries).
        let items = try (0..<6_000).map { index -> Appendable in
            let signer = index % 10 == 9 ? index - 9 : index
            let body = SignatureRecorded(
                campaign: "c1", campaignVersion: version, channel: .kiosk, paperList: nil, country: "NO", postcodeArea: nil,
                consentContact: false, signer: Digest.sha256(Array("signer \(signer)".utf8)).hex,
                receiptHash: Digest.sha256(Array("receipt \(index)".utf8) + ledger.bytes).hex)
            return try Appendable(body, payload: [1] + Array(Digest.sha256(Array("payload \(index)".utf8)).bytes))
        }
        for batch in items.chunked(into: 1_000) { _ = try store.appendBatch(batch, signer: setup.hq.key) }
        let stats = try setup.stats()
        #expect(stats.counted == 5_400 && stats.duplicates == 600 && stats.unique == 5_400)
        let digest = try store.readModelDigest()
        #expect(try store.rebuildReadModels() > 6_000)
        #expect(try store.readModelDigest() == digest)
        #expect(try store.countsDrift() == [])
    }
}
