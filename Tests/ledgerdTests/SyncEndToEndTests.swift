import Foundation
import Ledger
import Testing

@testable import ledgerd

/// Real `ledgerd` processes on loopback ports; the tests drive syncs with the library's `SyncClient`
/// as a laptop's loop or `ledgerctl sync` would.
@Suite("Sync between ledgerd nodes, end to end", .timeLimit(.minutes(2)))
struct SyncEndToEndTests {
    @Test("HQ and two laptops that signed offline converge: same heads, same read models, every payload at HQ")
    func threeNodesConverge() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptopA = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let laptopB = try await joinLaptop("Laptop B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            let ad = try await RunningDaemon.start(data: laptopA.folder.path)
            defer { ad.process.kill() }
            let bd = try await RunningDaemon.start(data: laptopB.folder.path)
            defer { bd.process.kill() }

            // Offline, at two stalls.
            try await sign(3, on: laptopA, label: "A")
            try await sign(2, on: laptopB, label: "B")
            _ = try await offPool { try laptopB.comment(campaign: testCampaign, displayName: "Kari", text: "Free them all.") }

            // At the event: A meets B. A lacks B's enrolment (B joined later) and B's three entries.
            let aWithB = try await sync(laptopA, with: bd.url)
            #expect(aWithB.pulled == 4)
            #expect(aWithB.pushed == 3)
            #expect(aWithB.payloadsIn == 2)
            #expect(aWithB.payloadsOut == 3)
            #expect(aWithB.forks == 0 && aWithB.lag == 0)

            // Offline, the laptops cannot check for duplicates: they hold no pseudonym key.
            #expect(try laptopA.store.signatureCounts(campaign: testCampaign) == ["unchecked": 5])

            // Back at HQ: B brings everything; HQ records the five signer references as the
            // payloads arrive, and B takes them in the same sync. A has nothing left to bring.
            let bWithHQ = try await sync(laptopB, with: hqd.url)
            #expect(bWithHQ.pulled == 1)
            #expect(bWithHQ.pushed == 6)
            #expect(bWithHQ.payloadsOut == 5)
            let aWithHQ = try await sync(laptopA, with: hqd.url)
            #expect(aWithHQ.pulled == 1 && aWithHQ.pushed == 0 && aWithHQ.payloadsOut == 0)
            #expect(try laptopA.store.signatureCounts(campaign: testCampaign) == ["counted": 5])

            let heads = try hq.store.heads()
            #expect(heads.count == 3)
            #expect(try laptopA.store.heads() == heads)
            #expect(try laptopB.store.heads() == heads)
            let digest = try hq.store.readModelDigest()
            #expect(try laptopA.store.readModelDigest() == digest)
            #expect(try laptopB.store.readModelDigest() == digest)
            #expect(try hq.store.entryCount() == 2 + 2 + 6 + 1)  // + HQ's signer.referenced

            let delivery = try hq.delivery(campaign: testCampaign)
            #expect(delivery.header.counted == 5)
            #expect(delivery.header.missingPayloads == 0)
            let expected = (1...3).map { testSigner("A", $0).name } + (1...2).map { testSigner("B", $0).name }
            #expect(Set(delivery.signatures.map(\.name)) == Set(expected))
            #expect(try Auditor(store: hq.store).run(mode: .full).intact)

            // The daemons served all of it and still answer.
            for daemon in [hqd, ad, bd] {
                let heads = try await TestRequest.signed("GET", "/v1/heads", key: laptopA.key, ledger: try hq.ledgerID).send(to: daemon.url)
                #expect(try heads.decode(HeadsResponse.self).heads == (try hq.store.heads()))
            }
        }
    }

    @Test("a transfer cut midway, pushing and then pulling, resumes with nothing duplicated")
    func cutTransferResumes() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            var hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptopA = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let laptopB = try await joinLaptop("Laptop B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            let count = 120
            try await sign(count, on: laptopA, label: "A")
            let author = laptopA.key.publicKey

            // Push in batches of 25; HQ dies once two batches are stored.
            let pushing = hqd.process
            await #expect(throws: PeerError.self) {
                try await sync(laptopA, with: hqd.url, batchSize: 25) { progress in
                    if progress.phase == "push" && progress.done >= 50 && pushing.isRunning { pushing.killNow() }
                }
            }
            #expect(try entries(of: author, in: hq.store).count == 50)
            #expect(try hq.store.payloads().isEmpty)  // payloads move after their entries

            hqd = try await RunningDaemon.start(data: hq.folder.path)
            let resumed = try await sync(laptopA, with: hqd.url, batchSize: 25)
            #expect(resumed.pushed == count - 50)
            #expect(resumed.payloadsOut == count)
            #expect(try entries(of: author, in: hq.store).map(\.sequence) == Array(1...UInt64(count)))
            #expect(try hq.store.payloads().count == count)

            // B pulls A's log from HQ in batches of 25; HQ dies once two batches are stored.
            let pulling = hqd.process
            await #expect(throws: PeerError.self) {
                try await sync(laptopB, with: hqd.url, batchSize: 25) { progress in
                    if progress.phase == "pull" && progress.done >= 50 && pulling.isRunning { pulling.killNow() }
                }
            }
            // The client fetches the next batch while it stores one (docs/PROTOCOL.md, "The
            // client"), so a batch that arrived before HQ died is stored too: whole batches only.
            let held = try entries(of: author, in: laptopB.store).count
            #expect([50, 75].contains(held))

            hqd = try await RunningDaemon.start(data: hq.folder.path)
            let pulled = try await sync(laptopB, with: hqd.url, batchSize: 25)
            #expect(pulled.pulled == count - held)
            #expect(pulled.payloadsIn == count)

            let references = try hq.store.entries(matching: EntryFilter(type: EventType.signerReferenced.rawValue)).count
            #expect(references >= 1)
            for node in [hq, laptopB] {
                #expect(try node.store.entryCount() == 4 + count + references)  // genesis, campaign, 2 enrolments; A's; HQ's references
                #expect(try entries(of: author, in: node.store).map(\.sequence) == Array(1...UInt64(count)))
                #expect(try node.store.forkEntries().isEmpty)
                #expect(try Auditor(store: node.store).run(mode: .full).intact)
            }
            #expect(try laptopB.store.heads() == (try hq.store.heads()))
            #expect(try laptopB.store.readModelDigest() == (try hq.store.readModelDigest()))
            #expect(try hq.delivery(campaign: testCampaign).signatures.count == count)
        }
    }

    @Test("a cloned data folder that signs on both copies is reported as a fork at HQ")
    func clonedFolderIsAFork() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            try await sign(1, on: laptop, label: "A")
            _ = try await sync(laptop, with: hqd.url)

            let clonePath = directory.appendingPathComponent("a-clone").path
            try copyFolder(laptop.folder.path, to: clonePath)
            let clone = try LedgerNode.open(at: clonePath)
            #expect(clone.key.publicKey == laptop.key.publicKey)
            try await sign(1, on: laptop, label: "Original")
            try await sign(1, on: clone, label: "Clone")

            let first = try await sync(laptop, with: hqd.url)
            #expect(first.pushed == 1 && first.forks == 0)
            let second = try await sync(clone, with: hqd.url)
            #expect(second.forks > 0)
            #expect(try clone.store.forkEntries().count == 1)  // the clone learned of the fork
            let forksAtHQ = try hq.store.forkEntries()
            #expect(!forksAtHQ.isEmpty, "the clone's sync sends its side of the fork to HQ")

            // The clone's ledgerd sends its side of the fork to HQ at its startup sync.
            let cloned = try await RunningDaemon.start(data: clonePath, ["--peer", hqd.url.absoluteString, "--sync-interval", "60"])
            defer { cloned.process.kill() }
            let done = await cloned.process.line(containing: "Startup sync done", timeout: .seconds(20))
            #expect(done?.contains("1 of 1 peer(s) reached") == true, "stderr:\n\(cloned.process.stderr)")
            // HQ already holds both sides from the sync above; the daemon's sync adds no new fork.

            let forks = try hq.store.forkEntries()
            #expect(forks.count == 1)
            #expect(forks.first?.author == laptop.key.publicKey)
            #expect(forks.first?.sequence == 2)
            let audit = try Auditor(store: hq.store).run(mode: .fast)
            #expect(audit.intact && audit.forked)
            #expect(audit.faults.contains { $0.kind == .fork && $0.author == laptop.key.publicKey.hex })
        }
    }
}
