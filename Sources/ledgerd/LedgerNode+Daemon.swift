import Foundation
import Ledger
import Logging

extension LedgerNode {
    /// Opens the node in `path` for the daemon. ledgerd never creates a node: a folder without
    /// one (empty, or a mistyped --data) is refused with ``DaemonError/noNode(path:)``, so that a
    /// stall laptop can never become a second HQ by accident. Other errors are the library's
    /// (a damaged store, a missing key, ...).
    static func openForDaemon(at path: String, logger: Logger) throws -> LedgerNode {
        let folder = NodeFolder(path: path)
        guard folder.exists else { throw DaemonError.noNode(path: folder.path) }
        let node = try LedgerNode.open(at: path)
        let ledger = try node.ledgerID
        logger.info("Opened the \(node.role.rawValue) node in \(node.folder.path), ledger \(ledger.short)")
        return node
    }
}
