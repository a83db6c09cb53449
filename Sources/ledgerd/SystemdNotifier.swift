import Foundation
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// systemd's readiness protocol (sd_notify(3)): with `Type=notify` in the unit
/// (deploy/systemd/ledgerd.service), systemd sets `NOTIFY_SOCKET` and waits for `READY=1` before
/// it counts ledgerd as started, so `systemctl start` returns once the node serves, and a start
/// that fails (a damaged data folder, an address in use) is reported as a failed start. `STATUS=`
/// lines show in `systemctl status`; `STOPPING=1` says a shutdown began. Without `NOTIFY_SOCKET`
/// (a terminal, launchd, the tests) nothing is sent.
///
/// For example:
/// ```swift
/// let notifier = SystemdNotifier()
/// notifier.send("READY=1\nSTATUS=Serving http://127.0.0.1:8080")
/// ```
struct SystemdNotifier: Sendable {
    /// The socket's path; an abstract socket's name starts with `@`. Nil when not under systemd.
    let socket: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"] ?? ""
        socket = (path.hasPrefix("/") || path.hasPrefix("@")) && path.utf8.count < 108 ? path : nil
    }

    /// Sends one datagram of newline-separated `KEY=value` assignments; false when there is no
    /// socket or the send failed (systemd then waits for its start timeout, as for any daemon
    /// that never says it is ready).
    @discardableResult
    func send(_ state: String) -> Bool {
        #if os(Linux)
        guard let socket else { return false }
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(socket.utf8)
        if name.first == UInt8(ascii: "@") { name[0] = 0 }  // an abstract socket: no file, a leading NUL
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in name.enumerated() { path[index] = byte }
        }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + name.count)
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                sendto(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL), raw, length)
            }
        }
        return sent == bytes.count
        #else
        return false
        #endif
    }
}

/// Tells systemd `STOPPING=1` as soon as a graceful shutdown (SIGTERM, SIGINT) begins. The last
/// service of ledgerd's group, so the first to hear of the shutdown.
struct StoppingNotice: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        try? await gracefulShutdown()
        notifier.send("STOPPING=1\nSTATUS=Stopping: finishing the requests in flight")
    }
}
