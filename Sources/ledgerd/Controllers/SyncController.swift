import Hummingbird
import Ledger

/// The sync protocol's routes (docs/PROTOCOL.md), under `/v1`: each authenticates the request
/// first, then hands it to the library's `SyncService`. Errors answer with a JSON
/// `ProblemResponse` and the status the library names.
///
/// For example:
/// ```swift
/// router.addRoutes(SyncController(service: SyncService(node: node)).endpoints, atPath: "/v1")
/// ```
struct SyncController {
    /// The node's side of the protocol.
    let service: SyncService

    /// The routes, to add under `/v1`.
    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.get("heads", use: listHeads)
        routes.post("entries/fetch", use: fetchEntries)
        routes.post("entries", use: pushEntries)
        routes.post("entries/chain", use: fetchChain)
        routes.post("entries/known", use: listKnown)
        routes.get("payloads/wanted", use: listWantedPayloads)
        routes.post("payloads/fetch", use: fetchPayloads)
        routes.post("payloads", use: pushPayloads)
        routes.post("witness", use: witness)
        routes.post("witness/cosign", use: cosign)
        return routes
    }

    /// `GET /v1/heads`: the head of every log this node holds.
    @Sendable func listHeads(_ request: Request, context: LedgerRequestContext) async throws -> HeadsResponse {
        try await serve(request, context) { service, _ in try service.heads() }
    }

    /// `POST /v1/entries/fetch`: entries after a sequence number, per author, in batches.
    @Sendable func fetchEntries(_ request: Request, context: LedgerRequestContext) async throws -> EntryBatch {
        try await serve(request, context) { service, signed in try service.fetch(try signed.decode(FetchRequest.self)) }
    }

    /// `POST /v1/entries/chain`: one author's entries from a head back along their links.
    @Sendable func fetchChain(_ request: Request, context: LedgerRequestContext) async throws -> EntryBatch {
        try await serve(request, context) { service, signed in try service.chain(try signed.decode(ChainRequest.self)) }
    }

    /// `POST /v1/entries/known`: which of the ids asked this node holds.
    @Sendable func listKnown(_ request: Request, context: LedgerRequestContext) async throws -> DigestList {
        try await serve(request, context) { service, signed in try service.known(try signed.decode(DigestList.self)) }
    }

    /// `POST /v1/entries`: verifies and stores a batch, or refuses it whole.
    @Sendable func pushEntries(_ request: Request, context: LedgerRequestContext) async throws -> PushResult {
        try await serve(request, context) { service, signed in try service.push(try signed.decode(EntryBatch.self)) }
    }

    /// `GET /v1/payloads/wanted`: digests this node lacks payloads for.
    @Sendable func listWantedPayloads(_ request: Request, context: LedgerRequestContext) async throws -> DigestList {
        let after = request.uri.queryParameters.get("after").flatMap { Digest(hex: String($0)) }
        return try await serve(request, context) { service, _ in try service.wantedPayloads(after: after) }
    }

    /// `POST /v1/payloads/fetch`: the sealed payloads this node holds for the digests asked.
    @Sendable func fetchPayloads(_ request: Request, context: LedgerRequestContext) async throws -> PayloadBatch {
        try await serve(request, context) { service, signed in try service.fetchPayloads(try signed.decode(DigestList.self)) }
    }

    /// `POST /v1/payloads`: stores sealed payloads that entries held here name.
    @Sendable func pushPayloads(_ request: Request, context: LedgerRequestContext) async throws -> PushResult {
        try await serve(request, context) { service, signed in try service.pushPayloads(try signed.decode(PayloadBatch.self)) }
    }

    /// `POST /v1/witness` (HQ): the newest checkpoint, with a consistency proof from the sender's.
    @Sendable func witness(_ request: Request, context: LedgerRequestContext) async throws -> WitnessResponse {
        try await serve(request, context) { service, signed in try service.witness(try signed.decode(WitnessRequest.self)) }
    }

    /// `POST /v1/witness/cosign` (HQ): stores the sender's cosignature of a checkpoint.
    @Sendable func cosign(_ request: Request, context: LedgerRequestContext) async throws -> CosignResponse {
        try await serve(request, context) { service, signed in try service.cosign(try signed.decode(CosignRequest.self), from: signed.sender) }
    }

    /// Authenticates, then runs `work` off the cooperative threads (store calls block).
    private func serve<T: Sendable>(
        _ request: Request, _ context: LedgerRequestContext,
        _ work: @escaping @Sendable (SyncService, SignedRequest) throws -> T
    ) async throws -> T {
        try await ServeErrors.mapping(logger: context.logger) {
            let signed = try await SignedRequest.authenticate(request, service: service)
            return try await Blocking.run { [service] in try work(service, signed) }
        }
    }
}

/// The library's sync messages are the response bodies as they are.
extension HeadsResponse: ResponseEncodable {}
extension EntryBatch: ResponseEncodable {}
extension PushResult: ResponseEncodable {}
extension DigestList: ResponseEncodable {}
extension PayloadBatch: ResponseEncodable {}
extension WitnessResponse: ResponseEncodable {}
extension CosignResponse: ResponseEncodable {}
