import Foundation

/// What one sync with a peer did.
public struct SyncReport: Codable, Sendable, Equatable {
    public var peer: String
    public var pulled = 0
    public var pushed = 0
    public var payloadsIn = 0
    public var payloadsOut = 0
    public var forks = 0
    public var refused = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var seconds = 0.0
    /// Entries the peer holds that this node still lacks after the sync (0 when caught up).
    public var lag = 0

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
    public var batchSize = 1_000
    private let transport: HTTPTransport

    public init(node: LedgerNode, peer: URL, timeout: TimeInterval = 60, wallClock: any WallClock = SystemClock()) throws {
        self.node = node
        self.peer = peer
        transport = HTTPTransport(base: peer, key: node.key, ledger: try node.ledgerID, timeout: timeout, wallClock: wallClock)
    }

    /// Runs one full sync.
    public func sync(progress: (SyncProgress) -> Void = { _ in }) throws -> SyncReport {
        let started = Date()
        var report = SyncReport(peer: peer.absoluteString)
        let remote = try transport.get("/v1/heads", as: HeadsResponse.self)
        guard remote.ledger == (try node.ledgerID).hex else { throw PeerError.otherLedger(peer: peer.absoluteString) }
        let hq = try hqKey(among: remote.heads)
        let remoteHeads = Dictionary(remote.heads.map { ($0.author, $0) }, uniquingKeysWith: { first, _ in first })
        try pull(remoteHeads, hq: hq, report: &report, progress: progress)
        try push(remoteHeads, hq: hq, report: &report, progress: progress)
        try pushForkEvidence(remoteHeads, report: &report)
        try exchangePayloads(report: &report, progress: progress)
        let after = try transport.get("/v1/heads", as: HeadsResponse.self)
        let local = Dictionary(try node.store.heads().map { ($0.author, $0.sequence) }, uniquingKeysWith: max)
        report.lag = after.heads.reduce(0) { $0.saturatingAdd($1.sequence - min($1.sequence, local[$1.author] ?? 0)) }
        report.bytesIn = transport.bytesReceived
        report.bytesOut = transport.bytesSent
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// HQ's key: from the store, or, on a laptop that has not received HQ's log yet, the author
    /// among the peer's logs whose fingerprint the join token named.
    private func hqKey(among heads: [LogHead]) throws -> PublicKey {
        if let key = node.store.hqKey { return key }
        let expected = try node.store.setting("expected.hq")
        guard let head = heads.first(where: { PublicKey(hex: $0.author)?.fingerprint == expected }), let key = PublicKey(hex: head.author) else {
            throw PeerError.protocolError(peer: peer.absoluteString, reason: "the peer holds no log of the HQ this node was invited by; sync with HQ or a laptop that already has HQ's log")
        }
        return key
    }

    /// Where the peer holds a different entry than ours at its head sequence, or we hold fork
    /// evidence, sends our side so that both nodes keep both entries (docs/PROTOCOL.md, "A sync").
    private func pushForkEvidence(_ remote: [String: LogHead], report: inout SyncReport) throws {
        var evidence: [Entry] = []
        for (author, theirs) in remote {
            guard let key = PublicKey(hex: author), theirs.sequence > 0,
                  let ours = try node.store.entries(author: key, after: theirs.sequence - 1, limit: 1).first,
                  ours.sequence == theirs.sequence, ours.id.hex != theirs.id else { continue }
            evidence.append(ours)
        }
        for fork in try node.store.forkEntries() {
            if let ours = try node.store.entries(author: fork.author, after: fork.sequence - 1, limit: 1).first,
               ours.sequence == fork.sequence, !evidence.contains(ours) {
                evidence.append(ours)
            }
            if !evidence.contains(fork) { evidence.append(fork) }
        }
        for entry in evidence {
            // One entry per request: the peer may lack the log below some of them and refuse those.
            do {
                report.forks += try transport.post("/v1/entries", EntryBatch(entries: [Data(entry.bytes).base64EncodedString()]), as: PushResult.self).forks
            } catch PeerError.refused {
                continue
            }
        }
    }

    /// HQ's log first, so that enrolments arrive before the logs they admit.
    private func ordered(_ authors: [String], hq: PublicKey) -> [String] {
        authors.sorted { ($0 == hq.hex ? 0 : 1, $0) < ($1 == hq.hex ? 0 : 1, $1) }
    }

    private func pull(_ remote: [String: LogHead], hq: PublicKey, report: inout SyncReport, progress: (SyncProgress) -> Void) throws {
        var local = Dictionary(try node.store.heads().map { ($0.author, $0) }, uniquingKeysWith: { first, _ in first })
        let total = remote.values.reduce(0) { $0.saturatingAdd($1.sequence - min($1.sequence, local[$1.author]?.sequence ?? 0)) }
        for author in ordered(Array(remote.keys), hq: hq) {
            guard let theirs = remote[author], let key = PublicKey(hex: author) else { continue }
            let ours = local[author]
            if let ours, theirs.sequence <= ours.sequence {
                // Same length or shorter: a different entry at their head is a fork.
                if theirs.sequence == ours.sequence && theirs.id != ours.id || theirs.sequence < ours.sequence {
                    try checkFork(author: key, at: theirs, report: &report)
                }
                continue
            }
            var after = ours?.sequence ?? 0
            while after < theirs.sequence {
                let batch = try fetch(author: author, after: after)
                if batch.isEmpty { break }
                do {
                    let result = try node.store.ingest(batch, verification: .fast)
                    report.pulled += result.added
                    report.forks += result.forks.count
                    report.refused += result.refused.count
                    if !result.forks.isEmpty || !result.refused.isEmpty { break }
                } catch StoreError.rejected(let fault) where fault.kind == .unknownAuthor {
                    // A log of a device this node has not seen enrolled (yet): skip it this time.
                    break
                } catch StoreError.rejected(let fault) where fault.kind == .brokenLink && after > 0 {
                    // Their log diverges from ours below our head: find where, keep both as evidence.
                    report.forks += try findDivergence(author: key, upTo: after)
                    break
                }
                after = batch.last?.sequence ?? after
                progress(SyncProgress(phase: "pull", done: report.pulled, total: total))
            }
            local[author] = try node.store.heads().first { $0.author == author }
        }
    }

    private func fetch(author: String, after: UInt64) throws -> [Entry] {
        let answer = try transport.post("/v1/entries/fetch", FetchRequest(from: [.init(author: author, after: after)], limit: batchSize), as: EntryBatch.self)
        return try answer.entries.map { text in
            guard let raw = Data(base64Encoded: text) else { throw PeerError.protocolError(peer: peer.absoluteString, reason: "an entry is not base64") }
            return try Entry(bytes: Array(raw))
        }
    }

    private func checkFork(author: PublicKey, at head: LogHead, report: inout SyncReport) throws {
        guard head.sequence > 0 else { return }
        let ours = try node.store.entries(author: author, after: head.sequence - 1, limit: 1).first
        guard let ours, ours.id.hex != head.id else { return }
        let theirs = try fetch(author: author.hex, after: head.sequence - 1).prefix(1)
        report.forks += try node.store.ingest(Array(theirs), verification: .full).forks.count
    }

    /// Fetches their log from the start in batches until an entry differs from ours; ingesting it
    /// records the fork. Returns the number of fork entries recorded.
    private func findDivergence(author: PublicKey, upTo: UInt64) throws -> Int {
        var after: UInt64 = 0
        while after < upTo {
            let batch = try fetch(author: author.hex, after: after)
            guard !batch.isEmpty else { return 0 }
            let forks = try node.store.ingest(batch, verification: .full).forks.count
            if forks > 0 { return forks }
            after = batch.last?.sequence ?? upTo
        }
        return 0
    }

    private func push(_ remote: [String: LogHead], hq: PublicKey, report: inout SyncReport, progress: (SyncProgress) -> Void) throws {
        let local = try node.store.heads()
        let total = local.reduce(0) { $0.saturatingAdd($1.sequence - min($1.sequence, remote[$1.author]?.sequence ?? 0)) }
        for author in ordered(local.map(\.author), hq: hq) {
            guard let ours = local.first(where: { $0.author == author }), let key = PublicKey(hex: author) else { continue }
            var after = remote[author]?.sequence ?? 0
            while after < ours.sequence {
                var batch = try node.store.entries(author: key, after: after, limit: batchSize)
                var bytes = 0
                if let cut = batch.firstIndex(where: { bytes += $0.bytes.count * 4 / 3 + 8; return bytes > SyncLimits.maxBodyBytes / 2 }) {
                    batch = Array(batch.prefix(max(1, cut)))
                }
                guard let last = batch.last else { break }
                let result = try transport.post("/v1/entries", EntryBatch(entries: batch.map { Data($0.bytes).base64EncodedString() }), as: PushResult.self)
                report.pushed += result.added
                report.forks += result.forks
                if result.forks > 0 || result.refused > 0 { break }
                after = last.sequence
                progress(SyncProgress(phase: "push", done: report.pushed, total: total))
            }
        }
    }

    /// Payloads after their entries, in pages of digests (`after` the last one seen), so that a
    /// payload neither side holds never blocks the ones after it.
    private func exchangePayloads(report: inout SyncReport, progress: (SyncProgress) -> Void) throws {
        // Theirs to us.
        var after: Digest?
        while true {
            let wanted = try node.store.wantedPayloads(after: after, limit: SyncLimits.maxBatchPayloads)
            guard let last = wanted.last else { break }
            after = last
            let answer = try transport.post("/v1/payloads/fetch", DigestList(digests: wanted.map(\.hex)), as: PayloadBatch.self)
            let payloads = answer.payloads.compactMap { Data(base64Encoded: $0).map { Array($0) } }
            if !payloads.isEmpty {
                report.payloadsIn += try node.store.ingest([], payloads: payloads).payloadsAdded
                progress(SyncProgress(phase: "payloads in", done: report.payloadsIn, total: report.pulled))
            }
            if wanted.count < SyncLimits.maxBatchPayloads { break }
        }
        // Ours to them.
        var cursor = ""
        while true {
            let path = cursor.isEmpty ? "/v1/payloads/wanted" : "/v1/payloads/wanted?after=\(cursor)"
            let wanted = try transport.get(path, as: DigestList.self).digests
            guard let last = wanted.last else { break }
            cursor = last
            var batch: [String] = []
            for text in wanted {
                if let digest = Digest(hex: text), let payload = try node.store.payload(digest: digest) {
                    batch.append(Data(payload).base64EncodedString())
                }
            }
            if !batch.isEmpty {
                report.payloadsOut += try transport.post("/v1/payloads", PayloadBatch(payloads: batch), as: PushResult.self).added
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
