import Foundation
import Ledger
import Testing

@testable import ledgerd

/// The faults an unlucky organiser lives through (docs/OPERATIONS.md, "Forks" and "Backups and
/// restores"), with real daemons on loopback ports and the real `ledgerctl`: every acknowledged
/// receipt ends up counted once, after at most one documented command, and all nodes agree.
@Suite("Faults, end to end", .timeLimit(.minutes(4)))
struct FaultEndToEndTests {
    @Test("a cloned laptop disk: both copies' signers count once after 'fork adopt'; the laptop stops, says so, re-keys; every node agrees")
    func clonedLaptopDisk() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Stall laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let other = try await joinLaptop("Stall laptop B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            var receipts = try await sign(2, on: laptop, label: "Before").map(\.code.description)
            _ = try await sync(laptop, with: hqd.url)

            // The disk is cloned; both copies go to stalls and sign real people, one person at both.
            let clonePath = directory.appendingPathComponent("a-clone").path
            try copyFolder(laptop.folder.path, to: clonePath)
            let clone = try LedgerNode.open(at: clonePath)
            receipts += try await sign(3, on: laptop, label: "Original").map(\.code.description)
            receipts += try await sign(2, on: clone, label: "Clone").map(\.code.description)
            receipts.append(try await offPool { try clone.sign(campaign: testCampaign, signer: testSigner("Original", 1), channel: .kiosk) }.code.description)
            try await sign(2, on: other, label: "Other")

            // The original syncs first: nothing is wrong yet. The clone's sync finds the fork.
            let first = try ledgerctl(["sync", hqd.url.absoluteString], data: laptop.folder.path)
            #expect(first.status == 0, "\(first)")
            let second = try ledgerctl(["sync", hqd.url.absoluteString], data: clonePath)
            #expect(second.status == ExitStatus.findings, "\(second)")
            #expect(second.stdout.contains("THIS NODE'S LOG IS FORKED"), "\(second)")
            let status = try ledgerctl(["status"], data: hq.folder.path)
            #expect(status.stdout.contains("FORK: Stall laptop A") && status.stdout.contains("ledgerctl fork adopt"), "\(status)")
            #expect(try hq.store.signatureCounts(campaign: testCampaign)["forked"] == 6)

            // The original learns of it at its next sync and stops recording.
            let third = try ledgerctl(["sync", hqd.url.absoluteString], data: laptop.folder.path)
            #expect(third.status == ExitStatus.findings, "\(third)")
            #expect(third.stdout.contains("THIS NODE'S LOG IS FORKED"), "\(third)")
            let kiosk = try await RunningDaemon.start(data: laptop.folder.path)
            let refused = try await signAtKiosk(kiosk.url, name: "Late Signer", email: "late@example.org")
            #expect(refused.status == 503 && refused.receipt == nil)
            #expect(refused.page.contains("ledgerctl device rekey"))
            _ = await kiosk.stop()

            // One documented command at HQ: every signer on both copies counts, the double one once.
            let adopt = try ledgerctl(["fork", "adopt", String(laptop.key.publicKey.hex.prefix(12)), "--reason", "cloned disk"], data: hq.folder.path)
            #expect(adopt.status == 0, "\(adopt)")
            let counts = try hq.store.signatureCounts(campaign: testCampaign)
            #expect(counts["counted"] == 2 + 3 + 2)  // laptop B has not synced yet
            #expect(counts["duplicate"] == 1)
            for receipt in receipts {
                let seen = try state(of: receipt, at: hq)
                #expect(seen == "counted" || seen == "duplicate")
            }

            // The laptop gets a new key and signs on.
            let rekey = try ledgerctl(["device", "rekey", "--hq", hqd.url.absoluteString], data: laptop.folder.path)
            #expect(rekey.status == 0, "\(rekey)")
            let renewed = try LedgerNode.open(at: laptop.folder.path)
            #expect(renewed.key.publicKey != laptop.key.publicKey)
            try await sign(1, on: renewed, label: "After rekey")

            // Everyone syncs; every node shows the same counts and digest.
            for node in [renewed, clone, other] { _ = try await sync(node, with: hqd.url) }
            for node in [renewed, clone, other] { _ = try await sync(node, with: hqd.url) }
            let digest = try hq.store.readModelDigest()
            for node in [renewed, clone, other] { #expect(try node.store.readModelDigest() == digest) }
            #expect(try hq.store.signatureCounts(campaign: testCampaign)["counted"] == 10)
        }
    }

    @Test("HQ's folder restored from a plain copy: HQ never freezes, the kiosk keeps signing, every signature counts, nodes agree")
    func restoredHQPlainCopy() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqPath = hq.folder.path
            var hqd = try await RunningDaemon.start(data: hqPath)
            let laptop = try await joinLaptop("Laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l").path)
            var receipts: [String] = []
            for number in 1...2 {
                let signed = try await signAtKiosk(hqd.url, name: "Web Signer \(number)", email: "web\(number)@example.org")
                #expect(signed.status == 200)
                receipts += signed.receipt.map { [$0] } ?? []
            }
            // Last night's backup: a plain file copy, taken while ledgerd was stopped.
            _ = await hqd.stop()
            let backup = directory.appendingPathComponent("hq-backup").path
            try copyFolder(hqPath, to: backup)
            hqd = try await RunningDaemon.start(data: hqPath)
            for number in 3...4 {
                receipts += try await signAtKiosk(hqd.url, name: "Web Signer \(number)", email: "web\(number)@example.org").receipt.map { [$0] } ?? []
            }
            receipts += try await sign(2, on: laptop, label: "Laptop").map(\.code.description)
            _ = try await sync(laptop, with: hqd.url)  // the laptop now holds HQ's entries of today

            // HQ's disk dies; the backup goes back in place; HQ serves and signs again.
            _ = await hqd.stop()
            try FileManager.default.removeItem(atPath: hqPath)
            try copyFolder(backup, to: hqPath)
            hqd = try await RunningDaemon.start(data: hqPath)
            defer { hqd.process.kill() }
            for number in 5...6 {
                let signed = try await signAtKiosk(hqd.url, name: "Web Signer \(number)", email: "web\(number)@example.org")
                #expect(signed.status == 200)
                receipts += signed.receipt.map { [$0] } ?? []
            }
            // The laptop brings HQ's lost entries back: a fork of HQ's own log, which freezes nothing.
            // It had witnessed a checkpoint HQ's restored tree cannot extend: HQ starts epoch 2 and
            // the laptop records that, visibly.
            let back = try await sync(laptop, with: hqd.url)
            #expect(back.epochChange?.contains("HQ started epoch 2") == true, "\(back)")
            #expect(back.witnessed?.hasPrefix("epoch 2") == true && back.witnessAlarm == nil, "\(back)")
            let laptopStatus = try ledgerctl(["status"], data: laptop.folder.path)
            #expect(laptopStatus.stdout.contains("NOTICE:") && laptopStatus.stdout.contains("HQ started epoch 2"), "\(laptopStatus)")
            let after = try await signAtKiosk(hqd.url, name: "Web Signer 7", email: "web7@example.org")
            #expect(after.status == 200, "\(after.page.prefix(300))")
            receipts += after.receipt.map { [$0] } ?? []
            _ = try await sync(laptop, with: hqd.url)

            let restored = try LedgerNode.open(at: hqPath)
            let status = try ledgerctl(["status"], data: hqPath)
            #expect(status.stdout.contains("FORK: HQ's own log forked") && status.stdout.contains("nothing to do"), "\(status)")
            #expect(try restored.store.forkedLogs().map(\.held) == [0])
            #expect(receipts.count == 9)
            for receipt in receipts { #expect(try state(of: receipt, at: restored) == "counted") }
            #expect(try restored.store.signatureCounts(campaign: testCampaign) == ["counted": 9])
            #expect(try laptop.store.readModelDigest() == (try restored.store.readModelDigest()))
            let verify = try ledgerctl(["verify", "--full"], data: hqPath)
            #expect(verify.status == ExitStatus.findings, "\(verify)")
            #expect(verify.stdout.contains("intact"), "\(verify)")
        }
    }

    @Test("a laptop restored with 'ledgerctl restore' catches up its own log from HQ before it writes: no fork")
    func laptopRestore() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l").path)
            try PeerBook(folder: laptop.folder).add(hqd.url.absoluteString)
            try await sign(2, on: laptop, label: "Morning")
            _ = try await sync(laptop, with: hqd.url)
            let backupFile = directory.appendingPathComponent("laptop.backup").path
            let backup = try ledgerctl(["backup", "--out", backupFile], data: laptop.folder.path)
            #expect(backup.status == 0, "\(backup)")
            let mode = try FileManager.default.attributesOfItem(atPath: backupFile)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            try await sign(2, on: laptop, label: "Noon")
            _ = try await sync(laptop, with: hqd.url)

            // The laptop's disk dies; the volunteer restores last night's backup on a new disk.
            let newPath = directory.appendingPathComponent("l-new").path
            let restore = try ledgerctl(["restore", backupFile], data: newPath)
            #expect(restore.status == 0, "\(restore)")
            #expect(restore.stdout.contains("Caught up from"), "\(restore)")
            let restored = try LedgerNode.open(at: newPath)
            #expect(try restored.store.heads().first { $0.author == laptop.key.publicKey.hex }?.sequence == 4)
            try await sign(1, on: restored, label: "Evening")
            _ = try await sync(restored, with: hqd.url)
            #expect(try hq.store.forkedLogs().isEmpty)
            #expect(try hq.store.signatureCounts(campaign: testCampaign) == ["counted": 5])

            // Restored while HQ is unreachable: writes wait, and say why.
            let offlinePath = directory.appendingPathComponent("l-offline").path
            try FileManager.default.createDirectory(atPath: offlinePath, withIntermediateDirectories: true)
            _ = await hqd.stop()
            let offline = try ledgerctl(["restore", backupFile], data: offlinePath)
            #expect(offline.status == ExitStatus.findings, "\(offline)")
            #expect(offline.stdout.contains("Writes are held"), "\(offline)")
            let held = try ledgerctl(["sign", "--campaign", testCampaign, "--name", "Held Signer", "--email", "held@example.org"], data: offlinePath)
            #expect(held.status == 3 && held.stderr.contains("restored from a backup"), "\(held)")
        }
    }

    @Test("an enrolled laptop pushing hostile branch entries of a forked log gets 4xx; nothing is stored; the bounds hold")
    func hostileBranches() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptop = try await joinLaptop("Laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l").path)
            let ledger = try laptop.ledgerID
            let own = try await sign(2, on: laptop, label: "L").map(\.entry)
            _ = try await sync(laptop, with: hqd.url)
            // A valid conflicting sequence 2: the log is now forked at HQ.
            let conflict = try handMadeEntry(by: laptop.key, like: own[1], ledger: ledger, sequence: 2, previous: own[0].id)
            let push = { (entries: [String]) async throws -> HTTPAnswer in
                try await TestRequest.signed("POST", "/v1/entries", json: EntryBatch(entries: entries), key: laptop.key, ledger: ledger).send(to: hqd.url)
            }
            let forked = try await push([conflict.wire])
            let forkedResult = try forked.decode(PushResult.self)
            #expect(forked.status == 200 && forkedResult.forks == 1, "\(forked.text)")
            let before = try hq.store.forkEntries().count
            let bigBody = #"{"campaign":"free-the-press","text":""# + String(repeating: "x", count: 60_000) + #"" , "displayName":"X"}"#
            let hostile: [(String, Entry)] = [
                ("unknown type", try rawEntry(by: laptop.key, ledger: ledger, sequence: 2, previous: own[0].id, type: "evil.type", body: "{}")),
                ("random previous", try rawEntry(by: laptop.key, ledger: ledger, sequence: 3, previous: Digest.sha256([9]), type: "comment.posted",
                                                 body: #"{"campaign":"free-the-press","displayName":"X","text":"t"}"#)),
                ("60 KB non-canonical body", try rawEntry(by: laptop.key, ledger: ledger, sequence: 2, previous: own[0].id, type: "comment.posted", body: bigBody)),
            ]
            for (label, entry) in hostile {
                let answer = try await push([entry.wire])
                #expect(answer.status == 422, "\(label): \(answer.status)")
            }
            // 200 such entries in one request: refused whole, nothing stored.
            let flood = try (0..<200).map { try rawEntry(by: laptop.key, ledger: ledger, sequence: 2, previous: own[0].id, type: "evil.type", body: "{\"n\":\($0)}").wire }
            #expect(try await push(flood).status == 422)
            #expect(try hq.store.forkEntries().count == before)
            // The bounds: at most four entries at one sequence.
            let copies = try (0..<4).map { index in
                try handMadeEntry(by: laptop.key, like: own[1], ledger: ledger, sequence: 2, previous: own[0].id, wallOffset: UInt64(index + 10)).wire
            }
            let bounded = try await push(copies)
            #expect(bounded.status == 200)
            #expect(try bounded.decode(PushResult.self).refused == 2, "\(bounded.text)")
            let verify = try ledgerctl(["verify", "--full"], data: hq.folder.path)
            #expect(verify.status == ExitStatus.findings, "\(verify)")
            #expect(try await TestRequest(method: "GET", path: "/healthz").send(to: hqd.url).status == 200)
        }
    }

    @Test("kill -9 during a sync ingest leaves HQ intact; the next sync completes with nothing twice")
    func killDuringIngest() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            var hqd = try await RunningDaemon.start(data: hq.folder.path)
            let laptop = try await joinLaptop("Laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l").path)
            try await sign(1_500, on: laptop, label: "Busy")
            // Bytes HQ's process has written so far (/proc/PID/io): a pushed batch is hundreds of KB.
            let io = "/proc/\(hqd.process.pid)/io"
            func written() -> Int {
                let text = (try? String(contentsOfFile: io, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").first { $0.hasPrefix("wchar:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
            let quiet = written()
            let url = hqd.url
            let syncing = Task.detached { try ledgerctl(["sync", url.absoluteString], data: laptop.folder.path) }
            // Kill HQ as soon as it writes a pushed batch (the requests before write a few KB).
            for _ in 0..<10_000 where written() < quiet + 128_000 { try await Task.sleep(for: .milliseconds(1)) }
            hqd.process.killNow()
            let heldAtKill = try entries(of: laptop.key.publicKey, in: hq.store).count
            _ = try await syncing.value  // fails, or finished just before the kill
            hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            // Intact; at most the payloads of a stored batch are still missing (they follow their entries).
            let audit = try Auditor(store: hq.store).run(mode: .full)
            #expect(audit.faults.allSatisfy { $0.kind == .missingPayload }, "\(audit.faults.prefix(3))")
            let again = try ledgerctl(["sync", hqd.url.absoluteString], data: laptop.folder.path)
            #expect(again.status == 0, "\(again)")
            #expect([0, 1_000, 1_500].contains(heldAtKill), "a batch is stored whole or not at all: \(heldAtKill)")
            let counts = try hq.store.signatureCounts(campaign: testCampaign)
            #expect(counts == ["counted": 1_500], "held at kill \(heldAtKill); \(again)")
            #expect(try hq.store.readModelDigest() == (try laptop.store.readModelDigest()))
            #expect(try ledgerctl(["verify", "--full"], data: hq.folder.path).status == 0)
        }
    }

    @Test("HQ stopped between a push's commit and its pass: the next start writes the signer references and erasures that were due, before it serves")
    func passCaughtUpAtStart() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            var hqd = try await RunningDaemon.start(data: hq.folder.path)
            let laptop = try await joinLaptop("Laptop", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l").path)
            _ = await hqd.stop()
            let receipts = try await sign(40, on: laptop, label: "Pending")
            try laptop.withdraw(receipt: receipts[0].code, erase: true)
            // What a push leaves committed when the process dies before the pass that follows it.
            _ = try hq.store.ingest(try entries(of: laptop.key.publicKey, in: laptop.store), payloads: try laptop.store.payloads(), verification: .fast)
            #expect(try hq.store.signatureCounts(campaign: testCampaign) == ["unchecked": 39, "withdrawn": 1])
            let erasing = receipts[0].entry.id
            #expect(try !hq.store.isErased(signature: erasing))

            hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            // The daemon answers only once the pass is done.
            #expect(try hq.store.signatureCounts(campaign: testCampaign) == ["counted": 39, "withdrawn": 1])
            #expect(try hq.store.isErased(signature: erasing))
            let sync = try ledgerctl(["sync", hqd.url.absoluteString], data: laptop.folder.path)
            #expect(sync.status == 0, "\(sync)")
            #expect(try laptop.store.readModelDigest() == (try hq.store.readModelDigest()))
        }
    }

    @Test("a signed request captured before a restart is refused after it")
    func replayAfterRestart() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            var hqd = try await RunningDaemon.start(data: hq.folder.path)
            let request = try TestRequest.signed("GET", "/v1/heads", key: hq.key, ledger: try hq.ledgerID)
            #expect(try await request.send(to: hqd.url).status == 200)
            _ = await hqd.stop()
            hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let replay = try await request.send(to: hqd.url)
            #expect(replay.status == 401)
            #expect(replay.problem?.error.contains("replayed") == true)
        }
    }
}

/// An entry with any type and body, signed by `key`: what a buggy or hostile device could send.
func rawEntry(by key: SigningKey, ledger: Digest, sequence: UInt64, previous: Digest, type: String, body: String) throws -> Entry {
    let draft = EntryDraft(ledger: ledger, author: key.publicKey, sequence: sequence, previous: previous,
                           timestamp: HLCTimestamp(wall: SystemClock().nowMillis() + 50, counter: 0), type: type, body: Array(body.utf8))
    let signed = try draft.signedBytes()
    return try Entry(bytes: signed + (try key.sign(Entry.signingContext + signed)))
}

/// `ledgerctl`'s exit statuses, by meaning (docs/CLI.md).
enum ExitStatus {
    /// Done, with forks or evidence found or stored.
    static let findings: Int32 = 4
}
