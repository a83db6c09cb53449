/// Signer references made where the payload can be opened (docs/PRIVACY.md, "The pseudonymous
/// signer reference"): field laptops record signatures without one and hold no pseudonym key;
/// HQ opens each sealed payload, computes the reference and records it in `signer.referenced`.
extension LedgerNode {
    /// Records the signer reference of every signature that has none yet and whose payload HQ
    /// holds (HQ only; elsewhere it does nothing). ledgerd calls it after every push it receives
    /// (entries or payloads); `ledgerctl` after a sync or an import. Returns the entries written.
    @discardableResult
    public func referenceDue() throws -> [Entry] {
        guard isRootHQ, let key = try heldPseudonymKey(), let sealing = try sealingPrivateKey() else { return [] }
        let ledger = try ledgerID
        var references: [SignerReferenced.Reference] = []
        for (signature, campaign, payloadDigest) in try store.signaturesWithoutSigner() {
            // A payload that does not open is left alone (it stays unchecked, and verify reports
            // a digest mismatch if there is one); nothing of its content is logged.
            guard let sealed = try store.payload(digest: payloadDigest),
                  let clear = try? Sealing.open(sealed, with: sealing, ledger: ledger),
                  let details = try? CanonicalJSON.decode(SignerDetails.self, from: clear) else { continue }
            references.append(.init(signature: signature.hex, signer: details.pseudonym(key: key, campaign: campaign).hex))
        }
        guard !references.isEmpty else { return [] }
        let batches = references.sorted { $0.signature < $1.signature }.chunked(into: SignerReferenced.maxReferences)
        return try store.appendBatch(try batches.map { try Appendable(SignerReferenced(references: $0)) }, signer: self.key)
    }

    /// What HQ does after entries or payloads arrived: erasures asked for, signer references due.
    public func afterArrival() throws {
        try eraseDue()
        try referenceDue()
    }
}

extension LedgerStore {
    /// Authorised signatures with no signer reference yet: id, campaign and payload digest.
    func signaturesWithoutSigner() throws -> [(Digest, String, Digest)] {
        try locked {
            let statement = try connection.statement("""
                SELECT id, campaign, payload FROM signatures WHERE signer IS NULL AND erased = 0 AND length(payload) = 32
                ORDER BY id
                """)
            defer { statement.reset() }
            var out: [(Digest, String, Digest)] = []
            while try statement.step() {
                if let id = Digest(statement.blob(0)), let payload = Digest(statement.blob(2)) { out.append((id, statement.text(1), payload)) }
            }
            return out
        }
    }
}
