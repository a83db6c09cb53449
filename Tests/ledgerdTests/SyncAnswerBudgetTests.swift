import Foundation
import Ledger
import Testing

@testable import ledgerd

/// `SyncService` cuts its answers of entries and payloads at a byte budget, always sending at
/// least one item, and says there is more (docs/PROTOCOL.md, "Limits").
@Suite("Sync answers: cut at the byte budget")
struct SyncAnswerBudgetTests {
    /// Size of an item of an answer as the budget counts it: its base64 text and `"",`.
    private func size(_ text: String) -> Int { text.utf8.count + 3 }

    /// An HQ in `directory` that signed 25 signatures, its log, and its sync service with
    /// answers cut at `budget` bytes.
    private func served(in directory: URL, budget: Int) async throws -> (author: PublicKey, log: [Entry], service: SyncService) {
        let hq = try makeHQNode(in: directory)
        try await sign(25, on: hq, label: "Q")
        let author = try hq.ledgerHQ()
        var service = SyncService(node: hq)
        service.answerBudget = budget
        return (author, try entries(of: author, in: hq.store), service)
    }

    @Test("entries/fetch: each answer within the budget, `more` until the last, every entry once in order", arguments: [1, 1_500, 4_000])
    func fetch(budget: Int) async throws {
        try await withTemporaryDirectory { directory in
            let (author, all, service) = try await served(in: directory, budget: budget)
            var after: UInt64 = 0
            var got: [String] = []
            var answers = 0
            while true {
                let answer = try service.fetch(FetchRequest(from: [.init(author: author.hex, after: after)], limit: 1_000))
                answers += 1
                #expect(!answer.entries.isEmpty)
                #expect(answer.entries.count == 1 || answer.entries.map(size).reduce(0, +) <= budget)
                got += answer.entries
                after += UInt64(answer.entries.count)
                if answer.more != true { break }
            }
            #expect(got == all.map { Data($0.bytes).base64EncodedString() })
            #expect(answers > 1)
            if budget == 1 { #expect(answers == all.count) }
        }
    }

    @Test("entries/chain: cut answers walk back to sequence 1, `more` on every cut")
    func chain() async throws {
        try await withTemporaryDirectory { directory in
            let (author, all, service) = try await served(in: directory, budget: 1_500)
            var head = try #require(all.last).id
            var walked: [Entry] = []
            while true {
                let answer = try service.chain(ChainRequest(author: author.hex, head: head.hex, limit: 1_000))
                let page = try answer.entries.map { try Entry(bytes: Array(try #require(Data(base64Encoded: $0)))) }
                #expect(!page.isEmpty && page.count < all.count)
                walked += page
                guard answer.more == true else { break }
                head = try #require(page.last).previous
            }
            #expect(walked.map(\.id) == all.reversed().map(\.id))
        }
    }

    @Test("payloads/fetch: a cut answer carries a prefix of what was asked, each within the budget")
    func payloads() async throws {
        try await withTemporaryDirectory { directory in
            let (_, log, service) = try await served(in: directory, budget: 1_500)
            let digests = log.compactMap(\.payloadDigest)
            #expect(digests.count == 25)
            var asked = digests
            var rounds = 0
            while !asked.isEmpty {
                let answer = try service.fetchPayloads(DigestList(digests: asked.map(\.hex)))
                rounds += 1
                #expect(!answer.payloads.isEmpty)
                #expect(answer.payloads.count == 1 || answer.payloads.map(size).reduce(0, +) <= 1_500)
                let received = try answer.payloads.map { Digest.sha256(try #require(Data(base64Encoded: $0))) }
                #expect(received == Array(asked.prefix(received.count)))
                asked.removeFirst(received.count)
            }
            #expect(rounds > 1)
        }
    }
}
