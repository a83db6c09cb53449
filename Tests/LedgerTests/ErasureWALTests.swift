import Foundation
import Testing
@testable import Ledger

/// An erasure ends with the WAL truncated, so that the erased bytes are in no file of the data
/// folder (docs/PRIVACY.md, "Erasure"). SQLite cannot truncate while another connection holds
/// a read snapshot (`ledgerctl export` or `verify` in another process, a reader of ledgerd):
/// the store must then neither wait for it, holding the writer that every kiosk needs, nor
/// forget the truncation.
@Suite("Erasure and the WAL")
struct ErasureWALTests {
    /// True when any file of `folder` holds `needle`.
    static func anyFile(in folder: String, holds needle: [UInt8]) throws -> Bool {
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))) ?? Data()
            if data.range(of: Data(needle)) != nil { return true }
        }
        return false
    }

    /// An HQ with one signature, and 32 bytes of its sealed payload to look for.
    static func signed(in dir: TempDir) throws -> (LedgerNode, ReceiptCode, [UInt8]) {
        let hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "WAL")
        try hq.publish(sampleCampaign("c1"))
        let receipt = try hq.sign(campaign: "c1", signer: SignerDetails(name: "Kari", email: "kari@example.org", country: "NO"), channel: .kiosk)
        let digest = try #require(receipt.entry.payloadDigest)
        let payload = try #require(try hq.store.payload(digest: digest))
        return (hq, receipt.code, Array(payload[40..<72]))
    }

    /// Another process's connection, holding a read snapshot from before `erase` runs.
    static func reading(_ hq: LedgerNode, while erase: () throws -> Void) throws -> RawDatabase {
        let reader = try RawDatabase(path: hq.store.path)
        try reader.execute("BEGIN")
        _ = try reader.count("SELECT count(*) FROM entries")
        try erase()
        return reader
    }

    @Test("with no reader, the erased payload is in no file as soon as the erasure returns")
    func noReader() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (hq, code, needle) = try Self.signed(in: dir)
        #expect(try Self.anyFile(in: hq.folder.path, holds: needle))
        _ = try hq.erase(receipt: code, reason: "asked")
        #expect(try !Self.anyFile(in: hq.folder.path, holds: needle))
        #expect(try hq.store.truncateWALAfterErasure())
    }

    @Test("an erasure while another process reads returns at once (it waited 30 s, holding the writer); the next write after the read truncates the WAL")
    func readerInTheWay() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (hq, code, needle) = try Self.signed(in: dir)
        let start = ContinuousClock.now
        let reader = try Self.reading(hq) { _ = try hq.erase(receipt: code, reason: "asked") }
        #expect(ContinuousClock.now - start < .seconds(5))
        // A kiosk signs meanwhile, without waiting.
        let signing = ContinuousClock.now
        _ = try hq.sign(campaign: "c1", signer: SignerDetails(name: "Ola", email: "ola@example.org", country: "NO"), channel: .kiosk)
        #expect(ContinuousClock.now - signing < .seconds(5))
        #expect(try !hq.store.truncateWALAfterErasure())  // still due: the reader is in the way
        try reader.execute("COMMIT")
        #expect(try Self.anyFile(in: hq.folder.path, holds: needle))
        _ = try hq.comment(campaign: "c1", displayName: "K", text: "a later write")
        #expect(try !Self.anyFile(in: hq.folder.path, holds: needle))
        #expect(try hq.store.truncateWALAfterErasure())
    }

    @Test("an erasure whose truncation was still due when the process stopped is finished by the next open")
    func nextOpen() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // The first process's node stays open and writes nothing more, as if it had been killed
        // (closing the last connection would checkpoint on its own).
        let (hq, code, needle) = try Self.signed(in: dir)
        let reader = try Self.reading(hq) { _ = try hq.erase(receipt: code, reason: "asked") }
        try reader.execute("COMMIT")
        #expect(try Self.anyFile(in: hq.folder.path, holds: needle))
        #expect(try reader.count("SELECT count(*) FROM meta WHERE key = '\(LedgerStore.walTruncateKey)'") == 1)
        let reopened = try LedgerNode.open(at: dir.file("hq"))
        #expect(try !Self.anyFile(in: reopened.folder.path, holds: needle))
        #expect(try reader.count("SELECT count(*) FROM meta WHERE key = '\(LedgerStore.walTruncateKey)'") == 0)
    }
}
