import Hummingbird
import Ledger

/// `GET /healthz`: 200 `ok` when the store answers a query, 503 otherwise. For load balancers
/// and service managers; it reveals nothing about the ledger.
struct HealthController {
    /// The store to ask.
    let store: LedgerStore

    /// The route.
    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.get("healthz", use: check)
        return routes
    }

    @Sendable func check(_ request: Request, context: LedgerRequestContext) async throws -> String {
        do {
            _ = try await Blocking.run { [store] in try store.entryCount() }
        } catch {
            context.logger.error("Health check failed: \(error)")
            throw HTTPError(.serviceUnavailable, message: "the store does not answer")
        }
        return "ok\n"
    }
}
