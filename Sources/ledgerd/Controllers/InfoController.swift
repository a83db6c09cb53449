import Hummingbird
import Ledger

/// `GET /v1/info`: who this node is and how far its logs reach, as the library's `NodeInfo`
/// (the same JSON fields as `ledgerctl status --json`).
struct InfoController {
    /// The node to describe.
    let node: LedgerNode

    /// The route, to add under `/v1`.
    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.get("info", use: info)
        return routes
    }

    @Sendable func info(_ request: Request, context: LedgerRequestContext) async throws -> NodeInfo {
        try await Blocking.run { [node] in try node.info() }
    }
}

/// The library's `NodeInfo` is the response body as it is.
extension NodeInfo: ResponseEncodable {}
