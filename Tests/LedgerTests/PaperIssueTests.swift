import Foundation
import Testing
@testable import Ledger

/// `paper.issued` (docs/FORMAT.md section 4, docs/PAPER.md): check codes, numbering and who may issue.
@Suite("Paper lists issued in the ledger")
struct PaperIssueTests {
    @Test("the check code of the paper-issued vector is the one FORMAT.md states, and typed codes normalise as receipt codes do")
    func checkCode() throws {
        let vector = try #require(try VectorBuilder.file().valid.first { $0.name == "paper-issued" })
        let code = PaperCheckCode.of(issuance: try #require(Digest(hex: vector.id)))
        let spec = try String(contentsOfFile: RepoPaths.root + "/docs/FORMAT.md", encoding: .utf8)
        #expect(spec.contains("has the id `\(vector.id)` and the check code `\(code)`"))
        #expect(code == "0GKA5")
        for typed in ["0GKA5", "0gka5", "OGKA5", "0-GKA 5", " 0gka5 "] { #expect(PaperCheckCode.normalised(typed) == code, "\(typed)") }
        #expect(PaperCheckCode.normalised("1LI11") == "11111")
        for bad in ["", "0GKA", "0GKA55", "0GKAU", "0GKA!", "0GKÅ5"] { #expect(PaperCheckCode.normalised(bad) == nil, "\(bad)") }
        // Every id's code is 5 symbols of the alphabet: the worst bytes too.
        for byte: UInt8 in [0x00, 0xFF] {
            let id = try #require(Digest([UInt8](repeating: byte, count: 32)))
            #expect(PaperCheckCode.of(issuance: id) == (byte == 0 ? "00000" : "ZZZZZ"))
        }
    }

    @Test("HQ numbers lists after the highest issued, around numbers paper signatures carry, up to 2^63 - 1; bad counts and closed campaigns are refused")
    func numbering() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paper-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let hq = try LedgerNode.createHQ(at: directory.appendingPathComponent("hq").path, name: "Paper")
        try hq.publish(sampleCampaign())
        // Paper signatures of lists 2 and 2^63 - 1, recorded before lists were issued (an older
        // ledger) or by a laptop with any number it likes: new lists go around them, and the
        // largest number does not overflow the numbering.
        _ = try hq.sign(campaign: "free-the-press", signer: SignerDetails(name: "Old Paper"), channel: .paper, paperList: 2)
        _ = try hq.sign(campaign: "free-the-press", signer: SignerDetails(name: "Far Paper"), channel: .paper, paperList: Int64.max)
        let first = try hq.issuePaperLists(campaign: "free-the-press", count: 2, rows: 10)
        #expect(first.map(\.list) == [1, 3])
        // What issuing returns is what the read models hold.
        #expect(try hq.store.paperLists(campaign: "free-the-press") == first)
        #expect(try hq.issuePaperLists(campaign: "free-the-press", count: 1, rows: 1000).map(\.list) == [4])
        #expect(throws: NodeError.self) { try hq.issuePaperLists(campaign: "free-the-press", count: 0, rows: 10) }
        #expect(throws: NodeError.self) { try hq.issuePaperLists(campaign: "free-the-press", count: 1, rows: 1001) }
        #expect(throws: NodeError.self) { try hq.issuePaperLists(campaign: "free-the-press", count: LedgerNode.maxListsPerIssue + 1, rows: 10) }
        #expect(throws: NodeError.self) { try hq.issuePaperLists(campaign: "nope", count: 1, rows: 10) }
        // A revoked device gets no lists.
        let laptop = SigningKey().publicKey
        try hq.enrol(device: laptop, name: "Stall", role: .field)
        _ = try hq.revoke(device: laptop, afterSequence: 0, reason: nil)
        #expect(throws: NodeError.self) { try hq.issuePaperLists(campaign: "free-the-press", count: 1, rows: 10, device: laptop) }
        _ = try hq.close(campaign: "free-the-press", reason: nil)
        #expect(throws: NodeError.self) { try hq.issuePaperLists(campaign: "free-the-press", count: 1, rows: 10) }
        #expect(try hq.store.paperLists(campaign: "free-the-press").map(\.list) == [1, 3, 4])
        // The read models hold the same after a rebuild.
        let before = try hq.store.readModelDigest()
        _ = try hq.store.rebuildReadModels()
        #expect(try hq.store.readModelDigest() == before)
    }

    @Test("when an HQ device has issued list 2^63 - 1, HQ refuses to number more lists with an error, never a crash")
    func numbersExhausted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paper-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let hq = try LedgerNode.createHQ(at: directory.appendingPathComponent("hq").path, name: "Paper")
        try hq.publish(sampleCampaign())
        let desk = SigningKey()
        try hq.enrol(device: desk.publicKey, name: "HQ desk", role: .hq)
        var log = EntryFactory(ledger: try hq.ledgerID, key: desk)
        log.wall = SystemClock().nowMillis()
        _ = try hq.store.ingest([try log.next(PaperIssued(campaign: "free-the-press", list: Int64.max, rows: 20))], payloads: [])
        #expect(try hq.store.paperLists(campaign: "free-the-press").map(\.list) == [Int64.max])
        #expect(throws: NodeError.self) { try hq.issuePaperLists(campaign: "free-the-press", count: 1, rows: 20) }
        #expect(try hq.store.paperLists(campaign: "free-the-press").count == 1)
    }

    @Test("a field device's paper.issued is outside its rights: stored as evidence, never an issued list")
    func fieldCannotIssue() throws {
        #expect(!Role.field.rights.contains(.paperIssued) && Role.hq.rights.contains(.paperIssued) && !EventType.paperIssued.isRootOnly)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paper-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let hq = try LedgerNode.createHQ(at: directory.appendingPathComponent("hq").path, name: "Paper")
        try hq.publish(sampleCampaign())
        let field = SigningKey()
        try hq.enrol(device: field.publicKey, name: "Stall", role: .field)
        var log = EntryFactory(ledger: try hq.ledgerID, key: field)
        log.wall = SystemClock().nowMillis()
        let entry = try log.next(PaperIssued(campaign: "free-the-press", list: 1, rows: 20, device: field.publicKey.hex))
        _ = try hq.store.ingest([entry], payloads: [])
        #expect(try hq.store.entry(id: entry.id) != nil)
        #expect(try hq.store.paperLists(campaign: "free-the-press").isEmpty)
        #expect(throws: PaperListError.notIssued(campaign: "free-the-press", list: 1)) {
            try hq.issuedPaperList(campaign: "free-the-press", number: 1, check: PaperCheckCode.of(issuance: entry.id))
        }
        // HQ's next list is 2: the refused entry's number is not reused.
        #expect(try hq.issuePaperLists(campaign: "free-the-press", count: 1, rows: 20).map(\.list) == [2])
    }
}
