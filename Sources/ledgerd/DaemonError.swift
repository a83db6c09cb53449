/// Errors of the daemon itself; the library's errors (StoreError, NodeError) pass through as they are.
enum DaemonError: Error, CustomStringConvertible {
    /// The server could not bind its address: in use, not an address of this machine, ...
    case cannotListen(address: ListenAddress, reason: String)
    /// The data folder for a new node could not be created (permissions, a missing parent, ...).
    case cannotCreateNode(path: String, reason: String)

    var description: String {
        switch self {
        case .cannotListen(let address, let reason):
            return "cannot listen on \(address): \(reason); check that no other program uses this address "
                + "and that the host is an address of this machine, or choose another with --listen HOST:PORT"
        case .cannotCreateNode(let path, let reason):
            return "cannot create a node in \(path): \(reason); choose a writable folder with --data DIR"
        }
    }
}
