import Foundation

/// HQ's side of transparency (docs/FORMAT.md section 11): signed checkpoints of its Merkle tree,
/// the cosignatures witnesses sent, and receipt proofs.
extension LedgerNode {
    /// HQ's checkpoint verifier key, which anyone can use to check checkpoints and receipt proofs.
    public func checkpointKey() throws -> NoteVerifierKey {
        guard let hq = store.hqKey else { throw StoreError.notInitialised(path: store.path) }
        return Checkpoint.verifierKey(ledger: try ledgerID, hq: hq)
    }

    /// A signed checkpoint of the tree as it is now (HQ only). A checkpoint of a size already
    /// signed in this epoch is the stored one, so every caller sees one note per size.
    public func signCheckpoint() throws -> (checkpoint: Checkpoint, note: String) {
        guard isRootHQ, store.keepsMerkleTree else { throw NodeError.notHQ(operation: "sign checkpoints") }
        let ledger = try ledgerID
        let epoch = try store.treeEpoch()
        let size = try store.treeSize()
        let root = try store.treeRoot(size: size)
        let checkpoint = Checkpoint(ledger: ledger, epoch: epoch, size: size, root: root)
        if let stored = try store.checkpointNote(epoch: epoch, size: size) { return (checkpoint, stored) }
        let key = try checkpointKey()
        let note = SignedNote(text: checkpoint.text, signatures: [try key.sign(checkpoint.text, with: self.key)]).serialized
        try store.storeCheckpoint(epoch: epoch, size: size, root: root, note: note)
        return (checkpoint, try store.checkpointNote(epoch: epoch, size: size) ?? note)
    }

    /// The checkpoint HQ serves (`GET /checkpoint`, `ledgerctl checkpoint`): the newest signed
    /// checkpoint with every cosignature witnesses sent for it appended.
    public func servedCheckpoint() throws -> String {
        let (checkpoint, note) = try signCheckpoint()
        let lines = try store.cosignatureLines(epoch: checkpoint.epoch, size: checkpoint.size)
        return note + lines.prefix(Self.maximumServedCosignatures).joined()
    }

    /// The most cosignature lines HQ serves with a checkpoint: with HQ's own line, the 100
    /// signatures Go's note package (and so most tlog tools) accepts. All are stored.
    public static let maximumServedCosignatures = 99

    /// The receipt proof of the signature a receipt code belongs to (HQ only), at the newest
    /// checkpoint.
    public func receiptProof(for code: ReceiptCode) throws -> ReceiptProof {
        guard isRootHQ, store.keepsMerkleTree else { throw NodeError.notHQ(operation: "prove receipts") }
        let ledger = try ledgerID
        guard let signature = try store.signatures(receiptHash: code.hash(ledger: ledger).bytes).first,
              let entry = try store.heldEntry(id: signature.id), let leaf = try store.leafIndex(of: signature.id)
        else { throw NodeError.unknownReceipt }
        let (checkpoint, note) = try signCheckpoint()
        let inclusion = try store.inclusionProof(index: leaf, size: checkpoint.size)
        return ReceiptProof(ledger: ledger, key: try checkpointKey(), entry: entry, leaf: leaf, inclusion: inclusion, checkpoint: note)
    }
}

/// What "Check my signature" tells the holder of a receipt code, and nothing about anyone else.
public struct ReceiptStatus: Sendable, Equatable {
    /// As shown to the signer: `counted`, `withdrawn`, or `recorded` (in the ledger, not counted
    /// now or not yet: a duplicate, late, not yet checked for duplicates or held in a forked log;
    /// which of these is not said, so the page never tells whether a person had signed before).
    public enum Shown: String, Sendable { case counted, withdrawn, recorded }

    public var campaign: String
    public var shown: Shown
    /// The signer's personal data has been erased.
    public var erased: Bool
    /// This node can give a receipt proof (HQ).
    public var provable: Bool
}

extension LedgerNode {
    /// The status of the signature a receipt code belongs to, or nil when this node holds none.
    public func receiptStatus(_ code: ReceiptCode) throws -> ReceiptStatus? {
        guard let signature = try store.signatures(receiptHash: code.hash(ledger: try ledgerID).bytes).first else { return nil }
        let shown: ReceiptStatus.Shown = switch signature.state {
        case "counted": .counted
        case "withdrawn": .withdrawn
        default: .recorded
        }
        let provable = try isRootHQ && store.keepsMerkleTree && store.leafIndex(of: signature.id) != nil
        return ReceiptStatus(campaign: signature.campaign, shown: shown, erased: try store.isErased(signature: signature.id), provable: provable)
    }
}
