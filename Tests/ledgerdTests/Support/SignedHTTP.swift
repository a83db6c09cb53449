import Foundation
import Ledger
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A raw HTTP request to ledgerd, signed or not, for tests that send what `SyncClient` never would.
///
/// For example:
/// ```swift
/// let request = try TestRequest.signed("GET", "/v1/heads", key: laptop.key, ledger: try laptop.ledgerID)
/// let answer = try await request.send(to: hq.url)
/// #expect(answer.status == 200)
/// ```
struct TestRequest: Sendable {
    var method: String
    var path: String
    var body: [UInt8] = []
    var headers: [String: String] = [:]

    /// A request signed by `key` for `ledger` at `time` (now by default).
    static func signed(_ method: String, _ path: String, body: [UInt8] = [], key: SigningKey, ledger: Digest,
                       time: UInt64 = SystemClock().nowMillis()) throws -> TestRequest {
        let headers = try RequestAuth.headers(key: key, ledger: ledger, method: method, path: path, body: body, now: time)
        return TestRequest(method: method, path: path, body: body, headers: headers)
    }

    /// A request with a JSON body, signed by `key` for `ledger`.
    static func signed(_ method: String, _ path: String, json: some Encodable, key: SigningKey, ledger: Digest) throws -> TestRequest {
        try signed(method, path, body: Array(try JSONEncoder().encode(json)), key: key, ledger: ledger)
    }

    /// Sends it to the server at `base`.
    func send(to base: URL) async throws -> HTTPAnswer {
        var request = URLRequest(url: try #require(URL(string: path, relativeTo: base)), timeoutInterval: 20)
        request.httpMethod = method
        if !body.isEmpty { request.httpBody = Data(body) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession(configuration: .ephemeral).data(for: request)
        return HTTPAnswer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }
}

/// What the server answered.
struct HTTPAnswer: Sendable {
    var status: Int
    var body: Data

    /// The JSON error body, when it is one.
    var problem: ProblemResponse? { try? JSONDecoder().decode(ProblemResponse.self, from: body) }

    /// The body as `type`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }

    var text: String { String(decoding: body, as: UTF8.self) }
}

extension Entry {
    /// Base64 of the exact bytes, as entries travel.
    var wire: String { Data(bytes).base64EncodedString() }
}

/// An entry by `key`, built by hand (the first of its log), with the body and type of `model`.
func handMadeEntry(by key: SigningKey, like model: Entry, ledger: Digest, signedBy signer: SigningKey? = nil,
                   sequence: UInt64 = 1, previous: Digest = .zero, wallOffset: UInt64 = 0) throws -> Entry {
    let draft = EntryDraft(
        ledger: ledger, author: key.publicKey, sequence: sequence, previous: previous,
        timestamp: HLCTimestamp(wall: SystemClock().nowMillis() + wallOffset, counter: 0), type: model.type, body: model.body,
        payloadDigest: model.payloadDigest)
    guard let signer, signer.publicKey != key.publicKey else { return try Entry.sign(draft, with: key) }
    let signed = try draft.signedBytes()
    return try Entry(bytes: signed + (try signer.sign(Entry.signingContext + signed)))
}
