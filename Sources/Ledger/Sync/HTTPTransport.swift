import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failed exchange with a peer.
public enum PeerError: Error, CustomStringConvertible, Equatable {
    case unreachable(peer: String, reason: String)
    case refused(peer: String, status: Int, message: String)
    case protocolError(peer: String, reason: String)
    case otherLedger(peer: String)

    public var description: String {
        switch self {
        case .unreachable(let peer, let reason): return "cannot reach \(peer): \(reason)"
        case .refused(let peer, let status, let message): return "\(peer) refused the request (HTTP \(status)): \(message)"
        case .protocolError(let peer, let reason): return "\(peer) answered something unexpected: \(reason)"
        case .otherLedger(let peer): return "\(peer) is a node of another ledger"
        }
    }
}

/// Signed JSON requests to one peer over HTTP, with URLSession's async API: a request in flight
/// holds no thread, and cancelling the calling task cancels the request (docs/PROTOCOL.md,
/// "The client").
final class HTTPTransport: @unchecked Sendable {
    // @unchecked: the byte counters are the only mutable state, and change only under `countersLock`.
    let base: URL
    let key: SigningKey
    let ledger: Digest
    let session: URLSession
    let wallClock: any WallClock
    /// HQ's `device.enrolled` entry for `key`, sent with every request, so a peer that has not
    /// seen that enrolment yet still knows who is asking (docs/PROTOCOL.md, "Authentication").
    let enrolment: Entry?
    private let countersLock = NSLock()
    private var sent = 0
    private var received = 0
    /// Request body bytes sent so far.
    var bytesSent: Int { countersLock.withLock { sent } }
    /// Response body bytes received so far.
    var bytesReceived: Int { countersLock.withLock { received } }

    init(base: URL, key: SigningKey, ledger: Digest, timeout: TimeInterval = 60, wallClock: any WallClock = SystemClock(), enrolment: Entry? = nil) {
        self.base = base
        self.key = key
        self.ledger = ledger
        self.enrolment = enrolment
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
        self.wallClock = wallClock
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    var peer: String { base.absoluteString }

    func get<Response: Decodable>(_ path: String, as type: Response.Type) async throws -> Response {
        try await send("GET", path, body: [], as: type)
    }

    func post<Request: Encodable, Response: Decodable>(_ path: String, _ request: Request, as type: Response.Type) async throws -> Response {
        try await send("POST", path, body: Array(try JSONEncoder().encode(request)), as: type)
    }

    private func send<Response: Decodable>(_ method: String, _ path: String, body: [UInt8], as type: Response.Type) async throws -> Response {
        guard let url = URL(string: path, relativeTo: base) else { throw PeerError.protocolError(peer: peer, reason: "bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if !body.isEmpty {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        let signedPath = (components?.percentEncodedPath ?? url.path) + (components?.percentEncodedQuery.map { "?" + $0 } ?? "")
        for (name, value) in try RequestAuth.headers(key: key, ledger: ledger, method: method, path: signedPath, body: body, now: wallClock.nowMillis()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if let enrolment { request.setValue(Data(enrolment.bytes).base64EncodedString(), forHTTPHeaderField: RequestAuth.Header.enrolment) }
        let (data, response) = try await perform(request)
        countersLock.withLock {
            sent += body.count
            received += data.count
        }
        guard (200..<300).contains(response.statusCode) else {
            let message = (try? StrictJSON.decode(ProblemResponse.self, from: data))?.error ?? String(decoding: data.prefix(200), as: UTF8.self)
            throw PeerError.refused(peer: peer, status: response.statusCode, message: message)
        }
        do {
            return try StrictJSON.decode(Response.self, from: data)
        } catch {
            throw PeerError.protocolError(peer: peer, reason: "\(method) \(path): \(error)")
        }
    }

    private func perform(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        try Task.checkCancellation()
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            // A request cancelled with its task is a cancellation, not an unreachable peer.
            if Task.isCancelled || (error as? URLError)?.code == .cancelled { throw CancellationError() }
            throw PeerError.unreachable(peer: peer, reason: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else { throw PeerError.unreachable(peer: peer, reason: "no HTTP response") }
        return (data, http)
    }
}
