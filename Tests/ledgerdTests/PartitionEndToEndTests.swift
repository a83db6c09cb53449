import Foundation
import Ledger
import Testing

@testable import ledgerd

/// HQ and four laptops, each a real `ledgerd` on a loopback port, through seeded random schedules
/// of signatures, withdrawals, syncs, partitions and heals. At the end, after the network heals,
/// every node shows the same read-model digest and every receipt a signer was given is counted
/// exactly once (or withdrawn, when the signer withdrew it).
///
/// `make test` runs 20 schedules; `make soak` runs 100 (`LEDGER_SOAK_SCHEDULES`).
@Suite("Partitions, end to end", .serialized, .timeLimit(.minutes(20)))
struct PartitionEndToEndTests {
    static let schedules: [UInt64] = {
        let count = ProcessInfo.processInfo.environment["LEDGER_SOAK_SCHEDULES"].flatMap(Int.init) ?? 20
        return (0..<UInt64(max(1, count))).map { 1_000 + $0 }
    }()

    @Test("after any schedule of partitions and heals, every node agrees and every receipt counts once", arguments: schedules)
    func schedule(seed: UInt64) async throws {
        try await withTemporaryDirectory { directory in
            var random = SeededRandom(seed: seed)
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            var nodes: [LedgerNode] = [hq]
            var urls: [URL] = [hqd.url]
            var daemons: [RunningDaemon] = [hqd]
            defer { for daemon in daemons { daemon.process.kill() } }
            for index in 1...4 {
                let laptop = try await joinLaptop("Laptop \(index)", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("l\(index)").path)
                nodes.append(laptop)
            }
            // Every laptop learns every enrolment, then serves its own ledgerd.
            for laptop in nodes.dropFirst() { _ = try await sync(laptop, with: hqd.url) }
            for laptop in nodes.dropFirst() {
                let daemon = try await RunningDaemon.start(data: laptop.folder.path)
                daemons.append(daemon)
                urls.append(daemon.url)
            }

            // The network: which pairs can reach each other. Everything starts connected.
            var up: Set<[Int]> = []
            for a in 0..<5 { for b in (a + 1)..<5 { up.insert([a, b]) } }
            var receipts: [(code: String, withdrawn: Bool)] = []
            var signed = 0
            var log: [String] = []
            for step in 0..<40 {
                switch Int.random(in: 0..<100, using: &random) {
                case 0..<40:
                    let at = Int.random(in: 0..<5, using: &random)
                    signed += 1
                    let number = signed
                    let node = nodes[at]
                    let code = try await offPool {
                        try node.sign(campaign: testCampaign, signer: testSigner("P\(seed)", number), channel: .kiosk).code.description
                    }
                    receipts.append((code, false))
                    log.append("\(step): sign at \(at)")
                case 40..<48 where !receipts.isEmpty:
                    // A signer withdraws at any node that already holds the signature.
                    let pick = Int.random(in: 0..<receipts.count, using: &random)
                    let at = Int.random(in: 0..<5, using: &random)
                    guard !receipts[pick].withdrawn, let code = ReceiptCode(parsing: receipts[pick].code) else { break }
                    let node = nodes[at]
                    let done = try await offPool { () -> Bool in
                        do {
                            _ = try node.withdraw(receipt: code)
                            return true
                        } catch NodeError.unknownReceipt {
                            return false  // not here yet: the signer would try elsewhere
                        }
                    }
                    if done { receipts[pick].withdrawn = true }
                    log.append("\(step): withdraw at \(at): \(done)")
                case 48..<58:
                    let pair = [Int.random(in: 0..<5, using: &random), Int.random(in: 0..<5, using: &random)].sorted()
                    if pair[0] != pair[1] { up.remove(pair) }
                    log.append("\(step): cut \(pair)")
                case 58..<66:
                    let pair = [Int.random(in: 0..<5, using: &random), Int.random(in: 0..<5, using: &random)].sorted()
                    if pair[0] != pair[1] { up.insert(pair) }
                    log.append("\(step): heal \(pair)")
                default:
                    let from = Int.random(in: 0..<5, using: &random)
                    let to = Int.random(in: 0..<5, using: &random)
                    guard from != to, up.contains([from, to].sorted()) else { break }
                    _ = try await sync(nodes[from], with: urls[to])
                    log.append("\(step): sync \(from) -> \(to)")
                }
            }

            // The network heals: every laptop syncs with HQ, then with every other laptop, twice.
            for _ in 0..<2 {
                for from in 1..<5 { _ = try await sync(nodes[from], with: urls[0]) }
                for from in 1..<5 { for to in 1..<5 where to != from { _ = try await sync(nodes[from], with: urls[to]) } }
            }
            let digest = try hq.store.readModelDigest()
            let context = "seed \(seed): \(log.joined(separator: "; "))"
            for (index, node) in nodes.enumerated() {
                #expect(try node.store.readModelDigest() == digest, "node \(index), \(context)")
            }
            let withdrawn = receipts.filter(\.withdrawn).count
            let counts = try hq.store.signatureCounts(campaign: testCampaign)
            #expect(counts["counted", default: 0] == receipts.count - withdrawn, "\(counts), \(context)")
            #expect(counts["withdrawn", default: 0] == withdrawn, "\(counts), \(context)")
            for receipt in receipts {
                #expect(try state(of: receipt.code, at: hq) == (receipt.withdrawn ? "withdrawn" : "counted"), "\(context)")
            }
            #expect(try hq.store.forkedLogs().isEmpty)
            #expect(try Auditor(store: hq.store).run(mode: .full).faults.isEmpty, "\(context)")
        }
    }
}

/// A deterministic pseudo-random generator (SplitMix64), so a failing schedule can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
