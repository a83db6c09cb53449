import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on a free loopback port that answers every request with `200 OK` and then
/// sends body bytes without end (or declares a huge `Content-Length`), until the client hangs up:
/// a hostile or broken peer. It counts the body bytes the client accepted before it went away.
final class FloodingPeer: @unchecked Sendable {
    // @unchecked: `written` and `finished` change only under `lock`.
    enum Mode {
        /// `Transfer-Encoding: chunked`, chunks of 64 KiB forever.
        case endless
        /// `Content-Length` of 100 GB, then bytes until the client hangs up.
        case declared
    }

    private let descriptor: Int32
    private let lock = NSLock()
    private var written = 0
    private var finished = false
    /// The peer's URL.
    let url: String

    init(_ mode: Mode) throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw SilentPeerError() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw SilentPeerError()
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        let thread = Thread { [self] in serve(mode) }
        thread.start()
    }

    deinit { close(descriptor) }

    /// Body bytes sent to clients so far.
    var bodyBytesSent: Int { lock.withLock { written } }

    /// Stops accepting: the listening socket is shut down, the serving thread ends.
    func stop() {
        lock.withLock { finished = true }
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func serve(_ mode: Mode) {
        while !lock.withLock({ finished }) {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            // Read the request's head (whatever arrives first is enough: the answer ignores it).
            var buffer = [UInt8](repeating: 0, count: 65_536)
            _ = recv(client, &buffer, buffer.count, 0)
            let head: String
            switch mode {
            case .endless: head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            case .declared: head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n"
            }
            guard sendAll(client, Array(head.utf8)) else {
                close(client)
                continue
            }
            let piece = [UInt8](repeating: UInt8(ascii: " "), count: 65_536)
            let chunk = mode == .endless ? Array("10000\r\n".utf8) + piece + Array("\r\n".utf8) : piece
            // Until the client hangs up (or 1 GiB: a client that reads everything is caught by that bound).
            while lock.withLock({ written }) < 1 << 30, sendAll(client, chunk) {
                lock.withLock { written += piece.count }
            }
            close(client)
        }
    }

    private func sendAll(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
