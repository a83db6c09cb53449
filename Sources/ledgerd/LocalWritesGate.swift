import Hummingbird

/// Holds back local writes (the kiosk's POSTs: signing, withdrawing) with 503 and `Retry-After`
/// until the startup sync is over (``SyncLoop/localWritesAllowed``), so that a laptop restored from
/// an old backup gets its own log back from its peers before it appends to it, instead of forking
/// it. Reads and the sync protocol (`/v1/...`, signed by peers) pass at once.
///
/// For example:
/// ```swift
/// router.add(middleware: LocalWritesGate(open: loop.localWritesAllowed))
/// ```
struct LocalWritesGate<Context: RequestContext>: RouterMiddleware {
    /// Set once local writes may begin.
    let open: StartupFlag

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isRead = request.method == .get || request.method == .head
        if !isRead && !request.uri.path.hasPrefix("/v1/") && !open.isSet {
            throw HTTPError(
                .serviceUnavailable, headers: [.retryAfter: "5"],
                message: "This node is syncing with its peers before it records anything; try again in a few seconds.")
        }
        return try await next(request, context)
    }
}
