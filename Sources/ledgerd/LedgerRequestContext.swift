import Hummingbird
import NIOCore

/// ledgerd's request context: Hummingbird's basics plus the client's address, which the kiosk's
/// rate limit keys on.
struct LedgerRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's address, when the request came over a socket (nil in router tests).
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
