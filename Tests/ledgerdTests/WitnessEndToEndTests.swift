import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Testing

@testable import ledgerd

/// Witnessing between real daemons and the real `ledgerctl` (docs/PROTOCOL.md, "Witnessing"):
/// laptops check and cosign HQ's checkpoints at every sync, and HQ serves the cosignatures.
@Suite("Witnessing, end to end", .timeLimit(.minutes(3)))
struct WitnessEndToEndTests {
    func checkpoint(at url: URL) async throws -> String {
        let (data, response) = try await URLSession.shared.data(from: url.appendingPathComponent("checkpoint"))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        return String(decoding: data, as: UTF8.self)
    }

    @Test("two laptops sync with HQ, each checks HQ's checkpoint and cosigns it; GET /checkpoint carries both cosignatures")
    func twoLaptopsCosign() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let a = try await joinLaptop("Stall A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let b = try await joinLaptop("Stall B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            try await sign(2, on: a, label: "A")
            try await sign(1, on: b, label: "B")
            let first = try ledgerctl(["sync", hqd.url.absoluteString], data: a.folder.path)
            #expect(first.status == 0, "\(first)")
            #expect(first.stdout.contains("witnessed HQ's checkpoint"), "\(first)")
            let second = try ledgerctl(["sync", hqd.url.absoluteString], data: b.folder.path)
            #expect(second.status == 0, "\(second)")
            // A syncs again: it now witnesses B's entries too, consistently with what it saw first.
            let third = try ledgerctl(["sync", hqd.url.absoluteString], data: a.folder.path)
            #expect(third.status == 0 && third.stdout.contains("witnessed"), "\(third)")

            let served = try SignedNote(parsing: try await checkpoint(at: hqd.url))
            let key = try hq.checkpointKey()
            let (current, _) = try Checkpoint.verify(note: served.serialized, key: key)
            #expect(current.size == (try hq.store.treeSize()))
            let ledger = try hq.ledgerID
            #expect(try served.verifiedSignature(by: Checkpoint.witnessKey(ledger: ledger, device: a.key.publicKey)) != nil)
            // B's sync was the last to add entries, so A's third sync saw the same checkpoint: both cosigned it.
            #expect(try served.verifiedSignature(by: Checkpoint.witnessKey(ledger: ledger, device: b.key.publicKey)) != nil)
            let statusA = try ledgerctl(["status"], data: a.folder.path)
            #expect(statusA.stdout.contains("witnessed:   HQ's checkpoint of \(current.size) entries, epoch 1"), "\(statusA)")
            #expect(!statusA.stdout.contains("ALARM"))
            let hqStatus = try ledgerctl(["status"], data: hq.folder.path)
            #expect(hqStatus.stdout.contains("tree:        \(current.size) leaves, epoch 1"), "\(hqStatus)")
            #expect(try hq.store.cosignatureLines(epoch: 1, size: current.size).count == 2)
            // Laptops do not answer witnesses: a laptop-to-laptop sync witnesses nothing.
            let bd = try await RunningDaemon.start(data: b.folder.path)
            defer { bd.process.kill() }
            let peer = try await sync(a, with: bd.url)
            #expect(peer.witnessed == nil && peer.witnessAlarm == nil)
        }
    }
}
