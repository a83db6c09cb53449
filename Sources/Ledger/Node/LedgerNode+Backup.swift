import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a backup holds.
public struct BackupSummary: Codable, Sendable, Equatable {
    public var file: String
    public var node: String
    public var entries: Int
    public var files: [String]
}

/// What a restore did.
public struct RestoreSummary: Sendable {
    public var node: LedgerNode
    /// Peers this node caught up from before writing again (docs/OPERATIONS.md, "Restoring").
    public var caughtUpFrom: [String]
    /// Peers that could not be reached, with why.
    public var unreachable: [(peer: String, reason: String)]
    /// True when writes stay held until a sync with a peer succeeds.
    public var writesHeld: Bool
}

extension LedgerNode {
    /// The setting that holds a restored node's writes until it caught up from a peer.
    static let catchUpSetting = "catch-up"

    /// Files of the data folder a backup carries besides the store.
    private func backupFiles() throws -> [(String, [UInt8])] {
        var files: [(String, [UInt8])] = []
        let manager = FileManager.default
        for name in (try? manager.contentsOfDirectory(atPath: folder.keysPath))?.sorted() ?? [] where name.hasSuffix(".key") {
            if let data = manager.contents(atPath: folder.keysPath + "/" + name) { files.append(("keys/" + name, Array(data))) }
        }
        if let peers = manager.contents(atPath: folder.path + "/peers.json") { files.append(("peers.json", Array(peers))) }
        return files
    }

    /// Writes a consistent copy of this node (the store, taken in one read transaction while others
    /// may write, and the key files and peer list) to `path`, mode 0600. Refuses an existing file.
    ///
    /// The copy is made with SQLite's `VACUUM INTO`: consistent like the online backup API, and
    /// compacted, so pages freed earlier carry no stale data into it.
    @discardableResult
    public func backup(to path: String) throws -> BackupSummary {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) { throw NodeError.ambiguous("\(path) exists; choose another file (a backup never overwrites)") }
        let partial = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? manager.removeItem(atPath: partial)
        guard manager.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw NodeError.ambiguous("cannot create \(partial)")
        }
        do {
            try store.copy(to: partial)
            let files = try backupFiles()
            try LedgerStore.addBackupFiles(files, to: partial)
            guard rename(partial, path) == 0 else { throw NodeError.ambiguous("cannot rename \(partial) to \(path)") }
            return BackupSummary(file: path, node: key.publicKey.hex, entries: try store.entryCount(), files: files.map(\.0))
        } catch {
            try? manager.removeItem(atPath: partial)
            throw error
        }
    }

    /// Restores a node from a backup file into `path`, which must not hold a node. Then, when the
    /// node has peers and is not HQ's root, it catches up its own log from them before writing
    /// again: its writes stay held until a sync with a peer succeeds (here, or later by ledgerd or
    /// `ledgerctl sync`), so a restored laptop does not fork its log.
    public static func restore(from backup: String, at path: String, wallClock: any WallClock = SystemClock()) throws -> RestoreSummary {
        let folder = NodeFolder(path: path)
        let manager = FileManager.default
        if folder.exists || manager.fileExists(atPath: folder.keysPath) { throw NodeError.alreadyInitialised(path: folder.path) }
        guard manager.fileExists(atPath: backup) else { throw NodeError.ambiguous("cannot read \(backup)") }
        let files = try LedgerStore.backupFiles(in: backup)
        guard files.contains(where: { $0.0 == "keys/" + nodeKeyFile }) else {
            throw NodeError.ambiguous("\(backup) is not a Ledger backup (it holds no node key); make one with 'ledgerctl backup'")
        }
        let staging = folder.path + ".restoring-\(ProcessInfo.processInfo.processIdentifier)"
        try? manager.removeItem(atPath: staging)
        defer { try? manager.removeItem(atPath: staging) }
        let stage = NodeFolder(path: staging)
        try stage.create()
        for (name, bytes) in files {
            let target = staging + "/" + name
            guard name == "peers.json" || (name.hasPrefix("keys/") && !name.dropFirst(5).contains("/")) else { continue }
            guard manager.createFile(atPath: target, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw NodeError.ambiguous("cannot write \(target)")
            }
        }
        guard manager.createFile(atPath: stage.storePath, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw NodeError.ambiguous("cannot write \(stage.storePath)")
        }
        try LedgerStore.restoreCopy(from: backup, to: stage.storePath)
        let parent = (folder.path as NSString).deletingLastPathComponent
        if !parent.isEmpty && !manager.fileExists(atPath: parent) {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        guard rename(staging, folder.path) == 0 else {
            throw NodeError.ambiguous("cannot move the restored node into \(folder.path) (it must be absent or an empty folder)")
        }
        let node = try LedgerNode.open(at: folder.path, wallClock: wallClock)
        var summary = RestoreSummary(node: node, caughtUpFrom: [], unreachable: [], writesHeld: false)
        let peers = try PeerBook(folder: node.folder).peers()
        guard !peers.isEmpty, node.key.publicKey != node.store.hqKey, node.role != .observer else { return summary }
        try node.store.setSetting(catchUpSetting, "1")
        for peer in peers {
            guard let url = URL(string: peer) else { continue }
            do {
                _ = try SyncClient(node: node, peer: url, timeout: 20, wallClock: wallClock).syncWaiting()
                summary.caughtUpFrom.append(peer)
            } catch {
                summary.unreachable.append((peer, "\(error)"))
            }
        }
        summary.writesHeld = try node.store.setting(catchUpSetting) != nil
        return summary
    }
}

extension LedgerStore {
    /// Copies the store into the empty file at `path` in one consistent read (`VACUUM INTO`).
    func copy(to path: String) throws {
        try locked {
            try connection.execute("VACUUM INTO '\(path.replacingOccurrences(of: "'", with: "''"))'")
        }
    }

    /// Adds the data folder's files to a backup copy.
    static func addBackupFiles(_ files: [(String, [UInt8])], to path: String) throws {
        let connection = try SQLiteConnection(path: path)
        try connection.writeTransaction {
            try connection.execute("CREATE TABLE backup_files (name TEXT PRIMARY KEY, bytes BLOB NOT NULL)")
            let insert = try connection.statement("INSERT INTO backup_files (name, bytes) VALUES (?, ?)")
            for (name, bytes) in files {
                insert.bind(1, name)
                insert.bind(2, bytes)
                try insert.run()
            }
        }
    }

    /// The files a backup carries; fails with a clear error for a file that is not a backup.
    static func backupFiles(in path: String) throws -> [(String, [UInt8])] {
        do {
            let connection = try SQLiteConnection(path: path, readOnly: true)
            let statement = try connection.statement("SELECT name, bytes FROM backup_files ORDER BY name")
            defer { statement.reset() }
            var out: [(String, [UInt8])] = []
            while try statement.step() { out.append((statement.text(0), statement.blob(1))) }
            return out
        } catch let error as SQLiteError {
            throw NodeError.ambiguous("\(path) is not a Ledger backup (\(error.message)); make one with 'ledgerctl backup'")
        }
    }

    /// Copies a backup's store into the empty file at `path`, without the backup's own files.
    static func restoreCopy(from backup: String, to path: String) throws {
        let source = try SQLiteConnection(path: backup, readOnly: true)
        try source.execute("VACUUM INTO '\(path.replacingOccurrences(of: "'", with: "''"))'")
        let target = try SQLiteConnection(path: path)
        try target.execute("PRAGMA secure_delete = ON")
        try target.execute("DROP TABLE backup_files")
        try target.execute("VACUUM")
    }
}
