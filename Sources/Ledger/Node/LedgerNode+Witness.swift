import Foundation

/// Witnessing (docs/PROTOCOL.md, "Witnessing"): every laptop remembers the newest checkpoint of
/// HQ's it has checked; at each sync with HQ it asks for a consistency proof to HQ's newest one,
/// refuses a rewritten history (a lasting alarm in `status`), and cosigns what it checked.
extension LedgerNode {
    static let witnessedSetting = "witness.checkpoint"
    static let witnessAlarmSetting = "witness.alarm"
    static let witnessEpochSetting = "witness.epochs"
    static let witnessEvidenceSetting = "witness.evidence"
    static let witnessAcknowledgedSetting = "witness.acknowledged"

    /// What a laptop keeps when it raises a witness alarm (docs/PROTOCOL.md, "Witness alarms"):
    /// the checkpoint it held and the one HQ then showed, both as HQ signed them, and the
    /// consistency proof HQ sent. Both notes verify with HQ's checkpoint key, so anyone holding
    /// that key (published, in the delivery pack) can check that HQ signed both; the entries of
    /// the ledger then show which history HQ left. Written out by `ledgerctl witness evidence`.
    public struct WitnessEvidence: Codable, Sendable, Equatable {
        /// Why the alarm was raised, as `status` shows it.
        public var reason: String
        /// When (ISO 8601, UTC).
        public var time: String
        /// The ledger id (hex).
        public var ledger: String
        /// The checkpoint this laptop held, signed by HQ; nil when it held none.
        public var held: String?
        /// The checkpoint HQ showed, signed by HQ; nil for an alarm raised by a version that did not keep it.
        public var shown: String?
        /// The consistency proof HQ sent with it, base64 hashes as in the protocol.
        public var consistency: [String]
    }

    /// What this node has witnessed of HQ's checkpoints.
    public struct WitnessState: Codable, Sendable, Equatable {
        /// The newest checkpoint checked: epoch, size, root (hex); nil before the first.
        public var epoch: Int?
        public var size: Int?
        public var root: String?
        /// A rewritten history HQ showed: why it was refused. Cleared by no sync; only by the
        /// organisers' decision (``LedgerNode/acknowledgeWitnessAlarm(evidenceFile:now:)``).
        public var alarm: String?
        /// Epoch changes seen, one line each.
        public var epochChanges: [String]
        /// Alarms the organisers acknowledged (``LedgerNode/acknowledgeWitnessAlarm(evidenceFile:now:)``), one line each.
        public var acknowledged: [String] = []
    }

    public func witnessState() throws -> WitnessState {
        var state = WitnessState(epochChanges: [])
        if let note = try store.setting(Self.witnessedSetting), let checkpoint = try? Checkpoint(text: SignedNote(parsing: note).text) {
            state.epoch = checkpoint.epoch
            state.size = checkpoint.size
            state.root = checkpoint.root.hex
        }
        state.alarm = try store.setting(Self.witnessAlarmSetting)
        state.epochChanges = (try store.setting(Self.witnessEpochSetting) ?? "").split(separator: "\n").map(String.init)
        state.acknowledged = (try store.setting(Self.witnessAcknowledgedSetting) ?? "").split(separator: "\n").map(String.init)
        return state
    }

    /// The evidence of the current witness alarm; nil when there is none. An alarm raised before
    /// laptops kept evidence gives the reason and the checkpoint held, without the one shown.
    public func witnessEvidence() throws -> WitnessEvidence? {
        guard let alarm = try store.setting(Self.witnessAlarmSetting) else { return nil }
        if let kept = try store.setting(Self.witnessEvidenceSetting),
           let evidence = try? JSONDecoder().decode(WitnessEvidence.self, from: Data(kept.utf8)) {
            return evidence
        }
        return WitnessEvidence(reason: alarm, time: "unknown", ledger: try ledgerID.hex, held: try witnessedCheckpoint(), shown: nil, consistency: [])
    }

    /// The organisers' decision after a witness alarm, once they have looked into it and kept its
    /// evidence (docs/OPERATIONS.md, "Checkpoints and witness alarms"): forgets the alarm, its
    /// evidence and the checkpoint held, so that the next sync takes HQ's newest checkpoint as a
    /// first one, and records a line (shown by `status` from then on) saying when and where the
    /// evidence went. Throws when there is no alarm.
    @discardableResult
    public func acknowledgeWitnessAlarm(evidenceFile: String, now: UInt64) throws -> String {
        guard let alarm = try store.setting(Self.witnessAlarmSetting) else {
            throw NodeError.ambiguous("there is no witness alarm to acknowledge ('ledgerctl status' shows one when there is)")
        }
        // One line each in the setting: a file name holding a line break must not make two.
        let file = String(String.UnicodeScalarView(evidenceFile.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        let line = "\(Timestamps.iso8601(millis: now)): the organisers acknowledged a witness alarm (\(alarm.prefix(120))...); its evidence was written to \(file); the next sync starts from HQ's newest checkpoint"
        let earlier = try store.setting(Self.witnessAcknowledgedSetting).map { $0 + "\n" } ?? ""
        try store.setSetting(Self.witnessAcknowledgedSetting, earlier + line)
        try store.removeSetting(Self.witnessAlarmSetting)
        try store.removeSetting(Self.witnessEvidenceSetting)
        try store.removeSetting(Self.witnessedSetting)
        return line
    }

    // MARK: - HQ

    /// HQ's answer to a witness: the newest checkpoint and the consistency proof from the one the
    /// witness holds. When that one is HQ's own (it verifies) but HQ's tree no longer extends it,
    /// HQ lost history (a restored backup): it starts a new epoch, and says so by its origin.
    public func answerWitness(_ request: WitnessRequest) throws -> WitnessResponse {
        guard isRootHQ, store.keepsMerkleTree else { throw NodeError.notHQ(operation: "answer witnesses") }
        var seen: Checkpoint?
        if let old = request.checkpoint {
            do {
                seen = try Checkpoint.verify(note: old, key: try checkpointKey()).0
            } catch let error as NoteError {
                throw SyncError.badRequest("the checkpoint sent is not one of HQ's: \(error)")
            }
        }
        if let seen {
            let epoch = try store.treeEpoch()
            let size = try store.treeSize()
            let extendable = try seen.epoch == epoch && seen.size <= size && store.treeRoot(size: seen.size) == seen.root
            // HQ signed it and cannot extend it: the history since was lost. (HQ signs only the
            // epochs it reached, so the last epoch number is never one it holds.)
            if !extendable && seen.epoch >= epoch {
                guard seen.epoch < Int(Int64.max) else { throw SyncError.badRequest("the checkpoint's epoch is the last one") }
                try store.startEpoch(seen.epoch + 1)
            }
        }
        let (checkpoint, note) = try signCheckpoint()
        var consistency: [Digest] = []
        if let seen, seen.epoch == checkpoint.epoch, seen.size <= checkpoint.size {
            consistency = try store.consistencyProof(old: seen.size, new: checkpoint.size)
        }
        return WitnessResponse(checkpoint: note, consistency: consistency.map { Data($0.bytes).base64EncodedString() })
    }

    /// Stores a witness's cosignature of a checkpoint HQ signed. `device` is the authenticated sender.
    public func acceptCosignature(_ request: CosignRequest, from device: PublicKey) throws -> CosignResponse {
        guard isRootHQ, store.keepsMerkleTree else { throw NodeError.notHQ(operation: "store cosignatures") }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(text: request.checkpoint)
        } catch {
            throw SyncError.badRequest("the checkpoint text is malformed")
        }
        guard checkpoint.ledger == (try ledgerID), let stored = try store.checkpointNote(epoch: checkpoint.epoch, size: checkpoint.size),
              try SignedNote(parsing: stored).text == request.checkpoint
        else { throw SyncError.badRequest("HQ never signed this checkpoint") }
        let key = Checkpoint.witnessKey(ledger: checkpoint.ledger, device: device)
        let line = request.cosignature.hasSuffix("\n") ? request.cosignature : request.cosignature + "\n"
        let note: SignedNote
        do {
            note = try SignedNote(parsing: request.checkpoint + "\n" + line)
        } catch {
            throw SyncError.badRequest("the cosignature is not one signature line")
        }
        guard note.signatures.count == 1, let signature = try? note.verifiedSignature(by: key), let time = NoteVerifierKey.cosignatureTime(signature) else {
            throw SyncError.badRequest("the cosignature is not the sender's valid cosignature of this checkpoint")
        }
        try store.storeCosignature(epoch: checkpoint.epoch, size: checkpoint.size, witness: device, time: time, line: signature.line)
        return CosignResponse(stored: true)
    }

    // MARK: - Witness

    /// What witnessing one checkpoint did.
    public enum WitnessOutcome: Sendable, Equatable {
        /// Checked (consistent with the one held, or the first) and cosigned.
        case cosigned(epoch: Int, size: Int)
        /// HQ started a new epoch; recorded as a notice, then cosigned.
        case newEpoch(from: Int, to: Int, size: Int)
        /// HQ showed a history inconsistent with one it showed before: refused, alarm recorded.
        case alarm(String)
    }

    /// Checks HQ's answer against the checkpoint this node holds; on success remembers the new
    /// one and returns the cosignature line to send. On a rewritten history records the alarm.
    public func witness(_ response: WitnessResponse, held: String?, now: UInt64) throws -> (WitnessOutcome, cosignature: String?) {
        let key = try checkpointKey()
        let (new, note) = try Checkpoint.verify(note: response.checkpoint, key: key)
        let proof = response.consistency.compactMap { Data(base64Encoded: $0).flatMap(Digest.init) }
        var outcome = WitnessOutcome.cosigned(epoch: new.epoch, size: new.size)
        if let held, let (old, _) = try? Checkpoint.verify(note: held, key: key) {
            let describe = { (c: Checkpoint) in "epoch \(c.epoch), size \(c.size), root \(c.root.short)" }
            if new.epoch == old.epoch {
                guard proof.count == response.consistency.count, new.size >= old.size,
                      MerkleTree.verifyConsistency(old: old.size, new: new.size, oldRoot: old.root, newRoot: new.root, proof: proof)
                else {
                    let why = "HQ showed a checkpoint (\(describe(new))) that does not extend the one it showed before (\(describe(old))): "
                        + "HQ's history was rewritten, or HQ shows different histories to different laptops. This laptop did not cosign it; keep its data folder and tell the organisers"
                    try recordAlarm(why, held: held, response: response, now: now)
                    return (.alarm(why), nil)
                }
            } else if new.epoch < old.epoch {
                let why = "HQ showed a checkpoint of epoch \(new.epoch) after one of epoch \(old.epoch): HQ went back to an older history. This laptop did not cosign it; keep its data folder and tell the organisers"
                try recordAlarm(why, held: held, response: response, now: now)
                return (.alarm(why), nil)
            } else {
                outcome = .newEpoch(from: old.epoch, to: new.epoch, size: new.size)
                let line = "\(Timestamps.iso8601(millis: now * 1000)): HQ started epoch \(new.epoch); the history it showed before (\(describe(old))) was not extended (HQ restored from a backup?)"
                let earlier = try store.setting(Self.witnessEpochSetting).map { $0 + "\n" } ?? ""
                try store.setSetting(Self.witnessEpochSetting, earlier + line)
            }
        }
        try store.setSetting(Self.witnessedSetting, SignedNote(text: note.text, signatures: note.signatures.filter { $0.keyName == key.name }).serialized)
        let cosignature = try Checkpoint.witnessKey(ledger: new.ledger, device: self.key.publicKey).sign(note.text, with: self.key, time: now)
        return (outcome, cosignature.line)
    }

    /// Records the first alarm and its evidence; a later alarm leaves both as they are.
    private func recordAlarm(_ why: String, held: String, response: WitnessResponse, now: UInt64) throws {
        guard try store.setting(Self.witnessAlarmSetting) == nil else { return }
        let evidence = WitnessEvidence(reason: why, time: Timestamps.iso8601(millis: now * 1000), ledger: try ledgerID.hex,
                                       held: held, shown: response.checkpoint, consistency: response.consistency)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try store.setSetting(Self.witnessEvidenceSetting, String(decoding: try encoder.encode(evidence), as: UTF8.self))
        try store.setSetting(Self.witnessAlarmSetting, why)
    }

    /// The checkpoint this node last checked, as HQ signed it; nil before the first.
    public func witnessedCheckpoint() throws -> String? {
        try store.setting(Self.witnessedSetting)
    }
}
