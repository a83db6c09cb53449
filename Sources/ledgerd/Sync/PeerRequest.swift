import Foundation
import Ledger
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One signed JSON request to a peer (docs/PROTOCOL.md, "Authentication"), blocking. Only for what
/// the library's `SyncClient` cannot do yet (``LedgerNode/adoptGenesis(from:timeout:)``).
struct PeerRequest {
    let peer: URL
    let node: LedgerNode
    let timeout: TimeInterval

    /// Sends `method path` with `body` (JSON-encoded unless nil) and decodes the answer.
    func send<Answer: Decodable>(_ method: String, _ path: String, body: (some Encodable)?, as type: Answer.Type) throws -> Answer {
        let bytes = try body.map { Array(try JSONEncoder().encode($0)) } ?? []
        guard let url = URL(string: path, relativeTo: peer) else { throw PeerError.protocolError(peer: peer.absoluteString, reason: "bad path \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if !bytes.isEmpty {
            request.httpBody = Data(bytes)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let headers = try RequestAuth.headers(key: node.key, ledger: try node.ledgerID, method: method, path: path, body: bytes, now: SystemClock().nowMillis())
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }

        let (data, status) = try perform(request)
        guard (200..<300).contains(status) else {
            let message = (try? JSONDecoder().decode(ProblemResponse.self, from: data))?.error ?? "HTTP \(status)"
            throw PeerError.refused(peer: peer.absoluteString, status: status, message: message)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw PeerError.protocolError(peer: peer.absoluteString, reason: "\(method) \(path): \(error)")
        }
    }

    private func perform(_ request: URLRequest) throws -> (Data, Int) {
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let box = AnswerBox()
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: request) { data, response, error in
            box.set(data, (response as? HTTPURLResponse)?.statusCode, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, status, error) = box.get()
        if let error { throw PeerError.unreachable(peer: peer.absoluteString, reason: error.localizedDescription) }
        guard let status else { throw PeerError.unreachable(peer: peer.absoluteString, reason: "no HTTP response") }
        return (data ?? Data(), status)
    }
}

/// The answer of a data task, handed from URLSession's thread to the waiting one. Thread-safe.
private final class AnswerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var answer: (Data?, Int?, (any Error)?) = (nil, nil, nil)

    func set(_ data: Data?, _ status: Int?, _ error: (any Error)?) { lock.withLock { answer = (data, status, error) } }
    func get() -> (Data?, Int?, (any Error)?) { lock.withLock { answer } }
}
