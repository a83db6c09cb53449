import Hummingbird
import Ledger
import Logging

/// Maps what the library throws onto HTTP answers, for the sync and join routes.
enum ServeErrors {
    /// The error to answer with: the library's status for sync and authentication errors, 503 while
    /// the node holds no ledger yet, 500 (logged at error level) for anything else. Library error
    /// descriptions never contain personal data, so they go into the answer as they are.
    static func problem(for error: any Error, logger: Logger) -> any Error {
        switch error {
        case let error as ProblemError: return error
        case let error as SyncError: return ProblemError(error)
        case let error as AuthError: return ProblemError(error)
        case let error as any HTTPResponseError: return error
        case StoreError.notInitialised:
            return ProblemError(status: .serviceUnavailable, error: "this node holds no ledger yet; it gets one at its first sync with HQ")
        default:
            logger.error("Internal error: \(error)")
            return ProblemError(status: .internalServerError, error: "internal error: \(error)")
        }
    }

    /// Runs `body`, mapping its error with ``problem(for:logger:)``.
    static func mapping<T>(logger: Logger, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw problem(for: error, logger: logger)
        }
    }
}
