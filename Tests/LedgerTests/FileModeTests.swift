import Foundation
import Testing

@testable import Ledger

/// Every file a node writes is for its owner only (mode 0600).
@Suite("File modes")
struct FileModeTests {
    func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    @Test("peers.json, peers-state.json, exported bundles and backups are 0600; keys and the store too")
    func ownerOnly() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Modes")
        let book = PeerBook(folder: hq.folder)
        try book.add("http://192.168.1.20:8080")
        try book.record(peer: "http://192.168.1.20:8080", report: nil, error: "unreachable", now: 1)
        try hq.exportBundle(to: dir.file("hq.bundle"))
        try hq.backup(to: dir.file("hq.backup"))
        for path in [hq.folder.path + "/peers.json", hq.folder.path + "/peers-state.json", dir.file("hq.bundle"), dir.file("hq.backup"),
                     hq.folder.storePath, hq.folder.keysPath + "/node.key", hq.folder.keysPath + "/sealing.key"] {
            #expect(try mode(path) == 0o600, "\(path)")
        }
        #expect(try mode(hq.folder.keysPath) == 0o700)
    }
}
