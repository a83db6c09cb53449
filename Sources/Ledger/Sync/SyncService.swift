import Foundation

/// A sync request that cannot be served; ``status`` is the HTTP status to answer with.
public enum SyncError: Error, CustomStringConvertible {
    case unauthorised(AuthError)
    case badRequest(String)
    case rejected(String, EntryFault?)
    case tooLarge(String)
    /// Served only by another kind of node (witnessing is HQ's).
    case notHere(String)

    public var status: Int {
        switch self {
        case .unauthorised(let error): return error.status
        case .badRequest: return 400
        case .rejected: return 422
        case .tooLarge: return 413
        case .notHere: return 404
        }
    }

    public var description: String {
        switch self {
        case .unauthorised(let error): return error.description
        case .badRequest(let why): return why
        case .rejected(let why, _): return why
        case .tooLarge(let why): return why
        case .notHere(let why): return why
        }
    }

    public var problem: ProblemResponse {
        if case .rejected(let why, let fault) = self { return ProblemResponse(error: why, fault: fault) }
        return ProblemResponse(error: description)
    }
}

/// The server side of the sync protocol, without HTTP: ledgerd's controllers map requests onto
/// these calls (docs/PROTOCOL.md). Thread-safe.
public struct SyncService: Sendable {
    public let node: LedgerNode
    public let verifier: RequestVerifier
    public let wallClock: any WallClock
    /// Most bytes of base64 text in one answer of entries or payloads (at least one item is
    /// always sent): answers stay within the request limit, which is what a client reads
    /// (docs/PROTOCOL.md, "Limits"). Smaller in tests.
    public var answerBudget = SyncLimits.maxBodyBytes - 64 * 1024

    public init(node: LedgerNode, verifier: RequestVerifier? = nil, wallClock: any WallClock = SystemClock()) {
        self.node = node
        self.verifier = verifier ?? RequestVerifier(store: node.store)
        self.wallClock = wallClock
    }

    /// Checks a request's signature headers; every sync endpoint calls this first.
    public func authenticate(header: (String) -> String?, method: String, path: String, body: [UInt8]) throws -> RequestVerifier.Sender {
        do {
            return try verifier.verify(
                header: header, method: method, path: path, body: body, ledger: try node.ledgerID,
                policy: try node.store.trustPolicy(), now: wallClock.nowMillis())
        } catch let error as AuthError {
            throw SyncError.unauthorised(error)
        }
    }

    /// `POST /v1/witness` (HQ): the newest checkpoint and a consistency proof from the sender's.
    public func witness(_ request: WitnessRequest) throws -> WitnessResponse {
        guard node.role == .hq, node.store.keepsMerkleTree else { throw SyncError.notHere("this node is not HQ: only HQ answers witnesses") }
        return try node.answerWitness(request)
    }

    /// `POST /v1/witness/cosign` (HQ): stores the sender's cosignature of a checkpoint HQ signed.
    public func cosign(_ request: CosignRequest, from sender: RequestVerifier.Sender) throws -> CosignResponse {
        guard node.role == .hq, node.store.keepsMerkleTree else { throw SyncError.notHere("this node is not HQ: only HQ stores cosignatures") }
        return try node.acceptCosignature(request, from: sender.node)
    }

    /// `GET /v1/heads`
    public func heads() throws -> HeadsResponse {
        HeadsResponse(ledger: try node.ledgerID.hex, heads: try node.store.heads())
    }

    /// `POST /v1/entries/fetch`
    public func fetch(_ request: FetchRequest) throws -> EntryBatch {
        guard request.from.count <= SyncLimits.maxFetchLogs else {
            throw SyncError.tooLarge("at most \(SyncLimits.maxFetchLogs) logs per fetch")
        }
        var limit = min(max(1, request.limit), SyncLimits.maxBatchEntries)
        var answer = Answer(budget: answerBudget)
        var more = false
        logs: for from in request.from {
            guard let author = PublicKey(hex: from.author) else { throw SyncError.badRequest("author \(from.author.prefix(16)) is not a 64-character key") }
            guard from.after <= Entry.maxSequence else {
                throw SyncError.badRequest("after \(from.after) is above 2^63 - 1, the largest sequence number")
            }
            guard limit > 0 else {
                more = true
                break
            }
            let entries = try node.store.entries(author: author, after: from.after, limit: limit + 1)
            if entries.count > limit { more = true }
            for entry in entries.prefix(limit) {
                // Cut at the budget: the client asks again from its new head.
                guard answer.add(entry.bytes) else {
                    more = true
                    break logs
                }
            }
            limit -= min(limit, entries.count)
        }
        return EntryBatch(entries: answer.items, more: more)
    }

    /// Items of an answer in base64, within a byte budget.
    private struct Answer {
        var budget: Int
        var items: [String] = []

        /// Adds `bytes` unless the answer would then pass its budget (the first item always goes).
        mutating func add(_ bytes: [UInt8]) -> Bool {
            let size = SyncLimits.itemBytes(bytes.count)
            guard items.isEmpty || size <= budget else { return false }
            budget -= size
            items.append(Data(bytes).base64EncodedString())
            return true
        }
    }

    /// `POST /v1/entries/chain`: entries of one author from `head` back along their links, newest
    /// first, at most `limit` (capped); none when `head` is not held here.
    public func chain(_ request: ChainRequest) throws -> EntryBatch {
        guard let author = PublicKey(hex: request.author) else { throw SyncError.badRequest("author is not a 64-character key") }
        guard let head = Digest(hex: request.head) else { throw SyncError.badRequest("head is not a 64-character entry id") }
        let limit = min(max(1, request.limit), SyncLimits.maxBatchEntries)
        let entries = try node.store.chain(author: author, from: head, limit: limit)
        var answer = Answer(budget: answerBudget)
        var sent = 0
        for entry in entries {
            guard answer.add(entry.bytes) else { break }
            sent += 1
        }
        let more = (sent < entries.count || entries.count == limit) && (entries.prefix(sent).last?.sequence ?? 1) > 1
        return EntryBatch(entries: answer.items, more: more)
    }

    /// `POST /v1/entries/known`: which of the entry ids asked this node holds.
    public func known(_ request: DigestList) throws -> DigestList {
        guard request.digests.count <= SyncLimits.maxBatchEntries else {
            throw SyncError.tooLarge("at most \(SyncLimits.maxBatchEntries) ids per request")
        }
        var ids: [Digest] = []
        for text in request.digests {
            guard let id = Digest(hex: text) else { throw SyncError.badRequest("id \(text.prefix(16)) is not 64 hex characters") }
            ids.append(id)
        }
        let held = try node.store.held(ids)
        return DigestList(digests: ids.filter { held.contains($0) }.map(\.hex))
    }

    /// `POST /v1/entries`: verifies the batch (fast mode: links, ids, the last signature of each
    /// author's run) and stores it, or refuses it whole.
    public func push(_ batch: EntryBatch) throws -> PushResult {
        guard batch.entries.count <= SyncLimits.maxBatchEntries else {
            throw SyncError.tooLarge("at most \(SyncLimits.maxBatchEntries) entries per batch")
        }
        var entries: [Entry] = []
        for (index, text) in batch.entries.enumerated() {
            guard let raw = Data(base64Encoded: text) else { throw SyncError.badRequest("entry \(index) is not base64") }
            do {
                entries.append(try Entry(bytes: Array(raw)))
            } catch {
                throw SyncError.badRequest("entry \(index) is malformed: \(error)")
            }
        }
        do {
            let report = try node.store.ingest(entries, verification: .fast)
            // At HQ, a withdrawal that asks for erasure is honoured as soon as it arrives.
            if report.added > 0 { try node.afterArrival() }
            return PushResult(added: report.added, known: report.known, forks: report.forks.count, refused: report.refused.count,
                              unauthorised: report.outsideRights.count)
        } catch let error as StoreError {
            if case .rejected(let fault) = error { throw SyncError.rejected(error.description, fault) }
            throw SyncError.rejected(error.description, nil)
        }
    }

    /// `GET /v1/payloads/wanted[?after=DIGEST]`: up to 500 digests, in order, above `after`.
    public func wantedPayloads(after: Digest? = nil) throws -> DigestList {
        DigestList(digests: try node.store.wantedPayloads(after: after, limit: SyncLimits.maxBatchPayloads).map(\.hex))
    }

    /// `POST /v1/payloads/fetch`
    public func fetchPayloads(_ request: DigestList) throws -> PayloadBatch {
        guard request.digests.count <= SyncLimits.maxBatchPayloads else {
            throw SyncError.tooLarge("at most \(SyncLimits.maxBatchPayloads) payloads per batch")
        }
        var digests: [Digest] = []
        for text in request.digests {
            guard let digest = Digest(hex: text) else { throw SyncError.badRequest("digest \(text.prefix(16)) is not 64 hex characters") }
            digests.append(digest)
        }
        // Cut at the budget: the client asks again for the ones it did not get.
        var answer = Answer(budget: answerBudget)
        for digest in digests {
            if let payload = try node.store.payload(digest: digest), !answer.add(payload) { break }
        }
        return PayloadBatch(payloads: answer.items)
    }

    /// `POST /v1/payloads`: each payload must hash to a digest an entry held here names.
    public func pushPayloads(_ batch: PayloadBatch) throws -> PushResult {
        guard batch.payloads.count <= SyncLimits.maxBatchPayloads else {
            throw SyncError.tooLarge("at most \(SyncLimits.maxBatchPayloads) payloads per batch")
        }
        var payloads: [[UInt8]] = []
        for (index, text) in batch.payloads.enumerated() {
            guard let raw = Data(base64Encoded: text) else { throw SyncError.badRequest("payload \(index) is not base64") }
            payloads.append(Array(raw))
        }
        do {
            let report = try node.store.ingest([], payloads: payloads)
            if report.payloadsAdded > 0 { try node.referenceDue() }
            return PushResult(added: report.payloadsAdded, known: payloads.count - report.payloadsAdded - report.payloadsRefused,
                              forks: 0, refused: report.payloadsRefused)
        } catch let error as StoreError {
            throw SyncError.rejected(error.description, nil)
        }
    }
}
