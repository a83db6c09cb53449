import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

@Suite("POST /v1/join")
struct JoinControllerTests {
    /// A join request for `device` with the invitation in `token`, signed by `signer` (the device by default).
    func joinRequest(_ token: JoinToken, device: SigningKey, proofSecret: [UInt8]? = nil, signer: SigningKey? = nil) throws -> TestRequest {
        let ledger = try #require(Digest(hex: token.ledger))
        let secret = try proofSecret ?? #require(Hex.decode(token.secret))
        let proof = JoinToken.proof(secret: secret, ledger: ledger, device: device.publicKey)
        return try .signed("POST", "/v1/join", json: JoinRequest(device: device.publicKey.hex, proof: Hex.encode(proof)), key: signer ?? device, ledger: ledger)
    }

    func send(_ request: TestRequest, to client: some TestClientProtocol) async throws -> HTTPAnswer {
        try await client.execute(uri: request.path, method: .post, headers: HTTPFields(request.headers), body: ByteBuffer(bytes: request.body)) { response in
            HTTPAnswer(status: Int(response.status.code), body: Data(response.body.readableBytesView))
        }
    }

    @Test("enrols the device whose proof matches an unused invitation, once")
    func enrolsOnce() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let token = try hq.invite(name: "Stall laptop 3", url: "http://127.0.0.1:9")
            let device = SigningKey()
            let app = buildApplication(node: hq, logger: quietLogger())
            try await app.test(.router) { client in
                let request = try joinRequest(token, device: device)
                let answer = try await send(request, to: client)
                #expect(answer.status == 200, "\(answer.text)")
                let joined = try answer.decode(JoinResponse.self)
                #expect(joined.enrolled == device.publicKey.hex)
                #expect(joined.name == "Stall laptop 3")
                #expect(joined.role == .field)
                #expect(try hq.store.devices().map(\.device) == [device.publicKey.hex])

                let replayed = try await send(request, to: client)
                #expect(replayed.status == 401)
                let again = try await send(try joinRequest(token, device: device), to: client)
                #expect(again.status == 403)
                #expect(again.problem?.error.contains("already used") == true)
            }
        }
    }

    @Test("refuses a wrong proof, a request signed by another key, and an unsigned request; enrols nobody")
    func refuses() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let token = try hq.invite(name: "Stall laptop 3", url: "http://127.0.0.1:9")
            let device = SigningKey()
            let app = buildApplication(node: hq, logger: quietLogger())
            try await app.test(.router) { client in
                let wrongProof = try await send(try joinRequest(token, device: device, proofSecret: [UInt8](repeating: 7, count: 32)), to: client)
                #expect(wrongProof.status == 403)
                #expect(wrongProof.problem?.error.contains("join token is unknown") == true)

                let otherSigner = try await send(try joinRequest(token, device: device, signer: SigningKey()), to: client)
                #expect(otherSigner.status == 403)
                #expect(otherSigner.problem?.error.contains("signed by the joining device's key") == true)

                var unsigned = try joinRequest(token, device: device)
                unsigned.headers = [:]
                let answer = try await send(unsigned, to: client)
                #expect(answer.status == 401)
                #expect(answer.problem?.error.contains("missing header") == true)

                var malformed = try TestRequest.signed("POST", "/v1/join", body: Array("{}".utf8), key: device, ledger: try hq.ledgerID)
                malformed.method = "POST"
                let badBody = try await send(malformed, to: client)
                #expect(badBody.status == 400)
                #expect(badBody.problem?.error.contains("missing field device") == true)
            }
            #expect(try hq.store.devices().isEmpty)
        }
    }

    @Test("refuses an expired token with 403 naming when it expired; enrols nobody")
    func refusesExpired() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let token = try hq.invite(name: "Stall laptop 3", url: "http://127.0.0.1:9", validFor: 1)
            try await Task.sleep(for: .milliseconds(20))
            let app = buildApplication(node: hq, logger: quietLogger())
            try await app.test(.router) { client in
                let answer = try await send(try joinRequest(token, device: SigningKey()), to: client)
                #expect(answer.status == 403)
                #expect(answer.problem?.error.contains("join token expired at") == true, "\(answer.text)")
            }
            #expect(try hq.store.devices().isEmpty)
        }
    }
}
