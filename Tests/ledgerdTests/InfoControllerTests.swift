import Foundation
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

@Suite("GET /v1/info")
struct InfoControllerTests {
    @Test("describes the node: ledger id, name, key, role, entry count and log heads")
    func describesTheNode() async throws {
        try await withTemporaryDirectory { directory in
            let node = try makeHQNode(in: directory, name: "Amnesty Test")
            let app = buildApplication(node: node, logger: quietLogger())
            let expectedHeads = try node.store.heads()

            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/info", method: .get) { response in
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
