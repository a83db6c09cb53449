import Foundation

/// What one sync with a peer did.
public struct SyncReport: Codable, Sendable, Equatable {
    public var peer: String
    public var pulled = 0
    public var pushed = 0
    public var payloadsIn = 0
    public var payloadsOut = 0
    /// Branch entries of forked logs stored on either side during this sync.
    public var forks = 0
    /// Entries refused over the fork bounds (docs/FORMAT.md section 8, "Forks").
    public var refused = 0
    /// Entries received that are past their author's revocation: kept as evidence, not counted.
    public var unauthorised = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var seconds = 0.0
    /// Entries the peer holds that this node still lacks after the sync (0 when caught up).
    public var lag = 0
    /// Witnessing (docs/PROTOCOL.md, "Witnessing"), when the peer is HQ: the checkpoint checked
    /// and cosigned ("epoch E, size N"), or nil when the peer is not HQ.
    public var witnessed: String?
    /// HQ started a new epoch since this node last witnessed: what it recorded.
    public var epochChange: String?
    /// HQ showed a rewritten history: why this node refused to cosign (also in `status`).
    public var witnessAlarm: String?

    public init(peer: String) {
        self.peer = peer
    }
}

/// Progress of a running sync, for a progress line.
public struct SyncProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
}

/// The client side of the sync protocol (docs/PROTOCOL.md): exchanges heads with one peer, pulls
/// and pushes missing suffixes in batches (HQ's log first), then payloads. Each batch is verified
/// and stored on arrival, so a cut transfer resumes from what was stored.
public final class SyncClient: @unchecked Sendable {
    public let node: LedgerNode
    public let peer: URL
    /// Entries asked for or sent per request (each received batch is one ingest).
    public let batchSize: Int
    private let transport: HTTPTransport
    private let wallClock: any WallClock

    /// The batch size when none is given.
    public static let defaultBatchSize = 1_000

    /// A client for one peer. `batchSize` (at least 1) bounds each request's entries.
    public init(node: LedgerNode, peer: URL, timeout: TimeInterval = 60, batchSize: Int = SyncClient.defaultBatchSize,
                wallClock: any WallClock = SystemClock()) throws {
        self.node = node
        self.peer = peer
        self.batchSize = max(1, batchSize)
        self.wallClock = wallClock
        transport = HTTPTransport(base: peer, key: node.key, ledger: try node.ledgerID, timeout: timeout, wallClock: wallClock,
                                  enrolment: try node.store.enrolment(of: node.key.publicKey))
    }

    /// Runs one full sync. Requests hold no thread while they wait, and the store's work (SQLite)
    /// runs on the ``Blocking`` queue, never on a cooperative thread. Cancelling the calling task
    /// cancels the request in flight and stops the sync before its next step; each batch stored
    /// before that is committed, so the next sync resumes from it.
    public func sync(progress: (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        let started = Date()
        var report = SyncReport(peer: peer.absoluteString)
        let remote = try await transport.get("/v1/heads", as: HeadsResponse.self)
        guard remote.ledger == (try node.ledgerID).hex else { throw PeerError.otherLedger(peer: peer.absoluteString) }
        let hq = try await hqKey(among: remote.heads)
        let remoteHeads = Dictionary(remote.heads.map { ($0.author, $0) }, uniquingKeysWith: { first, _ in first })
        try await pull(remoteHeads, hq: hq, report: &report, progress: progress)
        try await push(remoteHeads, hq: hq, report: &report, progress: progress)
        try await exchangePayloads(report: &report, progress: progress)
        var after = try await transport.get("/v1/heads", as: HeadsResponse.self)
        if after.heads != remote.heads {
            // The peer wrote while we pushed (HQ records signer references and erasures as our
            // entries and payloads arrive): take those too, so one sync leaves both sides equal.
            try await pull(Dictionary(after.heads.map { ($0.author, $0) }, uniquingKeysWith: { first, _ in first }), hq: hq, report: &report, progress: progress)
            try await exchangePayloads(report: &report, progress: progress)
            after = try await transport.get("/v1/heads", as: HeadsResponse.self)
        }
        let local = Dictionary(try await store { try $0.store.heads() }.map { ($0.author, $0.sequence) }, uniquingKeysWith: max)
        report.lag = after.heads.reduce(0) { $0.saturatingAdd($1.sequence - min($1.sequence, local[$1.author] ?? 0)) }
        // At HQ, withdrawals that ask for erasure, received in this sync, are honoured now.
        try await store { try $0.afterArrival() }
        if node.role == .field { try await witness(report: &report) }
        // A restored node has now caught up its own log from this peer: it may write again.
        try await store { node in
            if try node.store.setting(LedgerNode.catchUpSetting) != nil { try node.store.removeSetting(LedgerNode.catchUpSetting) }
        }
        report.bytesIn = transport.bytesReceived
        report.bytesOut = transport.bytesSent
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// ``sync(progress:)`` for synchronous callers (`ledgerctl`, ``LedgerNode/join(token:)``):
    /// blocks the calling thread until the sync ends. Never call it from async code.
    public func syncWaiting(progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) throws -> SyncReport {
        try Blocking.wait { try await self.sync(progress: progress) }
    }

    /// Runs `work` with the node on the ``Blocking`` queue (store reads and writes are SQLite calls).
    private func store<T: Sendable>(_ work: @escaping @Sendable (LedgerNode) throws -> T) async throws -> T {
        let node = node
        return try await Blocking.run { try work(node) }
    }

    /// Checks HQ's newest checkpoint against the one this node holds and cosigns it (laptops
    /// only; a peer that is not HQ answers 404 and nothing is witnessed).
    private func witness(report: inout SyncReport) async throws {
        guard node.store.hqKey != nil else { return }
        let held = try await store { try $0.witnessedCheckpoint() }
        let answer: WitnessResponse
        do {
            answer = try await transport.post("/v1/witness", WitnessRequest(checkpoint: held), as: WitnessResponse.self)
        } catch PeerError.refused(_, let status, _) where status == 404 {
            return
        }
        let outcome: LedgerNode.WitnessOutcome
        let cosignature: String?
        do {
            let now = wallClock.nowMillis() / 1000
            (outcome, cosignature) = try await store { try $0.witness(answer, held: held, now: now) }
        } catch let error as NoteError {
            throw PeerError.protocolError(peer: peer.absoluteString, reason: "its checkpoint does not verify with HQ's key: \(error)")
        }
        switch outcome {
        case .alarm(let why):
            report.witnessAlarm = why
            return
        case .cosigned(let epoch, let size):
            report.witnessed = "epoch \(epoch), size \(size)"
        case .newEpoch(let from, let to, let size):
            report.witnessed = "epoch \(to), size \(size)"
            report.epochChange = "HQ started epoch \(to) (from \(from)): the history it showed this laptop before was not extended (HQ restored from a backup?)"
        }
        if let cosignature, let text = try? SignedNote(parsing: answer.checkpoint).text {
            _ = try await transport.post("/v1/witness/cosign", CosignRequest(checkpoint: text, cosignature: cosignature), as: CosignResponse.self)
        }
    }

    /// HQ's key: from the store, or, on a laptop that has not received HQ's log yet, the author
    /// among the peer's logs whose fingerprint the join token named.
    private func hqKey(among heads: [LogHead]) async throws -> PublicKey {
        if let key = node.store.hqKey { return key }
        let expected = try await store { try $0.store.setting("expected.hq") }
        guard let head = heads.first(where: { PublicKey(hex: $0.author)?.fingerprint == expected }), let key = PublicKey(hex: head.author) else {
            throw PeerError.protocolError(peer: peer.absoluteString, reason: "the peer holds no log of the HQ this node was invited by; sync with HQ or a laptop that already has HQ's log")
        }
        return key
    }

    /// HQ's log first, so that enrolments arrive before the logs they admit.
    private func ordered(_ authors: [String], hq: PublicKey) -> [String] {
        authors.sorted { ($0 == hq.hex ? 0 : 1, $0) < ($1 == hq.hex ? 0 : 1, $1) }
    }

    /// Most entries walked back along one branch in one sync (a forked log is bounded far below this).
    static let maxWalk = 200_000
    /// Most bytes of entries held in memory while walking back along one branch.
    static let maxWalkBytes = 256 << 20

    private func pull(_ remote: [String: LogHead], hq: PublicKey, report: inout SyncReport, progress: (SyncProgress) -> Void) async throws {
        let local = Dictionary(try await store { try $0.store.heads() }.map { ($0.author, $0) }, uniquingKeysWith: { first, _ in first })
        let total = remote.values.reduce(0) { $0.saturatingAdd($1.sequence - min($1.sequence, local[$1.author]?.sequence ?? 0)) }
        authors: for author in ordered(Array(remote.keys), hq: hq) {
            guard let theirs = remote[author], let key = PublicKey(hex: author) else { continue }
            do {
                // The common case: their log extends ours. Fetch forward in batches.
                // The next batch is fetched while this one is stored (the peer reads and sends
                // while this node verifies and writes; docs/PROTOCOL.md "The client").
                var after = local[author]?.sequence ?? 0
                var next = after < theirs.sequence ? prefetch(author: author, after: after) : nil
                defer { next?.cancel() }
                forward: while let fetching = next {
                    let batch = try await withTaskCancellationHandler { try await fetching.value } onCancel: { fetching.cancel() }
                    next = nil
                    if batch.isEmpty { break }
                    let last = batch.last?.sequence ?? after
                    if last < theirs.sequence { next = prefetch(author: author, after: last) }
                    do {
                        try record(try await store { try $0.store.ingest(batch, verification: .fast) }, into: &report)
                    } catch StoreError.rejected(let fault) where fault.kind == .brokenLink || fault.kind == .sequenceGap {
                        break forward  // their log diverges from ours: walk back from its head below
                    }
                    after = last
                    progress(SyncProgress(phase: "pull", done: report.pulled, total: total))
                }
                // Every tip they hold that we lack (their log's head, their branches): walk back to
                // what we hold, then store the run in order.
                let tips = [theirs.id] + (theirs.branches ?? []).map(\.id)
                for tip in tips.compactMap(Digest.init(hex:)) where try await !store({ try $0.store.contains(entry: tip) }) {
                    try await pullBranch(author: key, tip: tip, report: &report)
                }
            } catch StoreError.rejected(let fault) where fault.kind == .unknownAuthor {
                // A log of a device this node has not seen enrolled (yet): skip it this time.
                continue authors
            }
        }
    }

    private func record(_ result: IngestReport, into report: inout SyncReport) throws {
        report.pulled += result.added
        report.forks += result.forks.count
        report.refused += result.refused.count
        report.unauthorised += result.outsideRights.count
    }

    /// Fetches `author`'s entries from `tip` back along their links until reaching one this node
    /// holds, then stores them oldest first (as log entries or as a branch).
    private func pullBranch(author: PublicKey, tip: Digest, report: inout SyncReport) async throws {
        var run: [Entry] = []
        var bytes = 0
        var cursor = tip
        walk: while run.count < Self.maxWalk {
            guard bytes < Self.maxWalkBytes else {
                throw PeerError.protocolError(peer: peer.absoluteString, reason: "a branch of \(author.short) runs past \(Self.maxWalkBytes >> 20) MiB without reaching an entry this node holds")
            }
            let answer = try await transport.post("/v1/entries/chain", ChainRequest(author: author.hex, head: cursor.hex, limit: batchSize), as: EntryBatch.self)
            let page = try decode(answer.entries)
            guard !page.isEmpty else { break }
            for entry in page {
                guard entry.author == author, entry.id == cursor else {
                    throw PeerError.protocolError(peer: peer.absoluteString, reason: "the chain it sent does not follow its links")
                }
                if try await store({ try $0.store.contains(entry: entry.id) }) { break walk }
                run.append(entry)
                bytes += entry.bytes.count
                if entry.sequence == 1 { break walk }
                cursor = entry.previous
            }
            if answer.more != true { break }
        }
        for batch in run.reversed().chunked(into: SyncLimits.maxBatchEntries) {
            try record(try await store { try $0.store.ingest(batch, verification: .fast) }, into: &report)
        }
    }

    /// ``fetch(author:after:)`` started now, to await later.
    private func prefetch(author: String, after: UInt64) -> Task<[Entry], any Error> {
        Task { try await self.fetch(author: author, after: after) }
    }

    private func fetch(author: String, after: UInt64) async throws -> [Entry] {
        let answer = try await transport.post("/v1/entries/fetch", FetchRequest(from: [.init(author: author, after: after)], limit: batchSize), as: EntryBatch.self)
        return try decode(answer.entries)
    }

    private func decode(_ entries: [String]) throws -> [Entry] {
        try entries.map { text in
            guard let raw = Data(base64Encoded: text) else { throw PeerError.protocolError(peer: peer.absoluteString, reason: "an entry is not base64") }
            do {
                return try Entry(bytes: Array(raw))
            } catch {
                throw PeerError.protocolError(peer: peer.absoluteString, reason: "it sent a malformed entry: \(error)")
            }
        }
    }

    private func push(_ remote: [String: LogHead], hq: PublicKey, report: inout SyncReport, progress: (SyncProgress) -> Void) async throws {
        let local = try await store { try $0.store.heads() }
        let total = local.reduce(0) { $0.saturatingAdd($1.sequence - min($1.sequence, remote[$1.author]?.sequence ?? 0)) }
        let theirTips = Set(remote.values.flatMap { [$0.id] + ($0.branches ?? []).map(\.id) })
        for author in ordered(local.map(\.author), hq: hq) {
            guard let ours = local.first(where: { $0.author == author }), let key = PublicKey(hex: author) else { continue }
            let theirs = remote[author]
            // The common case: our log extends theirs. Push forward in batches.
            var extendsTheirs = true
            if let theirs {
                extendsTheirs = false
                if theirs.sequence >= 1 && theirs.sequence < ours.sequence {
                    let below = theirs.sequence - 1
                    extendsTheirs = try await store { try $0.store.entries(author: key, after: below, limit: 1) }.first?.id.hex == theirs.id
                }
            }
            if extendsTheirs {
                var after = theirs?.sequence ?? 0
                while after < ours.sequence {
                    let (from, limit) = (after, batchSize)
                    var batch = try await store { try $0.store.entries(author: key, after: from, limit: limit) }
                    var bytes = 0
                    if let cut = batch.firstIndex(where: { bytes += SyncLimits.itemBytes($0.bytes.count); return bytes > SyncLimits.maxBodyBytes / 2 }) {
                        batch = Array(batch.prefix(max(1, cut)))
                    }
                    guard let last = batch.last else { break }
                    let result = try await post(batch)
                    report.pushed += result.added
                    report.forks += result.forks
                    if result.refused > 0 { break }
                    after = last.sequence
                    progress(SyncProgress(phase: "push", done: report.pushed, total: total))
                }
            } else if ours.id != theirs?.id, let head = Digest(hex: ours.id) {
                try await pushBranch(author: key, tip: head, report: &report)
            }
            // Our branches of a forked log that the peer does not show.
            for tip in (ours.branches ?? []) where !theirTips.contains(tip.id) {
                if let id = Digest(hex: tip.id) { try await pushBranch(author: key, tip: id, report: &report) }
            }
        }
    }

    /// Sends `author`'s entries from `tip` back to the first one the peer holds, oldest first.
    private func pushBranch(author: PublicKey, tip: Digest, report: inout SyncReport) async throws {
        var run: [Entry] = []
        var cursor = tip
        walk: while run.count < Self.maxWalk {
            let (from, limit) = (cursor, batchSize)
            let page = try await store { try $0.store.chain(author: author, from: from, limit: limit) }
            guard let last = page.last else { break }
            let known = Set(try await transport.post("/v1/entries/known", DigestList(digests: page.map(\.id.hex)), as: DigestList.self).digests)
            for entry in page {
                if known.contains(entry.id.hex) { break walk }
                run.append(entry)
            }
            if last.sequence == 1 { break }
            cursor = last.previous
        }
        for batch in run.reversed().chunked(into: 500) {
            let result = try await post(batch)
            report.pushed += result.added
            report.forks += result.forks
            if result.refused > 0 { break }
        }
    }

    private func post(_ batch: [Entry]) async throws -> PushResult {
        try await transport.post("/v1/entries", EntryBatch(entries: batch.map { Data($0.bytes).base64EncodedString() }), as: PushResult.self)
    }

    /// Payloads after their entries, in pages of digests (`after` the last one seen), so that a
    /// payload neither side holds never blocks the ones after it.
    private func exchangePayloads(report: inout SyncReport, progress: (SyncProgress) -> Void) async throws {
        // Theirs to us: the next page is asked for while this one is stored.
        func wantedPage(after: Digest?) async throws -> [Digest] {
            try await store { try $0.store.wantedPayloads(after: after, limit: SyncLimits.maxBatchPayloads) }
        }
        func prefetch(_ wanted: [Digest]) -> Task<[[UInt8]], any Error>? {
            guard !wanted.isEmpty else { return nil }
            return Task {
                let answer = try await self.transport.post("/v1/payloads/fetch", DigestList(digests: wanted.map(\.hex)), as: PayloadBatch.self)
                return answer.payloads.compactMap { Data(base64Encoded: $0).map { Array($0) } }
            }
        }
        var wanted = try await wantedPage(after: nil)
        var asked = wanted
        var next = prefetch(asked)
        defer { next?.cancel() }
        while let fetching = next {
            let payloads = try await withTaskCancellationHandler { try await fetching.value } onCancel: { fetching.cancel() }
            next = nil
            // A peer cuts an answer at its byte budget (docs/PROTOCOL.md, "Limits"): ask again for
            // the rest of the page as long as each answer brings some of it.
            let received = Set(payloads.map { Digest.sha256($0) })
            let rest = asked.filter { !received.contains($0) }
            if !rest.isEmpty && rest.count < asked.count {
                asked = rest
                next = prefetch(asked)
            } else if wanted.count == SyncLimits.maxBatchPayloads, let last = wanted.last {
                wanted = try await wantedPage(after: last)
                asked = wanted
                next = prefetch(wanted)
            }
            if !payloads.isEmpty {
                report.payloadsIn += try await store { try $0.store.ingest([], payloads: payloads) }.payloadsAdded
                progress(SyncProgress(phase: "payloads in", done: report.payloadsIn, total: report.pulled))
            }
        }
        // Ours to them.
        var cursor = ""
        while true {
            let path = cursor.isEmpty ? "/v1/payloads/wanted" : "/v1/payloads/wanted?after=\(cursor)"
            let wanted = try await transport.get(path, as: DigestList.self).digests
            guard let last = wanted.last else { break }
            cursor = last
            // In requests under the peer's body limit, read from the store one request at a time.
            var digests = wanted.compactMap(Digest.init(hex:))[...]
            while !digests.isEmpty {
                let remaining = digests
                let (batch, used): ([String], Int) = try await store { node in
                    var batch: [String] = []
                    var bytes = 0
                    var used = 0
                    for digest in remaining {
                        if let payload = try node.store.payload(digest: digest) {
                            let size = SyncLimits.itemBytes(payload.count)
                            if !batch.isEmpty && bytes + size > SyncLimits.maxBodyBytes / 2 { break }
                            bytes += size
                            batch.append(Data(payload).base64EncodedString())
                        }
                        used += 1
                    }
                    return (batch, used)
                }
                digests = digests.dropFirst(used)
                if batch.isEmpty { break }
                report.payloadsOut += try await transport.post("/v1/payloads", PayloadBatch(payloads: batch), as: PushResult.self).added
                progress(SyncProgress(phase: "payloads out", done: report.payloadsOut, total: report.pushed))
            }
            if wanted.count < SyncLimits.maxBatchPayloads { break }
        }
    }
}

extension LedgerNode {
    /// HQ's key (the author of the genesis entry).
    public func ledgerHQ() throws -> PublicKey {
        guard let key = store.hqKey else { throw StoreError.notInitialised(path: store.path) }
        return key
    }
}

extension Int {
    /// `self + count`, stopping at `Int.max` instead of trapping (counts a peer reports can be anything).
    func saturatingAdd(_ count: UInt64) -> Int {
        let (sum, overflow) = addingReportingOverflow(Int(clamping: count))
        return overflow ? .max : sum
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
