import Foundation
import Testing

@testable import Ledger

/// HQ's Merkle tree, checkpoints and receipt proofs (docs/FORMAT.md section 11).
@Suite("Transparency")
struct TransparencyTests {
    typealias Setup = CountingTests.Setup

    /// Every held entry (log and branches) is a leaf whose inclusion proof leads to the root,
    /// and there are no other leaves.
    func expectTreeHoldsEverything(_ store: LedgerStore) throws {
        let held = try store.entries() + store.forkEntries()
        let size = try store.treeSize()
        #expect(size == held.count)
        let root = try store.treeRoot(size: size)
        var seen = Set<Int>()
        for entry in held {
            let index = try #require(try store.leafIndex(of: entry.id))
            seen.insert(index)
            let proof = try store.inclusionProof(index: index, size: size)
            #expect(MerkleTree.verifyInclusion(leaf: MerkleTree.leafHash(entry.bytes), index: index, size: size, proof: proof, root: root))
        }
        #expect(seen == Set(0..<size))
    }

    @Test("HQ's tree holds every entry it stores, its own, synced ones and fork branches, in the order stored")
    func treeHoldsEverything() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        #expect(setup.hq.store.keepsMerkleTree)
        #expect(try setup.hq.store.treeSize() == 4)  // genesis, campaign, two enrolments
        let genesis = try #require(try setup.hq.store.entry(id: try setup.hq.ledgerID))
        #expect(try setup.hq.store.leafIndex(of: genesis.id) == 0)
        #expect(try setup.hq.store.treeRoot(size: 1) == MerkleTree.leafHash(genesis.bytes))
        _ = try setup.sign(on: 0, email: "a@example.org")
        _ = try setup.sign(on: 1, email: "b@example.org")
        try setup.syncToHQ()
        // A fork: a second entry at the laptop's sequence 1, as a cloned disk (copied before it signed) writes.
        let twin = try LedgerStore.open(at: setup.dir.file("twin.sqlite"), create: true)
        _ = try twin.ingest(try setup.hq.store.entries().filter { $0.author != setup.keys[0].publicKey })
        let details = try SignerDetails(name: "Someone", email: "c@example.org").validated()
        let ledger = try setup.hq.ledgerID
        let body = SignatureRecorded(campaign: "c1", campaignVersion: try #require(try setup.hq.store.campaign("c1")).version,
                                     channel: .kiosk, paperList: nil, country: "NO", postcodeArea: nil, consentContact: false,
                                     signer: nil, receiptHash: ReceiptCode().hash(ledger: ledger).hex)
        let sealed = try Sealing.seal(try details.sealedPlaintext(), to: try setup.hq.sealingPublicKey(), ledger: ledger)
        let branch = try twin.append(body, payload: sealed, signer: setup.keys[0])
        let report = try setup.hq.store.ingest([branch], payloads: [sealed])
        #expect(report.forks.count == 1)
        try expectTreeHoldsEverything(setup.hq.store)
        #expect(try setup.hq.store.leafIndex(of: branch.id) == (try setup.hq.store.treeSize()) - 1)
        // Laptops keep no tree.
        #expect(!setup.laptops[0].keepsMerkleTree)
        #expect(try setup.laptops[0].treeSize() == 0)
    }

    @Test("a ledger stored before the tree gets it on enabling: logs in storage order, then branches")
    func backfill() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        let laptop = setup.laptops[0]
        let stored = try laptop.entries()
        #expect(try laptop.treeSize() == 0)
        try laptop.enableTree()
        try expectTreeHoldsEverything(laptop)
        // Storage order here is the order ingested: HQ's four entries, then the laptop's own.
        let order = try (0..<stored.count).map { index in try stored.first { try laptop.leafIndex(of: $0.id) == index }?.id }
        #expect(order.last == (try laptop.entries(matching: EntryFilter(author: setup.keys[0].publicKey))).last?.id)
        // New entries extend it, and every older root stays a prefix (consistency).
        let before = try laptop.treeSize()
        let oldRoot = try laptop.treeRoot(size: before)
        _ = try setup.sign(on: 0, email: "b@example.org")
        let after = try laptop.treeSize()
        #expect(after == before + 1)
        let proof = try laptop.consistencyProof(old: before, new: after)
        #expect(MerkleTree.verifyConsistency(old: before, new: after, oldRoot: oldRoot, newRoot: try laptop.treeRoot(size: after), proof: proof))
        #expect(throws: StoreError.self) { try laptop.treeRoot(size: after + 1) }
        #expect(throws: StoreError.self) { try laptop.inclusionProof(index: after, size: after) }
        #expect(throws: StoreError.self) { try laptop.consistencyProof(old: 2, new: after + 1) }
    }

    @Test("HQ signs one checkpoint per size; it verifies with HQ's key only, and each later one is consistent with it")
    func checkpoints() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let key = try setup.hq.checkpointKey()
        #expect(key.name == "ledger/\(try setup.hq.ledgerID.hex)")
        let (first, note) = try setup.hq.signCheckpoint()
        #expect(first.size == 4 && first.epoch == 1)
        #expect(note.hasPrefix("ledger/\(try setup.hq.ledgerID.hex)/1\n4\n"))
        #expect(try setup.hq.signCheckpoint().note == note)
        let (checked, _) = try Checkpoint.verify(note: note, key: NoteVerifierKey(vkey: key.vkey))
        #expect(checked == first)
        let stranger = Checkpoint.verifierKey(ledger: try setup.hq.ledgerID, hq: SigningKey().publicKey)
        #expect(throws: NoteError.unsigned(stranger.name)) { try Checkpoint.verify(note: note, key: stranger) }
        let elsewhere = Checkpoint.verifierKey(ledger: Digest.sha256([1]), hq: setup.hq.key.publicKey)
        #expect(throws: NoteError.self) { try Checkpoint.verify(note: note, key: elsewhere) }
        let forged = note.replacingOccurrences(of: "\n4\n", with: "\n5\n")
        #expect(throws: NoteError.badSignature(key.name)) { try Checkpoint.verify(note: forged, key: key) }

        _ = try setup.sign(on: 0, email: "a@example.org")
        try setup.syncToHQ()
        let (second, _) = try setup.hq.signCheckpoint()
        #expect(second.size > first.size)
        let proof = try setup.hq.store.consistencyProof(old: first.size, new: second.size)
        #expect(MerkleTree.verifyConsistency(old: first.size, new: second.size, oldRoot: first.root, newRoot: second.root, proof: proof))
        // Another HQ's checkpoint is of another log.
        let other = try LedgerNode.createHQ(at: setup.dir.file("other"), name: "Other")
        #expect(try other.signCheckpoint().checkpoint.size == 1)
        #expect(throws: NoteError.self) { try Checkpoint.verify(note: try other.signCheckpoint().note, key: key) }
    }

    @Test("a receipt proof verifies with HQ's key and the code, for HQ's and a laptop's signatures, and fails when anything changes")
    func receiptProofs() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let (_, laptopCode) = try setup.sign(on: 1, email: "b@example.org")
        try setup.syncToHQ()
        let atHQ = try setup.hq.sign(campaign: "c1", signer: SignerDetails(name: "Kari", email: "kari@example.org"))
        let key = try setup.hq.checkpointKey()
        for code in [atHQ.code, laptopCode] {
            let proof = try setup.hq.receiptProof(for: code)
            let reread = try ReceiptProof(json: try proof.encoded())
            #expect(reread == proof)
            let verified = try reread.verify(key: key, code: code)
            #expect(verified.body.receiptHash == code.hash(ledger: try setup.hq.ledgerID).hex)
            #expect(verified.checkpoint.size == (try setup.hq.store.treeSize()))
            #expect(throws: NoteError.self) { try reread.verify(key: key, code: ReceiptCode()) }
            #expect(throws: NoteError.self) { try reread.verify(key: Checkpoint.verifierKey(ledger: try setup.hq.ledgerID, hq: SigningKey().publicKey)) }
            var moved = reread
            moved.leaf += 1
            #expect(throws: NoteError.self) { try moved.verify(key: key) }
            var cut = reread
            cut.inclusion.removeLast()
            #expect(throws: NoteError.self) { try cut.verify(key: key) }
            for worst in [-1, Int.min, Int.max, Int(Int32.max) + 1] {
                var far = reread
                far.leaf = worst
                #expect(throws: NoteError.self) { try far.verify(key: key) }
            }
        }
        #expect(throws: NodeError.self) { try setup.hq.receiptProof(for: ReceiptCode()) }
        // Strict reading: a repeated member is refused.
        let text = String(decoding: try setup.hq.receiptProof(for: atHQ.code).encoded(), as: UTF8.self)
        let doubled = text.replacingOccurrences(of: "{\"checkpoint\"", with: "{\"leaf\":0,\"checkpoint\"")
        #expect(throws: NoteError.self) { try ReceiptProof(json: Array(doubled.utf8)) }
        // Only the canonical form: another member, another spelling or no final newline is refused.
        let extra = text.replacingOccurrences(of: "{\"checkpoint\"", with: "{\"aside\":1,\"checkpoint\"")
        #expect(throws: NoteError.self) { try ReceiptProof(json: Array(extra.utf8)) }
        #expect(throws: NoteError.self) { try ReceiptProof(json: Array(text.replacingOccurrences(of: ",\"leaf\":", with: ", \"leaf\":").utf8)) }
        #expect(throws: NoteError.self) { try ReceiptProof(json: Array(text.dropLast().utf8)) }
    }
}

@Suite("Tally recount")
struct TallyRecountTests {
    typealias Setup = CountingTests.Setup

    @Test("a tally recounts from a bundle of the checkpoint's entries and their leaf order; another count, size or order fails")
    func recount() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        _ = try setup.sign(on: 0, email: "a@example.org")
        _ = try setup.sign(on: 1, email: "a@example.org")
        try setup.syncToHQ()
        let (tally, _) = try setup.hq.signTally(campaign: "c1")
        let bundle = try setup.hq.exportBundle(to: setup.dir.file("t.bundle"))
        let order = try setup.hq.store.leafIDs(size: tally.checkpoint.size)
        #expect(try tally.recount(from: bundle, leaves: order))
        #expect(try !tally.recount(from: bundle, leaves: nil))
        #expect(throws: NoteError.self) { try tally.recount(from: bundle, leaves: Array(order.reversed())) }
        #expect(throws: NoteError.self) { try tally.recount(from: bundle, leaves: order + [order[0]]) }
        var text = tally.text.replacingOccurrences(of: "\ncounted \(tally.counts["counted"] ?? 0)\n", with: "\ncounted 99\n")
        #expect(throws: NoteError.self) { try Tally(text: text).recount(from: bundle, leaves: order) }
        text = tally.text.replacingOccurrences(of: "checkpoint 1 \(tally.checkpoint.size) ", with: "checkpoint 1 \(tally.checkpoint.size + 1) ")
        #expect(throws: NoteError.self) { try Tally(text: text).recount(from: bundle, leaves: nil) }
    }
}

@Suite("Witnessing")
struct WitnessTests {
    /// HQ with a campaign, and an observer made from its bundle standing in for a laptop (the
    /// witness logic needs the ledger and a key, not a role).
    struct Pair {
        let dir: TempDir
        let hq: LedgerNode
        let witness: LedgerNode

        init() throws {
            dir = try TempDir()
            hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Witnessed")
            try hq.publish(sampleCampaign("c1"))
            let bundle = try hq.exportBundle(to: dir.file("hq.bundle"))
            (witness, _) = try LedgerNode.createObserver(at: dir.file("witness"), bundle: bundle)
        }

        func signAtHQ(_ count: Int) throws {
            for index in 0..<count { _ = try hq.sign(campaign: "c1", signer: SignerDetails(name: "Signer", email: "s\(index)-\(UUID().uuidString.prefix(6))@example.org")) }
        }

        /// One witnessing round: ask HQ, check, cosign at HQ. Returns the outcome.
        @discardableResult
        func round(now: UInt64 = 1_800_000_000) throws -> LedgerNode.WitnessOutcome {
            let held = try witness.witnessedCheckpoint()
            let answer = try hq.answerWitness(WitnessRequest(checkpoint: held))
            let (outcome, line) = try witness.witness(answer, held: held, now: now)
            if let line {
                _ = try hq.acceptCosignature(CosignRequest(checkpoint: try SignedNote(parsing: answer.checkpoint).text, cosignature: line),
                                             from: witness.key.publicKey)
            }
            return outcome
        }
    }

    @Test("a witness checks each new checkpoint against the last and cosigns it; HQ serves the cosignature")
    func consistentRounds() throws {
        let pair = try Pair()
        defer { pair.dir.remove() }
        #expect(try pair.round() == .cosigned(epoch: 1, size: 2))
        try pair.signAtHQ(3)
        #expect(try pair.round() == .cosigned(epoch: 1, size: 5))
        let served = try SignedNote(parsing: try pair.hq.servedCheckpoint())
        let witnessKey = Checkpoint.witnessKey(ledger: try pair.hq.ledgerID, device: pair.witness.key.publicKey)
        let line = try #require(try served.verifiedSignature(by: witnessKey))
        #expect(NoteVerifierKey.cosignatureTime(line) == 1_800_000_000)
        #expect(try served.verifiedSignature(by: try pair.hq.checkpointKey()) != nil)
        let state = try pair.witness.witnessState()
        #expect(state.size == 5 && state.epoch == 1 && state.alarm == nil && state.epochChanges.isEmpty)
        // A cosignature by another key than the sender's, or of a checkpoint HQ never signed, is refused.
        let stranger = SigningKey()
        let text = served.text
        let forgedLine = try Checkpoint.witnessKey(ledger: try pair.hq.ledgerID, device: stranger.publicKey).sign(text, with: stranger, time: 1).line
        #expect(throws: SyncError.self) { try pair.hq.acceptCosignature(CosignRequest(checkpoint: text, cosignature: forgedLine), from: pair.witness.key.publicKey) }
        let unsigned = Checkpoint(ledger: try pair.hq.ledgerID, epoch: 1, size: 4, root: Digest.sha256([4]))
        let ownLine = try witnessKey.sign(unsigned.text, with: pair.witness.key, time: 1).line
        #expect(throws: SyncError.self) { try pair.hq.acceptCosignature(CosignRequest(checkpoint: unsigned.text, cosignature: ownLine), from: pair.witness.key.publicKey) }
    }

    @Test("a checkpoint that does not extend the last one raises a lasting alarm and is not cosigned")
    func rewrittenHistory() throws {
        let pair = try Pair()
        defer { pair.dir.remove() }
        try pair.signAtHQ(2)
        try pair.round()
        let before = try pair.witness.witnessedCheckpoint()
        // HQ's key signs a history of the same epoch that is not an extension (a split view).
        let ledger = try pair.hq.ledgerID
        let forged = Checkpoint(ledger: ledger, epoch: 1, size: 9, root: Digest.sha256([9]))
        let key = try pair.hq.checkpointKey()
        let note = SignedNote(text: forged.text, signatures: [try key.sign(forged.text, with: pair.hq.key)]).serialized
        let (outcome, line) = try pair.witness.witness(WitnessResponse(checkpoint: note, consistency: []), held: before, now: 1)
        guard case .alarm(let why) = outcome else { Issue.record("no alarm: \(outcome)"); return }
        #expect(why.contains("does not extend"))
        #expect(line == nil)
        #expect(try pair.witness.witnessedCheckpoint() == before)
        #expect(try pair.witness.witnessState().alarm == why)
        // Going back an epoch is an alarm too; the first alarm stays.
        let back = Checkpoint(ledger: ledger, epoch: 1, size: 1, root: Digest.sha256([1]))
        let epochTwo = Checkpoint(ledger: ledger, epoch: 2, size: 4, root: try pair.hq.store.treeRoot(size: 4))
        let two = SignedNote(text: epochTwo.text, signatures: [try key.sign(epochTwo.text, with: pair.hq.key)]).serialized
        let backNote = SignedNote(text: back.text, signatures: [try key.sign(back.text, with: pair.hq.key)]).serialized
        guard case .alarm = try pair.witness.witness(WitnessResponse(checkpoint: backNote, consistency: []), held: two, now: 1).0 else {
            Issue.record("no alarm for an older epoch")
            return
        }
        #expect(try pair.witness.witnessState().alarm == why)
        // A note not signed by HQ is no checkpoint at all.
        let stranger = SigningKey()
        let strangerNote = SignedNote(text: forged.text, signatures: [try Checkpoint.verifierKey(ledger: ledger, hq: stranger.publicKey).sign(forged.text, with: stranger)]).serialized
        #expect(throws: NoteError.self) { try pair.witness.witness(WitnessResponse(checkpoint: strangerNote, consistency: []), held: before, now: 1) }
    }

    @Test("an alarm keeps HQ's two signed checkpoints as evidence; acknowledging it records where the evidence went and the next round starts afresh")
    func acknowledgedAlarm() throws {
        let pair = try Pair()
        defer { pair.dir.remove() }
        #expect(throws: NodeError.self) { try pair.witness.acknowledgeWitnessAlarm(evidenceFile: "/tmp/e.json", now: 1) }
        #expect(try pair.witness.witnessEvidence() == nil)
        try pair.signAtHQ(2)
        try pair.round()
        let before = try pair.witness.witnessedCheckpoint()
        let ledger = try pair.hq.ledgerID
        let key = try pair.hq.checkpointKey()
        let forged = Checkpoint(ledger: ledger, epoch: 1, size: 9, root: Digest.sha256([9]))
        let note = SignedNote(text: forged.text, signatures: [try key.sign(forged.text, with: pair.hq.key)]).serialized
        let proof = [Data(Digest.sha256([1]).bytes).base64EncodedString()]
        guard case .alarm(let why) = try pair.witness.witness(WitnessResponse(checkpoint: note, consistency: proof), held: before, now: 1_800_000_000).0 else {
            Issue.record("no alarm")
            return
        }
        let evidence = try #require(try pair.witness.witnessEvidence())
        #expect(evidence.reason == why && evidence.ledger == ledger.hex && evidence.time == "2027-01-15T08:00:00.000Z")
        #expect(evidence.held == before && evidence.shown == note && evidence.consistency == proof)
        // Both are HQ's: they verify with its checkpoint key, and do not fit together.
        let held = try Checkpoint.verify(note: try #require(evidence.held), key: key).0
        let shown = try Checkpoint.verify(note: try #require(evidence.shown), key: key).0
        #expect(held.epoch == shown.epoch && !MerkleTree.verifyConsistency(old: held.size, new: shown.size, oldRoot: held.root, newRoot: shown.root,
                                                                             proof: [Digest.sha256([1])]))
        // The independent verifier (tools/verify_transparency.py, from PROTOCOL.md) finds that the
        // evidence holds, written as `ledgerctl witness evidence` writes it.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let file = pair.dir.file("alarm.json")
        try encoder.encode(evidence).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", RepoPaths.root + "/tools/verify_transparency.py", "alarm", file, "--key", key.vkey]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && printed.contains("alarm evidence holds"), "\(printed)")

        // A second alarm leaves the first one's evidence.
        _ = try pair.witness.witness(WitnessResponse(checkpoint: note, consistency: []), held: before, now: 1_900_000_000)
        #expect(try pair.witness.witnessEvidence()?.consistency == proof)

        let line = try pair.witness.acknowledgeWitnessAlarm(evidenceFile: "/media/usb/alarm\n.json", now: 1_800_000_100_000)
        let state = try pair.witness.witnessState()
        #expect(state.alarm == nil && state.acknowledged == [line] && state.size == nil)
        #expect(line.hasPrefix("2027-01-15T08:01:40.000Z") && line.contains("/media/usb/alarm?.json") && line.contains("does not extend"))
        #expect(try pair.witness.witnessEvidence() == nil && pair.witness.witnessedCheckpoint() == nil)
        // The next round takes HQ's newest checkpoint as a first one and cosigns it.
        #expect(try pair.round() == .cosigned(epoch: 1, size: 4))
        #expect(try pair.witness.witnessState().acknowledged == [line])
    }

    @Test("HQ restored from a copy starts a new epoch when a witness shows it a checkpoint it cannot extend; the witness notes it and cosigns")
    func restoredHQ() throws {
        let pair = try Pair()
        defer { pair.dir.remove() }
        try pair.signAtHQ(1)
        try pair.round()
        let backup = pair.dir.file("hq-backup")
        try FileManager.default.copyItem(atPath: pair.dir.file("hq"), toPath: backup)
        try pair.signAtHQ(2)
        try pair.round()  // the witness saw size 5
        let restored = try LedgerNode.open(at: backup)
        _ = try restored.sign(campaign: "c1", signer: SignerDetails(name: "After", email: "after@example.org"))
        let held = try pair.witness.witnessedCheckpoint()
        let answer = try restored.answerWitness(WitnessRequest(checkpoint: held))
        #expect(answer.consistency.isEmpty)
        let (outcome, line) = try pair.witness.witness(answer, held: held, now: 1_800_000_000)
        #expect(outcome == .newEpoch(from: 1, to: 2, size: 4))
        #expect(line != nil)
        #expect(try restored.store.treeEpoch() == 2)
        #expect(try restored.signCheckpoint().checkpoint.origin.hasSuffix("/2"))
        let state = try pair.witness.witnessState()
        #expect(state.epoch == 2 && state.alarm == nil && state.epochChanges.count == 1)
        #expect(state.epochChanges.first?.contains("HQ started epoch 2") == true)
        // The next round in epoch 2 is an ordinary one.
        _ = try restored.sign(campaign: "c1", signer: SignerDetails(name: "Later", email: "later@example.org"))
        let next = try restored.answerWitness(WitnessRequest(checkpoint: try pair.witness.witnessedCheckpoint()))
        #expect(try pair.witness.witness(next, held: try pair.witness.witnessedCheckpoint(), now: 1).0 == .cosigned(epoch: 2, size: 5))
        // HQ's own checkpoint at the last epoch number: refused, never an overflow.
        let last = Checkpoint(ledger: try restored.ledgerID, epoch: Int(Int64.max), size: 1, root: Digest.sha256([7]))
        let lastNote = SignedNote(text: last.text, signatures: [try restored.checkpointKey().sign(last.text, with: restored.key)]).serialized
        #expect(throws: SyncError.self) { try restored.answerWitness(WitnessRequest(checkpoint: lastNote)) }
        // A checkpoint sent that HQ did not sign is refused.
        #expect(throws: SyncError.self) { try restored.answerWitness(WitnessRequest(checkpoint: "not a note\n")) }
    }
}
