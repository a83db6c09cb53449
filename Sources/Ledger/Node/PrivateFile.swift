import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files a node writes for its owner only (docs/OPERATIONS.md: every file a node writes is 0600).
enum PrivateFile {
    /// Writes `data` to `path` atomically (a temporary file beside it, then a rename), mode 0600
    /// from the start, so there is no moment when others can read it.
    static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw NodeError.ambiguous("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw NodeError.ambiguous("cannot write \(path)")
        }
    }
}
