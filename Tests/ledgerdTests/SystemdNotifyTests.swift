import Foundation
import Glibc
import Testing

@testable import ledgerd

/// `Type=notify` (deploy/systemd/ledgerd.service): ledgerd tells systemd's socket what it is doing,
/// `READY=1` once it serves, and `STOPPING=1` when a shutdown begins (sd_notify(3)).
@Suite("systemd notifications", .timeLimit(.minutes(1)))
struct SystemdNotifyTests {
    /// A datagram socket standing in for systemd's: a file in `directory`, or an abstract name.
    final class NotifySocket {
        let descriptor: Int32
        let name: String

        init(name: String) throws {
            self.name = name
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(name.utf8)
            if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { path in for (index, byte) in bytes.enumerated() { path[index] = byte } }
            let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard descriptor >= 0, bound == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        }

        deinit { close(descriptor) }

        /// Datagrams until one contains `marker` (all of them, in order), or nil after `seconds`.
        func receive(until marker: String, seconds: Double = 20) -> [String]? {
            var received: [String] = []
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                guard count > 0 else { continue }
                received.append(String(decoding: buffer[..<count], as: UTF8.self))
                if received.last!.split(separator: "\n").contains(Substring(marker)) { return received }
            }
            return nil
        }
    }

    @Test("STATUS while it opens, READY=1 with the address once it serves, STOPPING=1 on SIGTERM", arguments: ["file", "abstract"])
    func readiness(kind: String) async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let name = kind == "file" ? directory.appendingPathComponent("notify").path : "@ledgerd-test-\(UUID().uuidString.prefix(8))"
            let socket = try NotifySocket(name: name)
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = name
            let daemon = try DaemonProcess(arguments: ["--data", hq.folder.path, "--listen", "127.0.0.1:0"], environment: environment)
            defer { daemon.kill() }
            let url = try #require(await daemon.servingURL())
            let ready = try #require(socket.receive(until: "READY=1"), "\(daemon.stderr)")
            #expect(ready.first?.hasPrefix("STATUS=Opening the node") == true, "\(ready)")
            #expect(ready.last == "READY=1\nSTATUS=Serving \(url.absoluteString)", "\(ready)")
            daemon.send(SIGTERM)
            let stopping = try #require(socket.receive(until: "STOPPING=1"))
            #expect(stopping.count == 1, "\(stopping)")
            #expect(await daemon.waitForExit() == DaemonProcess.Exit(exited: true, status: 0))
        }
    }

    @Test("without NOTIFY_SOCKET, or with one that is not a socket path, nothing is sent and nothing fails", arguments: [nil, "", "relative/path", "/no/such/socket"])
    func quiet(socket: String?) {
        let notifier = SystemdNotifier(environment: socket.map { ["NOTIFY_SOCKET": $0] } ?? [:])
        #expect(!notifier.send("READY=1"))
    }
}
