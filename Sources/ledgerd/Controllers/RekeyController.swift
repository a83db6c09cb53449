import Hummingbird
import Ledger

/// `POST /v1/rekey`: a device whose log forked asks HQ to enrol a new key (docs/PROTOCOL.md,
/// "Re-keying"). Signed with the device's old key, which must still be enrolled; the body carries
/// the new key and its signature.
struct RekeyController {
    let service: SyncService

    /// The route, to add under `/v1`.
    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.post("rekey", use: rekey)
        return routes
    }

    @Sendable func rekey(_ request: Request, context: LedgerRequestContext) async throws -> JoinResponse {
        try await ServeErrors.mapping(logger: context.logger) {
            let signed = try await SignedRequest.authenticate(request, service: service)
            let body = try signed.decode(RekeyRequest.self)
            let node = service.node
            let answer = try await Blocking.run { try node.completeRekey(body, signedBy: signed.sender.node) }
            context.logger.notice("Enrolled a new key \(answer.enrolled.prefix(12)) for forked device \(signed.sender.node.short)")
            return answer
        }
    }
}
