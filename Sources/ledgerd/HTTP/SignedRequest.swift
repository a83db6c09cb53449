import Foundation
import Hummingbird
import Ledger

/// A request body read within ``SyncLimits/maxBodyBytes``, whose signature headers were checked
/// before anything in it was parsed (docs/PROTOCOL.md, "Authentication").
///
/// For example:
/// ```swift
/// let signed = try await SignedRequest.authenticate(request, service: service)
/// let batch = try signed.decode(EntryBatch.self)
/// ```
struct SignedRequest: Sendable {
    /// The exact body bytes, as signed.
    let body: [UInt8]
    /// The enrolled node that signed the request.
    let sender: RequestVerifier.Sender

    /// Reads the body and checks the signature against the node's ledger and trust policy.
    static func authenticate(_ request: Request, service: SyncService) async throws -> SignedRequest {
        let body = try await request.limitedBody()
        let headers = request.headers
        let method = request.method.rawValue
        let path = request.signedPath
        let sender = try await Blocking.run {
            try service.authenticate(header: { headers.value(named: $0) }, method: method, path: path, body: body)
        }
        return SignedRequest(body: body, sender: sender)
    }

    /// Decodes the body as JSON; 400 with the reason when it does not fit `type`.
    func decode<Body: Decodable>(_ type: Body.Type) throws -> Body {
        try Request.decodeJSON(type, from: body)
    }
}

extension Request {
    /// The path and query string exactly as the client sent them: what the signature covers.
    var signedPath: String { head.path ?? uri.description }

    /// The body, at most ``SyncLimits/maxBodyBytes``: 413 as soon as the declared length or the
    /// bytes read so far go past it, without reading further.
    func limitedBody() async throws -> [UInt8] {
        let limit = SyncLimits.maxBodyBytes
        let tooLarge = ProblemError(status: .contentTooLarge, error: "the request body is larger than \(limit) bytes; send smaller batches")
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit { throw tooLarge }
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge  // NIO's NIOTooManyBytesError
        }
    }

    /// Decodes a JSON body strictly (no duplicate members, docs/PROTOCOL.md); 400 with a short
    /// reason (the field, never the value) when it does not fit.
    static func decodeJSON<Body: Decodable>(_ type: Body.Type, from body: [UInt8]) throws -> Body {
        do {
            return try StrictJSON.decode(type, from: body)
        } catch let error as StrictJSON.Failure {
            throw ProblemError(status: .badRequest, error: "malformed JSON body: \(error)")
        } catch {
            throw ProblemError(status: .badRequest, error: "malformed JSON body")
        }
    }
}

extension HTTPFields {
    /// The value of the field `name` (any case), nil when absent; repeated fields joined by ", ".
    func value(named name: String) -> String? {
        let lowered = name.lowercased()
        let values = filter { $0.name.canonicalName == lowered }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}
