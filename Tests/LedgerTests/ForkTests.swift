import Foundation
import Testing

@testable import Ledger

/// Forks (docs/FORMAT.md section 8, "Forks"): a cloned laptop disk or a restored HQ loses no
/// signer, every branch is checked like a log, and every node counts the same.
@Suite("Forks")
struct ForkTests {
    typealias Setup = CountingTests.Setup

    /// A second copy of laptop `index`'s store, as a cloned disk: the same entries, the same key.
    func clone(_ setup: Setup, laptop index: Int) throws -> LedgerStore {
        let copy = try LedgerStore.open(at: setup.dir.file("clone\(index).sqlite"), create: true)
        let source = setup.laptops[index]
        _ = try copy.ingest(try source.entries(), payloads: try source.payloads())
        return copy
    }

    /// Signs on `store` with laptop `index`'s key, as Setup.sign does on the laptop itself.
    func sign(_ setup: Setup, on store: LedgerStore, as index: Int, email: String) throws -> Entry {
        let details = try SignerDetails(name: "Someone", email: email).validated()
        let ledger = try setup.hq.ledgerID
        let key = try #require(try setup.hq.folder.readKeyForTests(LedgerNode.pseudonymKeyFile))
        let version = try #require(try setup.hq.store.campaign("c1")).version
        let body = SignatureRecorded(
            campaign: "c1", campaignVersion: version, channel: .kiosk, paperList: nil, country: "NO", postcodeArea: nil,
            consentContact: false, signer: details.pseudonym(key: key, campaign: "c1").hex,
            receiptHash: ReceiptCode().hash(ledger: ledger).hex)
        let sealed = try Sealing.seal(try details.sealedPlaintext(), to: try setup.hq.sealingPublicKey(), ledger: ledger)
        return try store.append(body, payload: sealed, signer: setup.keys[index])
    }

    func everything(in store: LedgerStore) throws -> (entries: [Entry], payloads: [[UInt8]]) {
        (try store.entries() + (try store.forkEntries()), try store.payloads())
    }

    @Test("a cloned laptop disk: both branches are stored, held until HQ adopts them, then every signer counts once")
    func clonedLaptop() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        _ = try setup.sign(on: 0, email: "b@example.org")
        try setup.syncToHQ()
        let twin = try clone(setup, laptop: 0)
        // Both copies go on signing: real people on each, one of them on both.
        _ = try setup.sign(on: 0, email: "c@example.org")
        _ = try setup.sign(on: 0, email: "d@example.org")
        _ = try sign(setup, on: twin, as: 0, email: "e@example.org")
        _ = try sign(setup, on: twin, as: 0, email: "c@example.org")
        try setup.syncToHQ()
        let twinEntries = try twin.entries(matching: EntryFilter(author: setup.keys[0].publicKey))
        let report = try setup.hq.store.ingest(twinEntries, payloads: try twin.payloads())
        #expect(report.forks.count == 2)
        #expect(report.refused.isEmpty)

        // Held: the signatures from the fork point on, on both branches.
        var stats = try setup.stats()
        #expect(stats.counted == 2)
        #expect(try setup.hq.store.signatureCounts(campaign: "c1")["forked"] == 4)
        let fork = try #require(try setup.hq.store.forkedLogs().first)
        #expect(fork.device == setup.keys[0].publicKey.hex)
        #expect(fork.forkSequence == 3)
        #expect(fork.branches == 2 && fork.held == 4 && fork.heldSignatures == 4 && !fork.isHQ)
        let audit = try Auditor(store: setup.hq.store).run(mode: .full)
        #expect(audit.intact && audit.forked)
        #expect(audit.faults.filter { $0.kind == .fork }.map(\.sequence) == [3, 4])

        // HQ adopts after review: every signer counts, the one who signed on both copies once.
        try setup.hq.adoptFork(device: setup.keys[0].publicKey, reason: "laptop 0's disk was cloned at the stall")
        stats = try setup.stats()
        #expect(stats.counted == 5)
        #expect(stats.duplicates == 1)
        #expect(try setup.hq.store.forkedLogs().first?.held == 0)
        #expect(throws: NodeError.self) { try setup.hq.adoptFork(device: setup.keys[0].publicKey, reason: nil) }
        // Held, then adopted: the kept counts moved with every state and equal a count afresh.
        #expect(try setup.hq.store.countsDrift() == [])

        // The laptop learns of the fork and records nothing more under its key.
        _ = try setup.laptops[0].ingest(twinEntries, payloads: try twin.payloads())
        #expect {
            _ = try setup.sign(on: 0, email: "f@example.org")
        } throws: { error in
            guard case StoreError.forkedLog(_, let sequence) = error else { return false }
            return sequence == 3 && "\(error)".contains("ledgerctl device rekey")
        }
    }

    @Test("a forked laptop revoked before HQ adopts its branches: its held signatures go from forked to unauthorised, as a rebuild says")
    func revokedWhileHeld() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        try setup.syncToHQ()
        let twin = try clone(setup, laptop: 0)
        _ = try setup.sign(on: 0, email: "b@example.org")
        _ = try sign(setup, on: twin, as: 0, email: "c@example.org")
        try setup.syncToHQ()
        _ = try setup.hq.store.ingest(try twin.entries(), payloads: try twin.payloads())
        #expect(try setup.hq.store.signatureCounts(campaign: "c1")["forked"] == 2)
        // Revoked before the fork point: the held signatures are no longer the device's to make.
        // No `authorised` flag changes (held rows are unauthorised already); only the state does.
        try setup.hq.revoke(device: setup.keys[0].publicKey, afterSequence: 1, reason: "the laptop was cloned")
        let counts = try setup.hq.store.signatureCounts(campaign: "c1")
        #expect(counts["forked"] == nil)
        #expect(counts["unauthorised"] == 2)
        try expectRebuildAgrees(setup.hq.store)
    }

    @Test("every node holding the same entries counts the same, whichever branch arrived first")
    func sameCountsAnyOrder() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        try setup.syncToHQ()
        let twin = try clone(setup, laptop: 0)
        for email in ["b", "c", "d"] { _ = try setup.sign(on: 0, email: "\(email)@example.org") }
        for email in ["c", "e"] { _ = try sign(setup, on: twin, as: 0, email: "\(email)@example.org") }
        try setup.syncToHQ()
        _ = try setup.hq.store.ingest(try twin.entries(), payloads: try twin.payloads())
        try setup.hq.adoptFork(device: setup.keys[0].publicKey, reason: nil)
        _ = try sign(setup, on: twin, as: 0, email: "g@example.org")  // after the adoption: held again
        _ = try setup.hq.store.ingest(try twin.entries(), payloads: try twin.payloads())
        let expected = try setup.hq.store.readModelDigest()
        let all = try everything(in: setup.hq.store)

        // Observers fed the same entries: the twin's branch first, or HQ's export, or shuffled.
        let hqKey = setup.hq.key.publicKey
        func rank(_ entry: Entry) -> (Int, UInt64) { (entry.author == hqKey ? 0 : 1, entry.sequence) }
        let twinFirst: [Entry] = try twin.entries().sorted { rank($0) < rank($1) }
        var orders: [[Entry]] = [twinFirst + all.entries, all.entries]
        var random = SeededRandom(seed: 7)
        for _ in 0..<4 { orders.append(all.entries.shuffled(using: &random)) }
        for (index, order) in orders.enumerated() {
            let store = try LedgerStore.open(at: setup.dir.file("observer\(index).sqlite"), create: true)
            try Scenario.ingest(order.map { [$0] }, into: store)
            _ = try store.ingest([], payloads: all.payloads)
            #expect(try store.readModelDigest() == expected, "order \(index)")
            #expect(try store.forkedLogs() == (try setup.hq.store.forkedLogs()), "order \(index)")
            #expect(try store.entryCount() + (try store.forkEntries().count) == all.entries.count)
            #expect(try store.rebuildReadModels() == all.entries.count)
            #expect(try store.readModelDigest() == expected, "order \(index), rebuilt")
        }
        #expect(try setup.hq.store.signatureCounts(campaign: "c1")["forked"] == 1)
    }

    @Test("HQ restored from an old copy: both branches of its log count, HQ goes on writing, one fault per forked sequence")
    func restoredHQ() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Restore test")
        try hq.publish(sampleCampaign())
        try hq.comment(campaign: "free-the-press", displayName: "A", text: "before the crash")
        // What HQ wrote after the backup, and what the restored copy wrote instead.
        let entries = try hq.store.entries()
        var restored = EntryFactory(ledger: try hq.ledgerID, key: hq.key)
        restored.head = EntryVerifier.LinkPoint(entries[1])
        restored.wall = entries[2].timestamp.wall
        let conflicting = try restored.next(CommentPosted(campaign: "free-the-press", displayName: "B", text: "after the restore", signature: nil))
        let extending = try restored.next(CommentPosted(campaign: "free-the-press", displayName: "B", text: "more", signature: nil))
        let report = try hq.store.ingest([extending, conflicting])
        #expect(report.added == 2)
        #expect(report.forks.map(\.sequence) == [3, 4])
        #expect(Set(try hq.store.forkEntries().map(\.id)) == [conflicting.id, extending.id])
        let audit = try Auditor(store: hq.store).run(mode: .full)
        #expect(audit.intact)
        let forks = audit.faults.filter { $0.kind == .fork }
        #expect(forks.count == 1)
        #expect(forks.first?.sequence == 3 && forks.first?.id == min(conflicting.id.hex, entries[2].id.hex))
        // Nothing is held on HQ's own log, and HQ is not frozen.
        #expect(try hq.store.forkedLogs().map(\.held) == [0])
        try hq.comment(campaign: "free-the-press", displayName: "C", text: "HQ writes on")
        #expect(try hq.store.comments(campaign: "free-the-press", includeHidden: false, limit: 10).count == 4)
        // Ingesting the branch again adds nothing.
        #expect(try hq.store.ingest([conflicting, extending]).known == 2)
    }

    @Test("a branch entry is checked like a log entry: bad signature, body, type or link refuse the batch, nothing stored")
    func branchEntriesChecked() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        let (first, _) = try setup.sign(on: 0, email: "b@example.org")
        try setup.syncToHQ()
        let ledger = try setup.hq.ledgerID
        let key = setup.keys[0]
        let genesisOfLog = try #require(try setup.hq.store.entries(author: key.publicKey, after: 0, limit: 1).first)
        func branch(type: String = EventType.commentPosted.rawValue, body: String = #"{"campaign":"c1","displayName":"X","text":"t"}"#,
                    previous: Digest? = nil, signer: SigningKey? = nil) throws -> Entry {
            let draft = EntryDraft(ledger: ledger, author: key.publicKey, sequence: 2, previous: previous ?? genesisOfLog.id,
                                   timestamp: HLCTimestamp(wall: first.timestamp.wall + 5, counter: 0), type: type, body: Array(body.utf8))
            let signed = try draft.signedBytes()
            return try Entry(bytes: signed + (try (signer ?? key).sign(Entry.signingContext + signed)))
        }
        let cases: [(Entry, EntryFault.Kind)] = [
            (try branch(type: "made.up"), .unknownType),
            (try branch(body: #"{"text":"t","campaign":"c1","displayName":"X"}"#), .invalidBody),
            (try branch(body: String(repeating: " ", count: 60_000) + "{}"), .invalidBody),
            (try branch(previous: Digest.sha256([1, 2, 3])), .brokenLink),
            (try branch(signer: SigningKey()), .badSignature),
        ]
        for (entry, kind) in cases {
            #expect {
                try setup.hq.store.ingest([entry], verification: .fast)
            } throws: { error in
                guard case StoreError.rejected(let fault) = error else { return false }
                return fault.kind == kind
            }
        }
        #expect(try setup.hq.store.forkEntries().isEmpty)
        #expect(try setup.hq.store.forkedLogs().isEmpty)
        // A valid one is stored.
        #expect(try setup.hq.store.ingest([try branch()]).forks.count == 1)
    }

    @Test("at most four entries are kept at one sequence; the fifth and what builds on it are refused as fork-limit")
    func bounds() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let (first, _) = try setup.sign(on: 0, email: "a@example.org")
        try setup.syncToHQ()
        let ledger = try setup.hq.ledgerID
        var copies: [Entry] = []
        for copy in 1...5 {
            var factory = EntryFactory(ledger: ledger, key: setup.keys[0])
            factory.head = EntryVerifier.LinkPoint(first)
            factory.wall = first.timestamp.wall + UInt64(copy)
            copies.append(try factory.next(CommentPosted(campaign: "c1", displayName: "Copy \(copy)", text: "t", signature: nil)))
            copies.append(try factory.next(CommentPosted(campaign: "c1", displayName: "Copy \(copy)", text: "more", signature: nil)))
        }
        let report = try setup.hq.store.ingest(copies)
        // Sequence 2: four copies kept (one on the log, three branches); the fifth copy refused,
        // and its sequence 3, which builds on it.
        #expect(report.added == 8)
        #expect(report.refused.count == 2)
        #expect(report.refused.allSatisfy { $0.kind == .forkLimit })
        #expect(try setup.hq.store.forkEntries().count == 6)
        #expect(try setup.hq.store.ingest(copies).refused.count == 2)
    }

    @Test("entries past a revocation are kept as evidence, reported, and not counted")
    func revokedKept() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        try setup.syncToHQ()
        try setup.hq.revoke(device: setup.keys[0].publicKey, afterSequence: 1, reason: "laptop lost")
        _ = try setup.sign(on: 0, email: "b@example.org")
        let entries = try setup.laptops[0].entries(matching: EntryFilter(author: setup.keys[0].publicKey))
        let report = try setup.hq.store.ingest(entries, payloads: try setup.laptops[0].payloads())
        #expect(report.added == 1)
        #expect(report.outsideRights.map(\.sequence) == [2])
        #expect(try setup.hq.store.entries(matching: EntryFilter(author: setup.keys[0].publicKey)).count == 2)
        let stats = try setup.stats()
        #expect(stats.counted == 1)
        #expect(try setup.hq.store.signatureCounts(campaign: "c1")["unauthorised"] == 1)
    }

    @Test("HQ imports a laptop's export and a copy of its disk, then exports: an observer made from that shows the same logs, forks, counts and digest")
    func observerFromExport() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        for email in ["a", "b"] { _ = try setup.sign(on: 0, email: "\(email)@example.org") }
        let disk = try clone(setup, laptop: 0)
        for email in ["c", "d", "e"] { _ = try setup.sign(on: 0, email: "\(email)@example.org") }
        for email in ["f", "c"] { _ = try sign(setup, on: disk, as: 0, email: "\(email)@example.org") }
        // HQ imports the laptop's export, then the copy of its disk.
        for store in [setup.laptops[0], disk] {
            let bundle = try store.exportBundle()
            _ = try setup.hq.store.ingest(bundle.entries + bundle.forks, payloads: bundle.payloads)
        }
        try setup.hq.adoptFork(device: setup.keys[0].publicKey, reason: nil)
        try setup.hq.exportBundle(to: setup.dir.file("hq.bundle"))
        let (observer, _) = try LedgerNode.createObserver(at: setup.dir.file("observer"), bundle: try LedgerNode.readBundle(at: setup.dir.file("hq.bundle")))
        #expect(try observer.store.heads() == (try setup.hq.store.heads()))
        #expect(try observer.store.forkEntries().map(\.id) == (try setup.hq.store.forkEntries().map(\.id)))
        #expect(try observer.store.forkedLogs() == (try setup.hq.store.forkedLogs()))
        #expect(try observer.store.readModelDigest() == (try setup.hq.store.readModelDigest()))
        #expect(try observer.store.signatureCounts(campaign: "c1") == ["counted": 6, "duplicate": 1])
        let audit = try Auditor(store: observer.store).run(mode: .full)
        #expect(audit.intact && audit.faults.filter { $0.kind == .fork }.count == 2)
    }
}
