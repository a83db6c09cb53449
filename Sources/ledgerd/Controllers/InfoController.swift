import Hummingbird
import Ledger

/// `GET /v1/info`. Unsigned, it says only that this is a ledgerd and whether it holds a ledger
/// yet: a stranger learns no ledger id, name, key or log head. Signed by an enrolled node (the
/// headers of docs/PROTOCOL.md), it answers the library's `NodeInfo` (the same JSON fields as
/// `ledgerctl status --json`).
struct InfoController {
    /// The node's side of the protocol, to authenticate signed requests.
    let service: SyncService

    /// What an unauthenticated client is told.
    struct PublicInfo: ResponseEncodable, Codable, Equatable {
        var service = "ledgerd"
        var version = LedgerVersion.string
        /// False while the node holds no ledger yet (a laptop that joined offline).
        var ready: Bool
    }

    /// The route, to add under `/v1`.
    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.get("info", use: info)
        return routes
    }

    @Sendable func info(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        try await ServeErrors.mapping(logger: context.logger) {
            let node = service.node
            guard request.headers.value(named: RequestAuth.Header.signature) != nil else {
                return try PublicInfo(ready: node.hasLedger).response(from: request, context: context)
            }
            _ = try await SignedRequest.authenticate(request, service: service)
            return try await Blocking.run { try node.info() }.response(from: request, context: context)
        }
    }
}

/// The library's `NodeInfo` is the response body as it is.
extension NodeInfo: ResponseEncodable {}
