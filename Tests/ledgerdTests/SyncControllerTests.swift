import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

@Suite("The sync routes, in process")
struct SyncControllerTests {
    func send(_ request: TestRequest, to client: some TestClientProtocol) async throws -> HTTPAnswer {
        let method: HTTPRequest.Method = request.method == "GET" ? .get : .post
        return try await client.execute(uri: request.path, method: method, headers: HTTPFields(request.headers),
                                        body: request.body.isEmpty ? nil : ByteBuffer(bytes: request.body)) { response in
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            return HTTPAnswer(status: Int(response.status.code), body: Data(response.body.readableBytesView))
        }
    }

    @Test("serves heads and entries in batches to an enrolled key")
    func servesEntries() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let ledger = try hq.ledgerID
            try await app(hq).test(.router) { client in
                let heads = try await send(try .signed("GET", "/v1/heads", key: hq.key, ledger: ledger), to: client)
                #expect(heads.status == 200)
                #expect(try heads.decode(HeadsResponse.self) == HeadsResponse(ledger: ledger.hex, heads: try hq.store.heads()))

                let fetch = FetchRequest(from: [.init(author: hq.key.publicKey.hex, after: 0)], limit: 1)
                let first = try await send(try .signed("POST", "/v1/entries/fetch", json: fetch, key: hq.key, ledger: ledger), to: client)
                let batch = try first.decode(EntryBatch.self)
                #expect(batch.entries.count == 1 && batch.more == true)
                #expect(try Entry(bytes: Array(try #require(Data(base64Encoded: batch.entries[0])))).id == ledger)
            }
        }
    }

    @Test("answers 413 for a batch over the entry limit, 400 for bad base64 and for a wrong JSON shape")
    func refusesMalformedBatches() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let ledger = try hq.ledgerID
            try await app(hq).test(.router) { client in
                let tooMany = EntryBatch(entries: Array(repeating: "AA==", count: SyncLimits.maxBatchEntries + 1))
                let large = try await send(try .signed("POST", "/v1/entries", json: tooMany, key: hq.key, ledger: ledger), to: client)
                #expect(large.status == 413)
                #expect(large.problem?.error.contains("at most 2000 entries") == true)

                let notBase64 = try await send(try .signed("POST", "/v1/entries", json: EntryBatch(entries: ["%%%"]), key: hq.key, ledger: ledger), to: client)
                #expect(notBase64.status == 400)
                #expect(notBase64.problem?.error == "entry 0 is not base64")

                let shape = try await send(try .signed("POST", "/v1/entries/fetch", body: Array(#"{"from": 3, "limit": 10}"#.utf8), key: hq.key, ledger: ledger), to: client)
                #expect(shape.status == 400)
                #expect(shape.problem?.error == "malformed JSON body: from: expected Array<Any>")
            }
            #expect(try hq.store.entryCount() == 2)
        }
    }

    @Test("a captured signed request is refused after a restart too (nonces are kept in the store)")
    func replayAfterRestart() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let request = try TestRequest.signed("GET", "/v1/heads", key: hq.key, ledger: try hq.ledgerID)
            try await app(hq).test(.router) { client in
                let first = try await send(request, to: client)
                let again = try await send(request, to: client)
                #expect(first.status == 200)
                #expect(again.status == 401)
            }
            // A new process: a new router and verifier, nothing in memory, the same data folder.
            let reopened = try LedgerNode.open(at: hq.folder.path)
            try await app(reopened).test(.router) { client in
                let replay = try await send(request, to: client)
                #expect(replay.status == 401)
                #expect(replay.problem?.error.contains("replayed") == true)
                let fresh = try TestRequest.signed("GET", "/v1/heads", key: hq.key, ledger: try hq.ledgerID)
                let answer = try await send(fresh, to: client)
                #expect(answer.status == 200)
            }
        }
    }

    @Test("answers 503 while the node holds no ledger yet")
    func noLedgerYet() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let token = try hq.invite(name: "Laptop", url: "http://127.0.0.1:9")
            let laptop = try LedgerNode.createFromToken(at: directory.appendingPathComponent("laptop").path, token: token)
            try await app(laptop).test(.router) { client in
                let answer = try await send(try .signed("GET", "/v1/heads", key: hq.key, ledger: try hq.ledgerID), to: client)
                #expect(answer.status == 503)
                #expect(answer.problem?.error.contains("holds no ledger yet") == true)
            }
        }
    }

    func app(_ node: LedgerNode) -> some ApplicationProtocol {
        buildApplication(node: node, logger: quietLogger())
    }
}
