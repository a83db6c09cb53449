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
        // The payloads were opened outside the writer lock (the slow part); inside the write
        // transaction only the signatures that still have no reference and are not erased keep
        // theirs, so two passes at once (two pushes arriving together) write each reference once.
        return try store.appendBatch(signer: self.key) {
            let due = try store.withoutSigner(references.map(\.signature))
            let batches = references.filter { due.contains($0.signature) }.sorted { $0.signature < $1.signature }.chunked(into: SignerReferenced.maxReferences)
            return try batches.map { try Appendable(SignerReferenced(references: $0)) }
        }
    }

    /// What HQ does after entries or payloads arrived: erasures asked for, signer references due.
    /// Returns the entries written.
    @discardableResult
    public func afterArrival() throws -> [Entry] {
        try eraseDue() + referenceDue()
    }
}

extension LedgerStore {
    /// Of the signatures `ids` (hex), those that have no signer reference and are not erased.
    func withoutSigner(_ ids: [String]) throws -> Set<String> {
        try locked {
            let statement = try connection.statement("""
                SELECT 1 FROM signatures s WHERE \(ReadModelSchema.signatureLookup("s", id: "?1")) AND s.signer IS NULL AND s.erased = 0
                """)
            var out: Set<String> = []
            for id in ids {
                guard let digest = Digest(hex: id) else { continue }
                statement.bind(1, digest.bytes)
                defer { statement.reset() }
                if try statement.step() { out.insert(id) }
            }
            return out
        }
    }

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
