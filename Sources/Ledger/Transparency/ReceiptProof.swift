import Foundation

/// A receipt proof (docs/FORMAT.md section 11, "Receipt proofs"): a `signature.recorded` entry,
/// its inclusion proof and the signed checkpoint it is included in. It proves, to anyone holding
/// HQ's checkpoint key, that the signature was recorded and is in HQ's signed history.
///
/// For example:
/// ```swift
/// let proof = try ReceiptProof(json: bytes)
/// let checked = try proof.verify(key: hqKey, code: ReceiptCode(parsing: "7K2M-..."))
/// ```
public struct ReceiptProof: Codable, Sendable, Equatable {
    public static let kind = "ledger-receipt-proof"

    public var proof: String
    public var version: Int
    public var ledger: String
    /// HQ's checkpoint verifier key (informational: a verifier uses a key it trusts).
    public var key: String
    /// The entry bytes, base64.
    public var entry: String
    public var leaf: Int
    /// The inclusion proof's hashes, base64.
    public var inclusion: [String]
    /// The signed checkpoint note.
    public var checkpoint: String

    public init(ledger: Digest, key: NoteVerifierKey, entry: Entry, leaf: Int, inclusion: [Digest], checkpoint: String) {
        proof = Self.kind
        version = 1
        self.ledger = ledger.hex
        self.key = key.vkey
        self.entry = Data(entry.bytes).base64EncodedString()
        self.leaf = leaf
        self.inclusion = inclusion.map { Data($0.bytes).base64EncodedString() }
        self.checkpoint = checkpoint
    }

    /// Reads a proof file: strict JSON (no repeated member), the members above.
    public init(json bytes: [UInt8]) throws {
        do {
            self = try StrictJSON.decode(ReceiptProof.self, from: bytes)
        } catch let error as StrictJSON.Failure {
            throw NoteError.malformed("not a receipt proof: \(error)")
        } catch {
            throw NoteError.malformed("not a receipt proof (expected the members proof, version, ledger, key, entry, leaf, inclusion, checkpoint)")
        }
        guard proof == Self.kind, version == 1 else { throw NoteError.malformed("not a '\(Self.kind)' of version 1") }
        // Exactly the canonical form `encoded()` writes: no other member, no other spelling (as
        // bundles, section 9: one file must not read differently to different verifiers).
        guard try encoded() == Array(bytes) else {
            throw NoteError.malformed("a receipt proof is canonical JSON with exactly its eight members and a final newline")
        }
    }

    /// The canonical JSON of the proof, with a final newline.
    public func encoded() throws -> [UInt8] { try CanonicalJSON.encode(self) + [0x0A] }

    /// What a verified proof shows.
    public struct Verified: Sendable, Equatable {
        public let entry: Entry
        public let body: SignatureRecorded
        public let checkpoint: Checkpoint
    }

    /// Checks the proof with HQ's checkpoint key `key` (and, given, the receipt code): the
    /// entry's signature, type and ledger; the code's receipt hash; the checkpoint's signature;
    /// the inclusion of the entry's leaf in the checkpoint's tree. Throws ``NoteError`` naming
    /// the first check that fails.
    public func verify(key: NoteVerifierKey, code: ReceiptCode? = nil) throws -> Verified {
        guard let raw = Data(base64Encoded: entry), let entry = try? Entry(bytes: Array(raw)) else {
            throw NoteError.malformed("the entry is not base64 of an entry")
        }
        guard EntryVerifier.checkSignature(entry) == nil else { throw NoteError.badSignature("the entry's author") }
        guard entry.type == EventType.signatureRecorded.rawValue, let body = try? entry.decodeBody(SignatureRecorded.self) else {
            throw NoteError.malformed("the entry is not a signature.recorded entry")
        }
        let (checkpoint, _) = try Checkpoint.verify(note: self.checkpoint, key: key)
        guard entry.ledger == checkpoint.ledger, ledger == checkpoint.ledger.hex else {
            throw NoteError.wrongLog(expected: checkpoint.ledger.short, found: entry.ledger.short)
        }
        if let code, body.receiptHash != code.hash(ledger: checkpoint.ledger).hex {
            throw NoteError.inconsistent("the receipt code does not belong to this signature")
        }
        let hashes = inclusion.compactMap { Data(base64Encoded: $0).flatMap(Digest.init) }
        guard hashes.count == inclusion.count,
              MerkleTree.verifyInclusion(leaf: MerkleTree.leafHash(entry.bytes), index: leaf, size: checkpoint.size, proof: hashes, root: checkpoint.root)
        else { throw NoteError.inconsistent("the inclusion proof does not lead to the checkpoint's root") }
        return Verified(entry: entry, body: body, checkpoint: checkpoint)
    }
}
