import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

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

/// Signed JSON requests to one peer over HTTP, on AsyncHTTPClient: a request in flight holds no
/// thread, cancelling the calling task cancels the request, and an answer is read only up to
/// ``SyncLimits/maxAnswerBytes`` (a peer that sends more, or declares more in `Content-Length`,
/// is cut off there, its bytes never piling up in memory) and for at most ``resourceTimeout``
/// (docs/PROTOCOL.md, "The client").
final class HTTPTransport: @unchecked Sendable {
    // @unchecked: the byte counters are the only mutable state, and change only under `countersLock`.
    let base: URL
    let key: SigningKey
    let ledger: Digest
    let timeout: TimeInterval
    let wallClock: any WallClock
    /// HQ's `device.enrolled` entry for `key`, sent with every request, so a peer that has not
    /// seen that enrolment yet still knows who is asking (docs/PROTOCOL.md, "Authentication").
    let enrolment: Entry?
    private let client: HTTPClient
    private let countersLock = NSLock()
    private var sent = 0
    private var received = 0
    /// Request body bytes sent so far.
    var bytesSent: Int { countersLock.withLock { sent } }
    /// Response body bytes received so far.
    var bytesReceived: Int { countersLock.withLock { received } }

    /// Longest a whole answer may take, however steadily its bytes trickle in (15 minutes: 32 MiB
    /// at 36 KB/s). `timeout` bounds the wait for the answer's head and each silence in its body.
    static let resourceTimeout: TimeInterval = 900

    init(base: URL, key: SigningKey, ledger: Digest, timeout: TimeInterval = 60, wallClock: any WallClock = SystemClock(), enrolment: Entry? = nil) {
        self.base = base
        self.key = key
        self.ledger = ledger
        self.enrolment = enrolment
        // Within 1 ms and a day: a library caller's .infinity or NaN is no TimeAmount.
        self.timeout = timeout.isNaN ? 60 : min(max(timeout, 0.001), 86_400)
        self.wallClock = wallClock
        client = SharedHTTPClients.client(timeout: self.timeout)
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
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        if !body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        let signedPath = (components?.percentEncodedPath ?? url.path) + (components?.percentEncodedQuery.map { "?" + $0 } ?? "")
        for (name, value) in try RequestAuth.headers(key: key, ledger: ledger, method: method, path: signedPath, body: body, now: wallClock.nowMillis()) {
            request.headers.add(name: name, value: value)
        }
        if let enrolment { request.headers.add(name: RequestAuth.Header.enrolment, value: Data(enrolment.bytes).base64EncodedString()) }
        let (status, data) = try await perform(request, method: method, path: path)
        countersLock.withLock {
            sent += body.count
            received += data.count
        }
        guard (200..<300).contains(status) else {
            let message = (try? StrictJSON.decode(ProblemResponse.self, from: data))?.error ?? String(decoding: data.prefix(200), as: UTF8.self)
            throw PeerError.refused(peer: peer, status: status, message: message)
        }
        do {
            return try StrictJSON.decode(Response.self, from: data)
        } catch {
            throw PeerError.protocolError(peer: peer, reason: "\(method) \(path): \(error)")
        }
    }

    private func perform(_ request: HTTPClientRequest, method: String, path: String) async throws -> (Int, Data) {
        try Task.checkCancellation()
        do {
            let response = try await client.execute(request, deadline: .now() + .milliseconds(Int64(timeout * 1000)))
            let status = Int(response.status.code)
            // The body with back-pressure, up to the bound, within the whole answer's time.
            if let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > SyncLimits.maxAnswerBytes {
                throw NIOTooManyBytesError(maxBytes: SyncLimits.maxAnswerBytes)
            }
            let deadline = NIODeadline.now() + .seconds(Int64(Self.resourceTimeout))
            var body = ByteBuffer()
            for try await var chunk in response.body {
                guard body.readableBytes + chunk.readableBytes <= SyncLimits.maxAnswerBytes else {
                    throw NIOTooManyBytesError(maxBytes: SyncLimits.maxAnswerBytes)
                }
                guard NIODeadline.now() < deadline else {
                    throw PeerError.unreachable(peer: peer, reason: "its answer took longer than \(Int(Self.resourceTimeout)) seconds")
                }
                body.writeBuffer(&chunk)
            }
            return (status, Data(body.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw PeerError.protocolError(peer: peer, reason: "\(method) \(path): an answer of more than \(SyncLimits.maxAnswerBytes) bytes")
        } catch let error as PeerError {
            throw error
        } catch {
            // A request cancelled with its task is a cancellation, not an unreachable peer.
            if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled { throw CancellationError() }
            throw PeerError.unreachable(peer: peer, reason: Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? HTTPClientError {
        case .deadlineExceeded?, .readTimeout?: return "no answer within the timeout"
        case .connectTimeout?: return "the connection timed out"
        case .remoteConnectionClosed?: return "the connection was closed"
        default:
            // "connection refused", not NIO's "connection reset (error set): Connection refused) (errno: 111)".
            if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
            return "\(error)"
        }
    }
}

/// One AsyncHTTPClient per timeout, for the life of the process (a client must be shut down
/// before it is released, and these never are): connections to a peer are pooled across syncs.
/// Redirects are not followed (a signed request names its path), answers are not decompressed,
/// and a failed connection is not tried again within the request.
enum SharedHTTPClients {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var clients: [TimeInterval: HTTPClient] = [:]

    static func client(timeout: TimeInterval) -> HTTPClient {
        lock.withLock {
            if let client = clients[timeout] { return client }
            let wait = TimeAmount.milliseconds(Int64(timeout * 1000))
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: min(wait, .seconds(30)), read: wait),
                decompression: .disabled)
            // A refused or unroutable connection fails the request at once (a laptop with no
            // network learns it in milliseconds); the sync loop has its own back-off.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            clients[timeout] = client
            return client
        }
    }
}
