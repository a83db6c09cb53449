/// Erasure (docs/PRIVACY.md, "Erasure"): HQ's root key writes `payload.erased`, and every node
/// the entry reaches deletes the sealed personal data; the entries and the chain stay verifiable.
extension LedgerNode {
    /// True on HQ's node (its key is the root key), the only one that erases.
    var isRootHQ: Bool { role == .hq && key.publicKey == store.hqKey }

    /// Writes `payload.erased` for every signature whose valid withdrawal asks for erasure and
    /// whose payload is not erased yet (HQ only; elsewhere it does nothing). ledgerd calls it after
    /// every push it receives; `ledgerctl` after an import or a sync.
    /// What is due is read inside the write transaction, so two passes at once (two pushes
    /// arriving together) erase each payload once.
    @discardableResult
    public func eraseDue() throws -> [Entry] {
        guard isRootHQ else { return [] }
        return try store.appendBatch(signer: key) {
            try store.signaturesToErase().map { signature, payload in
                try Appendable(PayloadErased(signature: signature.hex, payload: payload.hex, reason: "signer request"))
            }
        }
    }

    /// Erases the personal data of the signature a receipt code belongs to, and withdraws it
    /// (HQ only: on a request the signer made with the code). Returns the entries written.
    @discardableResult
    public func erase(receipt: ReceiptCode, reason: String?) throws -> [Entry] {
        guard isRootHQ else { throw NodeError.notHQ(operation: "erase personal data") }
        guard let signature = try store.signatures(receiptHash: receipt.hash(ledger: try ledgerID).bytes).first else {
            throw NodeError.unknownReceipt
        }
        return try erase([signature.id], reason: reason, receipt: receipt)
    }

    /// Erases the personal data of every signature an e-mail address made (in one campaign, or in
    /// all), and withdraws them (HQ only: it alone holds the key that matches an address to the
    /// signer references). Returns the entries written; none when the address signed nothing.
    @discardableResult
    public func erase(email: String, campaign: String? = nil, reason: String?) throws -> [Entry] {
        guard isRootHQ else { throw NodeError.notHQ(operation: "erase personal data") }
        let details = SignerDetails(name: "-", email: email)
        guard details.problems.allSatisfy({ $0.field != "email" }) else {
            throw NodeError.invalidSigner(field: "email", reason: "is not a valid e-mail address")
        }
        let key = try pseudonymKey()
        var ids: [Digest] = []
        for summary in try store.campaigns() where campaign == nil || summary.campaign == campaign {
            let reference = details.pseudonym(key: key, campaign: summary.campaign)
            ids += try store.signatures(campaign: summary.campaign, signer: reference.bytes)
        }
        return try erase(ids, reason: reason, receipt: nil)
    }

    private func erase(_ signatures: [Digest], reason: String?, receipt: ReceiptCode?) throws -> [Entry] {
        // Composed inside the write transaction: a pass erasing at the same time (a push's, or
        // ledgerd's while this runs in ledgerctl) writes nothing twice.
        try store.appendBatch(signer: key) {
            var items: [Appendable] = []
            for id in signatures {
                guard let entry = try store.entry(id: id) ?? store.forkEntries().first(where: { $0.id == id }), let payload = entry.payloadDigest else { continue }
                let state = try store.signatureState(id)
                if state != "withdrawn" {
                    items.append(try Appendable(SignatureWithdrawn(signature: id.hex, receipt: receipt?.symbols, reason: receipt == nil ? (reason ?? "erasure request") : nil, erase: true)))
                }
                if try !store.isErasedLocked(payload) {
                    items.append(try Appendable(PayloadErased(signature: id.hex, payload: payload.hex, reason: reason ?? "signer request")))
                }
            }
            return items
        }
    }
}

extension LedgerStore {
    /// Signatures with a valid withdrawal that asks for erasure, whose payload is not erased yet.
    func signaturesToErase() throws -> [(Digest, Digest)] {
        try locked {
            // From the withdrawals that ask for erasure to their signatures, not the other way:
            // `ledgerd` runs this after every push it receives, and a pass over every signature
            // (with a test per row) cost HQ seconds per push at ten million signatures.
            let statement = try connection.statement("""
                SELECT s.id, s.payload FROM signatures s
                WHERE s.rowid IN (SELECT t.rowid FROM withdrawals w JOIN signatures t ON \(ReadModelSchema.signatureLookup("t", id: "w.signature"))
                                  WHERE w.valid = 1 AND w.erase = 1)
                  AND s.erased = 0 AND length(s.payload) = 32
                ORDER BY s.hlc_wall, s.hlc_counter, s.author, s.sequence
                """)
            defer { statement.reset() }
            var out: [(Digest, Digest)] = []
            while try statement.step() {
                if let id = Digest(statement.blob(0)), let payload = Digest(statement.blob(1)) { out.append((id, payload)) }
            }
            return out
        }
    }

    /// Ids of the signatures of one signer reference in a campaign.
    func signatures(campaign: String, signer: [UInt8]) throws -> [Digest] {
        try locked {
            let statement = try connection.statement("SELECT id FROM signatures s WHERE \(ReadModelSchema.signerLookup("s", campaign: "?1", signer: "?2")) ORDER BY hlc_wall, hlc_counter, author, sequence")
            statement.bind(1, campaign)
            statement.bind(2, signer)
            defer { statement.reset() }
            var out: [Digest] = []
            while try statement.step() { if let id = Digest(statement.blob(0)) { out.append(id) } }
            return out
        }
    }

    /// A signature's state, nil when unknown.
    func signatureState(_ id: Digest) throws -> String? {
        try locked {
            let statement = try connection.statement("SELECT state FROM signatures WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
            statement.bind(1, id.bytes)
            defer { statement.reset() }
            return try statement.step() ? statement.text(0) : nil
        }
    }

    /// True when this payload digest was erased.
    func isErasedLocked(_ digest: Digest) throws -> Bool {
        try locked { try isErased(digest) }
    }

    /// True when the signature's personal data was erased (an authorised `payload.erased`).
    public func isErased(signature id: Digest) throws -> Bool {
        try reading { db in
            let statement = try db.statement("SELECT erased FROM signatures WHERE \(ReadModelSchema.signatureLookup("signatures", id: "?1"))")
            statement.bind(1, id.bytes)
            defer { statement.reset() }
            return try statement.step() && statement.int64(0) == 1
        }
    }
}
