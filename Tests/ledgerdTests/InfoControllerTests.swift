import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

@Suite("GET /v1/info")
struct InfoControllerTests {
    @Test("unsigned, says only that it is a ledgerd and is ready: no ledger id, name, key or heads")
    func tellsStrangersNothing() async throws {
        try await withTemporaryDirectory { directory in
            let node = try makeHQNode(in: directory, name: "Amnesty Test")
            let app = buildApplication(node: node, logger: quietLogger())
            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/info", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = Data(response.body.readableBytesView)
                    let info = try JSONDecoder().decode(InfoController.PublicInfo.self, from: body)
                    #expect(info == InfoController.PublicInfo(ready: true))
                    let text = String(decoding: body, as: UTF8.self)
                    #expect(!text.contains(try node.ledgerID.hex.prefix(8)) && !text.contains(node.key.publicKey.hex.prefix(8)))
                    #expect(!text.contains("Amnesty"))
                }
            }
        }
    }

    @Test("signed by an enrolled node, describes the node: ledger id, name, key, role, entry count and log heads")
    func describesTheNode() async throws {
        try await withTemporaryDirectory { directory in
            let node = try makeHQNode(in: directory, name: "Amnesty Test")
            let app = buildApplication(node: node, logger: quietLogger())
            let expectedHeads = try node.store.heads()
            let signed = try TestRequest.signed("GET", "/v1/info", key: node.key, ledger: try node.ledgerID)

            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/info", method: .get, headers: HTTPFields(signed.headers)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    let info = try JSONDecoder().decode(NodeInfo.self, from: Data(response.body.readableBytesView))
                    #expect(info.ledger == (try node.ledgerID).hex)
                    #expect(info.name == "Amnesty Test")
                    #expect(info.node == node.key.publicKey.hex)
                    #expect(info.fingerprint == node.key.publicKey.fingerprint)
                    #expect(info.role == "hq")
                    #expect(info.entries == 2)
                    #expect(info.heads == expectedHeads)
                    #expect(info.heads.count == 1)
                    #expect(info.heads.first?.author == node.key.publicKey.hex)
                    #expect(info.heads.first?.sequence == 2)
                }
            }
        }
    }

    @Test("answers other methods with 404, as Hummingbird does")
    func answersOnlyGet() async throws {
        try await withTemporaryDirectory { directory in
            let app = buildApplication(node: try makeHQNode(in: directory), logger: quietLogger())
            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/info", method: .post) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
