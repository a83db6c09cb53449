import Hummingbird
import Ledger

/// `POST /v1/join`: a device with a join token asks HQ to enrol its key (docs/PROTOCOL.md,
/// "Joining"). The request is signed with the joining device's own key, which is not enrolled yet:
/// the signature, clock and replay rules apply, the enrolment check does not. The invitation proof
/// in the body decides.
struct JoinController {
    /// The HQ node that enrols devices.
    let node: LedgerNode
    /// The same verifier as the sync routes, so that nonces are remembered across all routes.
    let verifier: RequestVerifier
    let wallClock: any WallClock

    /// The route, to add under `/v1`.
    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.post("join", use: join)
        return routes
    }

    /// Verifies the signature, then enrols the device if its proof matches an unused invitation.
    @Sendable func join(_ request: Request, context: LedgerRequestContext) async throws -> JoinResponse {
        try await ServeErrors.mapping(logger: context.logger) {
            let body = try await request.limitedBody()
            let headers = request.headers
            let method = request.method.rawValue
            let path = request.signedPath
            let (node, verifier, now) = (node, verifier, wallClock.nowMillis())
            let device = try await Blocking.run {
                try verifier.verifyJoining(
                    header: { headers.value(named: $0) }, method: method, path: path, body: body,
                    ledger: try node.ledgerID, policy: try node.store.trustPolicy(), now: now)
            }
            let joinRequest = try Request.decodeJSON(JoinRequest.self, from: body)
            let answer = try await Blocking.run { try node.completeJoin(joinRequest, signedBy: device) }
            context.logger.notice("Enrolled device \(device.short) as \(answer.role.rawValue)")
            return answer
        }
    }
}

extension JoinResponse: ResponseEncodable {}
