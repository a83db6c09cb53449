import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 that accepts connections (the kernel's backlog does) and never answers:
/// a peer whose sync hangs until the client's timeout.
final class SilentPeer {
    private let descriptor: Int32
    /// The peer's URL.
    let url: String

    init() throws {
        (descriptor, url) = try loopbackListener()
    }

    deinit { close(descriptor) }
}

struct SilentPeerError: Error {}

/// A TCP socket listening on a free port of 127.0.0.1, and its `http://` URL.
func loopbackListener() throws -> (descriptor: Int32, url: String) {
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
    return (descriptor, "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))")
}
