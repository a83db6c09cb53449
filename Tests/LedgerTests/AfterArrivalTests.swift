import Foundation
import Testing
@testable import Ledger

/// HQ's pass after entries or payloads arrive (``LedgerNode/afterArrival()``): erasures asked
/// for, then the signer references due. ledgerd runs it after each push, at every start and
/// with its retention round, so it may run from several threads at once; and a crash can fall
/// between a push's commit and its pass.
@Suite("HQ's pass after arrivals")
struct AfterArrivalTests {
    /// An HQ holding, as a push leaves them, a laptop's `count` signatures (no signer reference,
    /// as a field laptop records them) with their payloads, and withdrawals asking erasure for
    /// the first `erasing` of them. Nothing of HQ's pass has run.
    func pending(count: Int, erasing: Int) throws -> (AppendBatchTests.Setup, LedgerStore) {
        let setup = try AppendBatchTests.Setup()
        let hq = setup.hq
        let ledger = try hq.ledgerID
        let laptopKey = SigningKey()
        try hq.enrol(device: laptopKey.publicKey, name: "Laptop")
        let laptop = try LedgerStore.open(at: setup.dir.file("laptop.sqlite"), create: true)
        _ = try laptop.ingest(try hq.store.entries())
        let version = try #require(try hq.store.campaign("c1")).version
        var codes: [ReceiptCode] = []
        let signatures = try (0..<count).map { index -> Appendable in
            let code = ReceiptCode()
            codes.append(code)
            let body = SignatureRecorded(campaign: "c1", campaignVersion: version, channel: .kiosk, paperList: nil, country: "NO", postcodeArea: nil,
                                         consentContact: false, signer: nil, receiptHash: code.hash(ledger: ledger).hex)
            let details = try SignerDetails(name: "Signer", email: "pending\(index)@example.org").validated()
            return try Appendable(body, payload: try Sealing.seal(try details.sealedPlaintext(), to: try hq.sealingPublicKey(), ledger: ledger))
        }
        let written = try laptop.appendBatch(signatures, signer: laptopKey)
        _ = try laptop.appendBatch(try (0..<erasing).map {
            try Appendable(SignatureWithdrawn(signature: written[$0].id.hex, receipt: codes[$0].symbols, reason: nil, erase: true))
        }, signer: laptopKey)
        let before = try hq.store.entryCount()
        _ = try hq.store.ingest(try laptop.entries(author: laptopKey.publicKey, after: 0, limit: 10_000), payloads: try laptop.payloads(), verification: .fast)
        #expect(try hq.store.entryCount() == before + count + erasing)
        return (setup, laptop)
    }

    /// What HQ wrote: references per signature and erasures per signature.
    func written(by hq: LedgerNode) throws -> (references: [String: Int], erasures: [String: Int]) {
        var references: [String: Int] = [:]
        var erasures: [String: Int] = [:]
        for entry in try hq.store.entries(author: hq.key.publicKey, after: 0, limit: 100_000) {
            if entry.type == SignerReferenced.eventType.rawValue {
                for reference in try entry.decodeBody(SignerReferenced.self).references { references[reference.signature, default: 0] += 1 }
            } else if entry.type == PayloadErased.eventType.rawValue {
                erasures[try entry.decodeBody(PayloadErased.self).signature, default: 0] += 1
            }
        }
        return (references, erasures)
    }

    @Test("run from eight threads at once, on two openings of HQ's folder (as ledgerd and ledgerctl are), the pass writes each erasure and each signer reference exactly once")
    func concurrentPasses() throws {
        let (setup, _) = try pending(count: 120, erasing: 20)
        defer { setup.dir.remove() }
        let hq = setup.hq
        // A second opening has its own connection and lock, like another process: only SQLite's
        // write lock stands between it and the first.
        let other = try LedgerNode.open(at: setup.dir.file("hq"))
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do { try (index % 2 == 0 ? hq : other).afterArrival() } catch { failures.add() }
        }
        #expect(failures.value == 0)
        let (references, erasures) = try written(by: hq)
        #expect(erasures.count == 20 && erasures.values.allSatisfy { $0 == 1 }, "\(erasures.values.sorted())")
        #expect(references.count == 100 && references.values.allSatisfy { $0 == 1 }, "\(references.values.sorted())")
        #expect(try hq.store.signatureCounts(campaign: "c1") == ["counted": 100, "withdrawn": 20])
        // Nothing is left for a later pass.
        #expect(try hq.afterArrival().isEmpty)
    }

    @Test("a pass that did not run after a push (a crash between the commit and the pass) is caught up by the next one, which writes what was due")
    func missedPassIsCaughtUp() throws {
        let (setup, _) = try pending(count: 30, erasing: 5)
        defer { setup.dir.remove() }
        let hq = setup.hq
        #expect(try hq.store.signatureCounts(campaign: "c1") == ["unchecked": 25, "withdrawn": 5])
        let caughtUp = try hq.afterArrival()
        #expect(caughtUp.count == 5 + 1)  // a payload.erased per erasure, one signer.referenced for the 25
        #expect(try hq.store.signatureCounts(campaign: "c1") == ["counted": 25, "withdrawn": 5])
        try expectRebuildAgrees(hq.store)
    }
}

/// A count shared by threads.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
