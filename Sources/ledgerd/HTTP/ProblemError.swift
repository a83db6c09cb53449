import Foundation
import Hummingbird
import Ledger

/// An HTTP error answered with the protocol's JSON error body, `{"error": "...", "fault": {...}}`
/// (the library's `ProblemResponse`).
///
/// For example:
/// ```swift
/// throw ProblemError(status: .badRequest, error: "the body is not valid JSON")
/// ```
struct ProblemError: HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let problem: ProblemResponse

    init(status: HTTPResponse.Status, problem: ProblemResponse) {
        self.status = status
        self.problem = problem
    }

    init(status: HTTPResponse.Status, error: String) {
        self.init(status: status, problem: ProblemResponse(error: error))
    }

    /// The library's sync error, with the status it names.
    init(_ error: SyncError) {
        self.init(status: HTTPResponse.Status(code: error.status), problem: error.problem)
    }

    /// An authentication error, with the status it names (401 or 403).
    init(_ error: AuthError) {
        self.init(status: HTTPResponse.Status(code: error.status), error: error.description)
    }

    var headers: HTTPFields { [.contentType: "application/json; charset=utf-8"] }

    var description: String { "\(status.code): \(problem.error)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(problem)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
