import Foundation
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

@Suite("GET /healthz and unknown paths")
struct HealthControllerTests {
    @Test("answers 200 ok when the store answers")
    func healthy() async throws {
        try await withTemporaryDirectory { directory in
            let app = buildApplication(node: try makeHQNode(in: directory), logger: quietLogger())
            try await app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(decoding: response.body.readableBytesView, as: UTF8.self) == "ok\n")
                }
            }
        }
    }

    // "/" is the kiosk page.
    @Test("answers 404 for a path it does not serve", arguments: ["/nope", "/v1", "/v1/nope", "/info", "/healthz/x"])
    func unknownPath(path: String) async throws {
        try await withTemporaryDirectory { directory in
            let app = buildApplication(node: try makeHQNode(in: directory), logger: quietLogger())
            try await app.test(.router) { client in
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
