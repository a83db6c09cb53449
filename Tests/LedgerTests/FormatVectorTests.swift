import Foundation
import Testing
@testable import Ledger

@Suite("Format vectors (docs/test-vectors)")
struct FormatVectorTests {
    /// Set LEDGER_WRITE_VECTORS=1 to rewrite the files after a deliberate format change.
    static let rewrite = ProcessInfo.processInfo.environment["LEDGER_WRITE_VECTORS"] == "1"

    func check(_ name: String, _ generated: Data) throws {
        let path = RepoPaths.vectors + "/" + name
        if Self.rewrite {
            try FileManager.default.createDirectory(atPath: RepoPaths.vectors, withIntermediateDirectories: true)
            try generated.write(to: URL(fileURLWithPath: path))
        }
        let committed = try #require(FileManager.default.contents(atPath: path), "missing \(path); run the tests once with LEDGER_WRITE_VECTORS=1")
        #expect(committed == generated, "\(name) differs from what the code generates: the format changed")
    }

    @Test("entries.json is exactly what the fixed keys produce")
    func entriesFile() throws {
        try check("entries.json", try VectorBuilder.encodeJSON(try VectorBuilder.file()))
    }

    @Test("canonical-json.json, receipt.json and bundle.jsonl are exactly what the code produces")
    func otherFiles() throws {
        let canonical = try VectorBuilder.canonicalJSON.map { input, _ in
            let tree = try JSONDecoder().decode(JSONValue.self, from: Data(input.utf8))
            return VectorBuilder.CanonicalVector(input: input, canonical: String(decoding: tree.canonicalBytes, as: UTF8.self))
        }
        try check("canonical-json.json", try VectorBuilder.encodeJSON(canonical))
        try check("receipt.json", try VectorBuilder.encodeJSON(try VectorBuilder.receiptVectors()))
        try check("bundle.jsonl", Data(try VectorBuilder.bundle()))
    }

    @Test("canonical JSON matches the expected canonical form", arguments: VectorBuilder.canonicalJSON.map { [$0.input, $0.canonical] })
    func canonicalForm(pair: [String]) throws {
        let tree = try JSONDecoder().decode(JSONValue.self, from: Data(pair[0].utf8))
        #expect(String(decoding: tree.canonicalBytes, as: UTF8.self) == pair[1])
        #expect(CanonicalJSON.isCanonical(Array(pair[1].utf8)))
    }

    @Test("every valid vector verifies in full, in log order")
    func validVectors() throws {
        let file = try VectorBuilder.file()
        let hq = try #require(PublicKey(hex: file.keys.hq.publicKey))
        let ledger = try #require(Digest(hex: file.ledger))
        var points: [String: EntryVerifier.LinkPoint] = [:]
        var policy = TrustPolicy(hq: hq)
        for vector in file.valid {
            let bytes = try #require(Hex.decode(vector.bytes))
            let genesis = vector.sequence == 1 && vector.author == hq.hex
            let result = EntryVerifier.verify(bytes: bytes, ledger: genesis ? nil : ledger, hq: hq,
                                              after: vector.after.flatMap { points[$0] }, policy: policy)
            let entry = try result.get()
            policy.learn(from: entry)
            #expect(entry.id.hex == vector.id)
            #expect(Digest.sha256(bytes).hex == vector.id)
            #expect(Hex.encode(entry.signedMessage) == vector.signedMessage)
            #expect(entry.signedMessage.starts(with: Array("ledger.entry.v1".utf8) + [0]))
            points[vector.name] = EntryVerifier.LinkPoint(entry)
        }
        #expect(file.valid.first?.id == file.ledger)
    }

    @Test("every invalid vector fails with its expected fault")
    func invalidVectors() throws {
        let file = try VectorBuilder.file()
        let hq = try #require(PublicKey(hex: file.keys.hq.publicKey))
        let ledger = try #require(Digest(hex: file.ledger))
        let entries = try VectorBuilder.validEntries()
        var points: [String: EntryVerifier.LinkPoint] = [:]
        for (index, name) in VectorBuilder.validNames.enumerated() { points[name] = EntryVerifier.LinkPoint(entries[index]) }
        #expect(file.invalid.count >= 30)
        for vector in file.invalid {
            let bytes = try #require(Hex.decode(vector.bytes))
            // A genesis vector is its own ledger: no ledger id is known before it.
            let genesis = vector.after == nil && bytes.count > 65 && Array(bytes[33..<65]) == hq.bytes
            let result = EntryVerifier.verify(bytes: bytes, ledger: genesis ? nil : ledger, hq: hq, after: vector.after.flatMap { points[$0] },
                                              policy: TrustPolicy(hq: hq))
            switch result {
            case .success: Issue.record("\(vector.name) was accepted")
            case .failure(let fault):
                #expect(fault.kind.rawValue == vector.fault, "\(vector.name): \(fault)")
                if let rule = vector.rule { #expect(fault.detail.hasPrefix(rule + ":"), "\(vector.name) breaks \(rule): \(fault)") }
            }
        }
    }

    @Test("every entry type of FORMAT.md section 4 has a valid vector")
    func everyTypeHasAValidVector() throws {
        let file = try VectorBuilder.file()
        #expect(Set(file.valid.map(\.type)) == Set(EventType.allCases.map(\.rawValue)))
    }

    @Test("every body rule has an invalid vector, and every invalid-body vector names its rule")
    func everyRuleHasAnInvalidVector() throws {
        let file = try VectorBuilder.file()
        let covered = Set(file.invalid.compactMap(\.rule))
        #expect(covered == Set(BodyRule.allCases.map(\.rawValue)))
        for vector in file.invalid where vector.fault == EntryFault.Kind.invalidBody.rawValue && vector.name != "non-canonical-body" && vector.name != "body-with-float" {
            #expect(vector.rule != nil, "\(vector.name) names no body rule")
        }
    }
}
