import Foundation
import Ledger
import Testing

@testable import ledgerd

@Suite("Opening the node at start-up")
struct OpenForDaemonTests {
    @Test("opens an existing node with its identity")
    func opensExisting() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("data").path
            let created = try LedgerNode.createHQ(at: path, name: "Amnesty Test")
            let opened = try LedgerNode.openForDaemon(at: path, logger: quietLogger())
            #expect(opened.role == .hq)
            #expect(try opened.ledgerID == (try created.ledgerID))
            #expect(opened.key.publicKey == created.key.publicKey)
            #expect(try opened.store.entryCount() == 1)
        }
    }

    @Test("refuses a missing or empty folder and creates nothing there")
    func refusesEmpty() async throws {
        try await withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("missing").path
            #expect(throws: DaemonError.self) { try LedgerNode.openForDaemon(at: missing, logger: quietLogger()) }
            #expect(!FileManager.default.fileExists(atPath: missing))
            let empty = directory.appendingPathComponent("empty").path
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            do {
                _ = try LedgerNode.openForDaemon(at: empty, logger: quietLogger())
                Issue.record("expected an error")
            } catch let error as DaemonError {
                #expect(error.description.hasPrefix("no Ledger node in \(empty)"))
                #expect(error.description.contains("ledgerctl init --hq"))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
        }
    }

    @Test("refuses a damaged store with the library's error")
    func damagedStore() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("data").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data(String(repeating: "not a database ", count: 100).utf8).write(to: URL(fileURLWithPath: path + "/ledger.sqlite"))
            #expect(throws: StoreError.self) { try LedgerNode.openForDaemon(at: path, logger: quietLogger()) }
        }
    }
}
