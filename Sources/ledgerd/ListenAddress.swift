import ArgumentParser
import Hummingbird

/// Where ledgerd listens: a host name or IP address and a TCP port; port 0 asks the system for
/// a free port.
///
/// For example:
/// ```swift
/// let address = try ListenAddress(parsing: "[::1]:8080")   // host "::1", port 8080
/// ```
struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A host name or an IP address, without brackets.
    var host: String
    /// The TCP port, 0 to 65535.
    var port: Int

    /// 127.0.0.1:8080: only this machine can connect.
    static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    /// An address from its parts; no checks.
    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, with an IPv6 address in brackets (`[::1]:8080`). Throws a
    /// `ValidationError` that says what is expected.
    init(parsing text: String) throws {
        let invalid = ValidationError("expected HOST:PORT with a port from 0 to 65535, for example 127.0.0.1:8080 or [::1]:8080")
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else { throw invalid }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { throw invalid }  // a bare IPv6 address needs brackets
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }),
              (1...5).contains(portPart.count), portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portPart), port <= 65535
        else { throw invalid }
        self.init(host: String(hostPart), port: port)
    }

    /// `HOST:PORT`, with brackets around an IPv6 address.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The base URL of a server on this host and `port` (the bound port when this one is 0).
    func url(port: Int) -> String { "http://" + ListenAddress(host: host, port: port).description }

    /// The address for Hummingbird's configuration.
    var bindAddress: BindAddress { .hostname(host, port: port) }
}
