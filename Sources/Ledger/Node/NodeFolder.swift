import Foundation

/// A node's data folder: `ledger.sqlite` and `keys/` (docs/OPERATIONS.md, "The data folder").
public struct NodeFolder: Sendable {
    public let path: String

    public init(path: String) {
        self.path = (path as NSString).standardizingPath
    }

    public var storePath: String { path + "/ledger.sqlite" }
    public var keysPath: String { path + "/keys" }

    /// True when the folder holds a store.
    public var exists: Bool { FileManager.default.fileExists(atPath: storePath) }

    /// Creates the folder and `keys/` (both mode 0700). Refuses a folder that already holds a
    /// node, or the keys of an interrupted set-up.
    func create() throws {
        if exists { throw NodeError.alreadyInitialised(path: path) }
        let manager = FileManager.default
        if manager.fileExists(atPath: keysPath) { throw NodeError.interruptedSetup(path: path) }
        let existed = manager.fileExists(atPath: path)
        try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
        if !existed { try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path) }
        try manager.createDirectory(atPath: keysPath, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: keysPath)
    }

    /// Restricts the store's files to the owner (mode 0600): they hold sealed personal data.
    func restrictStoreFiles() throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: storePath + suffix) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: storePath + suffix)
        }
    }

    /// Writes a key file (hex and a newline) with mode 0600; never overwrites.
    func writeKey(_ name: String, _ bytes: [UInt8]) throws {
        let file = keysPath + "/" + name
        if FileManager.default.fileExists(atPath: file) { throw NodeError.alreadyInitialised(path: path) }
        let created = FileManager.default.createFile(
            atPath: file, contents: Data((Hex.encode(bytes) + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw NodeError.keyFile(path: file, reason: "cannot create it") }
    }

    /// Overwrites a key file with zeros, flushes, and deletes it; nothing when it does not exist.
    func shredKey(_ name: String) throws {
        let file = keysPath + "/" + name
        guard let handle = FileHandle(forUpdatingAtPath: file) else { return }
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(count: size))
        try handle.synchronize()
        try handle.close()
        try FileManager.default.removeItem(atPath: file)
    }

    /// Reads a key file; nil when it does not exist.
    func readKey(_ name: String) throws -> [UInt8]? {
        let file = keysPath + "/" + name
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count == 32 else {
            throw NodeError.keyFile(path: file, reason: "expected 64 hex characters")
        }
        return bytes
    }
}
