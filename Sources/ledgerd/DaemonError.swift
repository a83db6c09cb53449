/// Errors of the daemon itself; the library's errors (StoreError, NodeError) pass through as they are.
enum DaemonError: Error, CustomStringConvertible {
    /// The server could not bind its address: in use, not an address of this machine, ...
    case cannotListen(address: ListenAddress, reason: String)
    /// The data folder holds no node; ledgerd creates none.
    case noNode(path: String)
    /// The --config file cannot be used.
    case config(path: String, reason: String)

    var description: String {
        switch self {
        case .cannotListen(let address, let reason):
            return "cannot listen on \(address): \(reason); check that no other program uses this address "
                + "and that the host is an address of this machine, or choose another with --listen HOST:PORT"
        case .noNode(let path):
            return "no Ledger node in \(path), and ledgerd creates none: run 'ledgerctl init --hq --name NAME --data \(path)' "
                + "for a new HQ, or 'ledgerctl init --join TOKEN --data \(path)' on a laptop; or check --data (or LEDGER_DATA)"
        case .config(let path, let reason):
            return "the configuration file \(path) cannot be used: \(reason); nothing was started"
        }
    }
}
