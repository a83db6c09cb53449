import Hummingbird
import Ledger

/// `GET /checkpoint`: HQ's newest signed checkpoint (C2SP tlog-checkpoint, docs/FORMAT.md
/// section 11) with the cosignatures witnesses sent for it, as `text/plain`. Public: it reveals
/// the number of entries and a hash, nothing about any signer. Other nodes answer 404.
struct TransparencyController {
    let node: LedgerNode

    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.get("checkpoint", use: checkpoint)
        return routes
    }

    @Sendable func checkpoint(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        guard node.role == .hq, node.store.keepsMerkleTree else {
            throw ProblemError(status: .notFound, error: "this node is not HQ: only HQ signs checkpoints")
        }
        let note = try await Blocking.run { [node] in try node.servedCheckpoint() }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: note)))
    }
}
