import Foundation
import Ledger
import Testing

@testable import ledgerd

@Suite("Opening or creating the node")
struct OpenOrCreateTests {
    @Test("creates a standalone HQ node in an empty folder, then opens the same node")
    func createsThenOpens() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("data").path
            let created = try LedgerNode.openOrCreateHQ(at: path, name: nil, logger: quietLogger())
            #expect(created.role == .hq)
            let name = try created.store.entry(id: try created.ledgerID)?.decodeBody(LedgerCreated.self).name
            #expect(name == Ledgerd.defaultLedgerName)

            let opened = try LedgerNode.openOrCreateHQ(at: path, name: "Ignored", logger: quietLogger())
            #expect(try opened.ledgerID == (try created.ledgerID))
            #expect(opened.key.publicKey == created.key.publicKey)
            #expect(try opened.store.entryCount() == 1)
        }
    }

    @Test("names a new ledger after --name")
    func usesName() async throws {
        try await withTemporaryDirectory { directory in
            let node = try LedgerNode.openOrCreateHQ(at: directory.appendingPathComponent("data").path, name: "Amnesty Test", logger: quietLogger())
            let name = try node.store.entry(id: try node.ledgerID)?.decodeBody(LedgerCreated.self).name
            #expect(name == "Amnesty Test")
        }
    }

    @Test("refuses a damaged store with the library's error")
    func damagedStore() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("data").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data(String(repeating: "not a database ", count: 100).utf8).write(to: URL(fileURLWithPath: path + "/ledger.sqlite"))
            #expect(throws: StoreError.self) { try LedgerNode.openOrCreateHQ(at: path, name: nil, logger: quietLogger()) }
        }
    }

    @Test("gives a file-system failure its folder as context")
    func unwritableFolder() async throws {
        try await withTemporaryDirectory { directory in
            // A regular file where the data folder's parent should be: no user can create it.
            let file = directory.appendingPathComponent("file")
            try Data("x".utf8).write(to: file)
            let path = file.appendingPathComponent("data").path
            do {
                _ = try LedgerNode.openOrCreateHQ(at: path, name: nil, logger: quietLogger())
                Issue.record("expected an error")
            } catch let error as DaemonError {
                #expect(error.description.hasPrefix("cannot create a node in \(path): "))
            }
        }
    }
}
