import Foundation
import Testing
@testable import Ledger

/// Group commit (docs/STORE.md, "Group commit"): concurrent signers share a transaction; each gets
/// its own entries, in order, only after the commit; one request's fault fails only that request.
@Suite("Group commit")
struct GroupCommitTests {
    func makeNode() throws -> (LedgerNode, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-\(UUID())")
        let node = try LedgerNode.createHQ(at: directory.appendingPathComponent("hq").path, name: "Group")
        try node.publish(sampleCampaign())
        return (node, directory)
    }

    /// Holds SQLite's write lock from another connection until `waiting` requests queue behind the
    /// first (at most 20 s), so that they commit as one group; returns a semaphore signalled on release.
    @discardableResult
    func holdWriterUntilQueued(_ node: LedgerNode, waiting: Int) throws -> DispatchSemaphore {
        let blocker = Blocker(try SQLiteConnection(path: node.store.path))
        try blocker.connection.execute("BEGIN IMMEDIATE")
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(20)
            while node.groupCommit.statistics.waiting < waiting && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            try? blocker.connection.execute("COMMIT")
            released.signal()
        }
        return released
    }

    /// Runs `count` closures on their own threads at once and waits for all.
    func concurrently(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                work(index)
                group.leave()
            }
        }
        group.wait()
    }

    @Test("signers queued behind a busy writer commit as one group; each keeps its signature and comment together")
    func grouped() throws {
        let (node, directory) = try makeNode()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Another connection holds SQLite's write lock: the first signer's commit waits for it, and
        // the others queue behind that signer.
        let signers = 32
        let receipts = Receipts()
        let released = try holdWriterUntilQueued(node, waiting: signers - 1)
        concurrently(signers) { index in
            let details = SignerDetails(name: "Signer \(index)", email: "signer\(index)@example.org")
            let comment = SignerComment(displayName: "S\(index)", text: "comment \(index)")
            receipts.add(index, Result { try node.sign(campaign: "free-the-press", signer: details, comment: comment, channel: .kiosk) })
        }
        released.wait()
        let results = receipts.all
        #expect(results.count == signers)
        let entries = results.compactMap { (try? $0.value.get())??.entry }
        #expect(entries.count == signers && Set(entries.map(\.id)).count == signers)
        // Two groups: the leader alone, then all the others in one transaction.
        let statistics = node.groupCommit.statistics
        #expect(statistics.groups == 2 && statistics.requests == signers, "\(statistics)")
        // Each comment names its own signature, and the log verifies end to end.
        let comments = try node.store.entries(matching: EntryFilter(type: EventType.commentPosted.rawValue))
        #expect(comments.count == signers)
        for comment in comments {
            let body = try comment.decodeBody(CommentPosted.self)
            let signature = try #require(body.signature.flatMap(Digest.init(hex:)))
            let signed = try #require(try node.store.entry(id: signature))
            #expect(signed.sequence + 1 == comment.sequence && signed.author == comment.author)
        }
        #expect(try node.store.signatureCounts(campaign: "free-the-press")["counted", default: 0] == signers)
        #expect(try Auditor(store: node.store).run(mode: .full).faults.isEmpty)
    }

    @Test("a request whose entries break a rule fails alone; the rest of its group commits")
    func faultIsolated() throws {
        let (node, directory) = try makeNode()
        defer { try? FileManager.default.removeItem(at: directory) }
        let requests: [[Appendable]] = try (0..<6).map { index in
            [try Appendable(CampaignClosed(campaign: index == 3 ? "Not An Id" : "free-the-press", reason: "request \(index)"))]
        }
        let outcomes = Receipts()
        try holdWriterUntilQueued(node, waiting: requests.count - 1)
        concurrently(requests.count) { index in
            outcomes.add(index, Result { try node.groupCommit.append(requests[index], signer: node.key, to: node.store) }.map { _ in SigningReceipt?.none })
        }
        let results = outcomes.all
        let failed = results.filter { if case .failure = $0.value { true } else { false } }.map(\.key)
        #expect(failed == [3])
        #expect(try node.store.entries(matching: EntryFilter(type: EventType.campaignClosed.rawValue)).count == 5)
        #expect(try Auditor(store: node.store).run(mode: .full).faults.isEmpty)
    }

    @Test("requests for two keys queued together are committed to their own logs, never signed by the leader's key")
    func twoKeys() throws {
        let (node, directory) = try makeNode()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = SigningKey()
        try node.enrol(device: other.publicKey, name: "HQ desk 2", role: .hq)
        let keys = (0..<8).map { $0 % 2 == 0 ? node.key : other }
        let authors = Authors()
        try holdWriterUntilQueued(node, waiting: keys.count - 1)
        concurrently(keys.count) { index in
            let entries = try? node.groupCommit.append([try Appendable(CampaignClosed(campaign: "free-the-press", reason: "r\(index)"))],
                                                       signer: keys[index], to: node.store)
            authors.set(index, entries?.first?.author)
        }
        for (index, key) in keys.enumerated() { #expect(authors.get(index) == key.publicKey, "request \(index)") }
        #expect(try Auditor(store: node.store).run(mode: .full).faults.isEmpty)
    }

    @Test("while another program holds the writer, concurrent signers and a withdrawal fail as busy after GroupCommit.busyWait, together; nothing is stored; then signing works")
    func busyWriter() throws {
        let (node, directory) = try makeNode()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try node.sign(campaign: "free-the-press", signer: SigningDetails.sample(0), channel: .kiosk)
        let before = try node.store.entryCount()
        let blocker = try SQLiteConnection(path: node.store.path)
        try blocker.execute("BEGIN IMMEDIATE")
        let signers = 8
        let receipts = Receipts()
        let clock = ContinuousClock()
        let start = clock.now
        concurrently(signers) { index in
            receipts.add(index, Result { try node.sign(campaign: "free-the-press", signer: SigningDetails.sample(index + 1), channel: .kiosk) })
        }
        let waited = clock.now - start
        let failures = receipts.all.compactMap { if case .failure(let error) = $0.value { error } else { nil } }
        #expect(failures.count == signers)
        let busy = failures.filter { $0.isWriterBusy }
        #expect(busy.count == signers, "\(failures.map { String(describing: $0) })")
        // Each request waits once (5 s), in groups, never 30 s each or once more alone after its
        // group failed (that took 8 x 5 s and more). The bound leaves room for a slow machine.
        #expect(waited >= .milliseconds(Int(GroupCommit.busyWait)) && waited < .seconds(25), "\(waited)")
        let withdrawStart = clock.now
        #expect { try node.withdraw(receipt: first.code) } throws: { $0.isWriterBusy }
        let withdrawWaited = clock.now - withdrawStart
        #expect(withdrawWaited < .seconds(25), "\(withdrawWaited)")
        #expect(String(describing: StoreError.sqlite(SQLiteError(code: 5, message: "database is locked", context: "execute"))).contains("another program held this node's store"))
        try blocker.execute("ROLLBACK")
        #expect(try node.store.entryCount() == before)
        #expect(try node.sign(campaign: "free-the-press", signer: SigningDetails.sample(99), channel: .kiosk).entry.type == EventType.signatureRecorded.rawValue)
    }
}

enum SigningDetails {
    static func sample(_ index: Int) -> SignerDetails {
        SignerDetails(name: "Signer \(index)", email: "signer\(index)@example.org")
    }
}

/// Authors of appended entries, by request index, from many threads.
final class Authors: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: PublicKey] = [:]
    func set(_ index: Int, _ key: PublicKey?) { lock.withLock { values[index] = key } }
    func get(_ index: Int) -> PublicKey? { lock.withLock { values[index] } }
}

/// Results by index, from many threads.
final class Receipts: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<SigningReceipt?, any Error>] = [:]
    func add(_ index: Int, _ result: Result<SigningReceipt, any Error>) { lock.withLock { results[index] = result.map { $0 } } }
    func add(_ index: Int, _ result: Result<SigningReceipt?, any Error>) { lock.withLock { results[index] = result } }
    var all: [(key: Int, value: Result<SigningReceipt?, any Error>)] { lock.withLock { results.sorted { $0.key < $1.key } } }
}

/// Another connection to the store's file, that holds SQLite's write lock from another thread.
final class Blocker: @unchecked Sendable {
    let connection: SQLiteConnection
    init(_ connection: SQLiteConnection) { self.connection = connection }
}
