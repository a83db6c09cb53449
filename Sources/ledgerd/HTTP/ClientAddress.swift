import ArgumentParser
import HTTPTypes
import Hummingbird
import NIOCore

/// The reverse proxies whose `X-Forwarded-For` ledgerd believes (`--trusted-proxy`, docs/OPERATIONS.md,
/// "Behind a reverse proxy"), by IP address. Behind a proxy every request comes from the proxy's
/// address, so without this the kiosk's per-client rate limits would put every signer of HQ's
/// public page in one bucket, and `/metrics` would take every client for this machine.
///
/// For example:
/// ```swift
/// let proxies = try TrustedProxies(parsing: ["127.0.0.1"])
/// proxies.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"])  // "198.51.100.7"
/// ```
struct TrustedProxies: Sendable, Equatable {
    /// The proxies' addresses, as ``normalized(_:)`` writes them.
    let addresses: Set<String>

    static let none = TrustedProxies(addresses: [])

    private init(addresses: Set<String>) {
        self.addresses = addresses
    }

    /// Each text must be one IP address (v4 or v6, no port, no range).
    init(parsing texts: [String]) throws {
        var addresses: Set<String> = []
        for text in texts {
            guard text.utf8.count <= 64, (try? SocketAddress(ipAddress: text, port: 0)) != nil, let address = Self.normalized(text) else {
                throw ValidationError("a trusted proxy is one IP address, like 127.0.0.1 or ::1 (not '\(text.prefix(60))')")
            }
            addresses.insert(address)
        }
        self.addresses = addresses
    }

    var isEmpty: Bool { addresses.isEmpty }

    /// The proxies of both.
    func union(_ other: TrustedProxies) -> TrustedProxies {
        TrustedProxies(addresses: addresses.union(other.addresses))
    }

    /// The address of the client a request came from. `peer` (the connection's address) unless it
    /// is a trusted proxy; then the right-most address in `X-Forwarded-For` (all its lines, in
    /// order) that is not a trusted proxy: each proxy appends the address it was reached from, so
    /// that is the first one no trusted proxy could have been told by the client. When that entry
    /// is not an IP address the proxy wrote something unexpected, and the proxy's own address is
    /// kept; when every entry is a trusted proxy, the left-most is the client.
    func client(peer: String?, forwardedFor values: [String]) -> String? {
        guard let peer, let peerAddress = Self.normalized(peer), addresses.contains(peerAddress) else { return peer }
        let entries = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var leftmost: String?
        for entry in entries.reversed() {
            guard let address = Self.normalized(entry) else { return peer }
            if !addresses.contains(address) { return address }
            leftmost = address
        }
        return leftmost ?? peer
    }

    /// `text` as one IP address in NIO's form, or nil: `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]:80`;
    /// an IPv4 address mapped into IPv6 (`::ffff:1.2.3.4`, as a dual-stack listener sees IPv4
    /// clients) becomes the IPv4 address.
    static func normalized(_ text: String) -> String? {
        guard text.utf8.count <= 64 else { return nil }
        var host = Substring(text)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber) && rest.count > 1) else { return nil }
            host = host[host.index(after: host.startIndex)..<close]
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return nil }
            host = host[..<colon]
        }
        guard let address = try? SocketAddress(ipAddress: String(host), port: 0), let ip = address.ipAddress else { return nil }
        if case .v6 = address, ip.hasPrefix("::ffff:"), let mapped = try? SocketAddress(ipAddress: String(ip.dropFirst(7)), port: 0),
           case .v4 = mapped {
            return mapped.ipAddress
        }
        return ip
    }
}

/// A request context that knows which client a request came from (``TrustedProxies/client(peer:forwardedFor:)``).
protocol ClientAddressContext {
    /// The client's IP address; nil when the request came over no socket (router tests).
    var clientAddress: String? { get set }
}

/// Sets the context's client address from `X-Forwarded-For` when the connection comes from a
/// trusted proxy; does nothing when no proxy is trusted.
struct ClientAddressMiddleware<Context: RequestContext & ClientAddressContext>: RouterMiddleware {
    let trusted: TrustedProxies

    static var forwardedFor: HTTPField.Name { HTTPField.Name("X-Forwarded-For")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !trusted.isEmpty else { return try await next(request, context) }
        var context = context
        context.clientAddress = trusted.client(peer: context.clientAddress, forwardedFor: request.headers[values: Self.forwardedFor])
        return try await next(request, context)
    }
}
