import Foundation
import Ledger
import Logging

extension LedgerNode {
    /// Opens the node in `path`, or creates a standalone HQ node there when the folder holds none.
    ///
    /// `name` names a new ledger (default ``Ledgerd/defaultLedgerName``); for an existing node it
    /// is ignored with a warning. Errors are the library's (a damaged store, a missing key, ...),
    /// or ``DaemonError/cannotCreateNode(path:reason:)`` when the file system refuses the folder.
    static func openOrCreateHQ(at path: String, name: String?, logger: Logger) throws -> LedgerNode {
        let node: LedgerNode
        let action: String
        if NodeFolder(path: path).exists {
            node = try LedgerNode.open(at: path)
            if name != nil { logger.warning("--name is ignored: \(node.folder.path) already holds a node") }
            action = "Opened the \(node.role.rawValue) node"
        } else {
            do {
                node = try LedgerNode.createHQ(at: path, name: name ?? Ledgerd.defaultLedgerName)
            } catch let error as NSError where error.domain == NSCocoaErrorDomain {
                // createHQ lets FileManager's errors through as they are: give them context.
                throw DaemonError.cannotCreateNode(path: path, reason: fileSystemReason(error))
            }
            action = "Created a new hq node"
        }
        let ledger = try node.ledgerID
        logger.info("\(action) in \(node.folder.path), ledger \(ledger.short)")
        return node
    }

    /// "No such file or directory" rather than Foundation's "The operation could not be completed. ...".
    private static func fileSystemReason(_ error: NSError) -> String {
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}
