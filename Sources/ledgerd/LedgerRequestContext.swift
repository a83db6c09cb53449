import Hummingbird
import NIOCore

/// ledgerd's request context: Hummingbird's basics plus the client's address, which the kiosk's
/// rate limits key on and `/metrics` checks.
struct LedgerRequestContext: RequestContext, RemoteAddressRequestContext, ClientAddressContext {
    var coreContext: CoreRequestContextStorage
    /// The connection's address, when the request came over a socket (nil in router tests).
    let remoteAddress: SocketAddress?
    /// The client's IP address: the connection's, or the one a trusted proxy forwarded
    /// (``ClientAddressMiddleware``); nil in router tests.
    var clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress.flatMap { $0.ipAddress.flatMap(TrustedProxies.normalized) ?? $0.ipAddress }
    }
}
