import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on a free loopback port that answers every request with `200 OK` and then
/// sends body bytes without end (or declares a huge `Content-Length`), until the client hangs up:
/// a hostile or broken peer; or a body of exactly some size, to try a bound to the byte. It
/// counts the body bytes the client accepted before it went away.
final class FloodingPeer: @unchecked Sendable {
    // @unchecked: `written` and `finished` change only under `lock`.
    enum Mode {
        /// `Transfer-Encoding: chunked`, chunks of 64 KiB forever.
        case endless
        /// `Content-Length` of 100 GB, then bytes until the client hangs up.
        case declared
        /// `count` spaces (not JSON), with `Content-Length` or chunked.
        case exactly(Int, chunked: Bool)
    }

    private let descriptor: Int32
    private let lock = NSLock()
    private var written = 0
    private var finished = false
    /// The peer's URL.
    let url: String

    init(_ mode: Mode) throws {
        (descriptor, url) = try loopbackListener()
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
            case .endless, .exactly(_, chunked: true):
                head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            case .declared: head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n"
            case .exactly(let count, chunked: false): head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(count)\r\n\r\n"
            }
            guard sendAll(client, Array(head.utf8)) else {
                close(client)
                continue
            }
            let chunked: Bool
            var left: Int
            switch mode {
            case .endless: (chunked, left) = (true, 1 << 30)  // a client that reads everything is caught by this bound
            case .declared: (chunked, left) = (false, 1 << 30)
            case .exactly(let count, let isChunked): (chunked, left) = (isChunked, count)
            }
            // Until the client hangs up or the body is sent.
            while left > 0 {
                let piece = [UInt8](repeating: UInt8(ascii: " "), count: min(left, 65_536))
                let framed = chunked ? Array(String(piece.count, radix: 16).utf8) + Array("\r\n".utf8) + piece + Array("\r\n".utf8) : piece
                guard sendAll(client, framed) else { break }
                lock.withLock { written += piece.count }
                left -= piece.count
            }
            if left == 0 && chunked { _ = sendAll(client, Array("0\r\n\r\n".utf8)) }
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
