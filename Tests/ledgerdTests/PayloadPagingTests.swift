import Foundation
import Ledger
import Testing

@testable import ledgerd

/// More payloads than one page of `/v1/payloads/wanted` (500) must all arrive, both ways.
@Suite("Payload paging, end to end", .timeLimit(.minutes(2)))
struct PayloadPagingTests {
    @Test("1,100 payloads travel from a laptop to HQ and back to a second laptop, none left behind")
    func manyPayloads() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let hqd = try await RunningDaemon.start(data: hq.folder.path)
            defer { hqd.process.kill() }
            let laptopA = try await joinLaptop("Laptop A", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("a").path)
            let laptopB = try await joinLaptop("Laptop B", hq: hq, hqURL: hqd.url, at: directory.appendingPathComponent("b").path)
            try await sign(1_100, on: laptopA, label: "A")

            let push = try await sync(laptopA, with: hqd.url)
            #expect(push.pushed == 1_100)
            #expect(push.payloadsOut == 1_100)
            #expect(try hq.store.wantedPayloads(limit: 10).isEmpty)

            let pull = try await sync(laptopB, with: hqd.url)
            #expect(pull.payloadsIn == 1_100)
            #expect(try laptopB.store.wantedPayloads(limit: 10).isEmpty)
            #expect(try hq.delivery(campaign: testCampaign).header.missingPayloads == 0)
        }
    }
}
