import Foundation
import Testing
@testable import Ledger

/// Bugs the fuzz targets (Fuzz/, docs/FUZZING.md) found, pinned. Each reproducer also stays in
/// Fuzz/corpus/<target>/, so every fuzz run starts from it.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// The fuzz target's two rules for canonical JSON, for one input.
    func checkRules(_ text: String) throws -> Bool {
        let bytes = Array(text.utf8)
        let canonical = CanonicalJSON.isCanonical(bytes)
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        if canonical { #expect(value.canonicalBytes == bytes, "canonical bytes are what the writer writes for their value") }
        #expect(CanonicalJSON.isCanonical(value.canonicalBytes), "the writer's output is canonical")
        return canonical
    }

    // Fuzz/corpus/canonical-json/seed-escaped-keys: the validator compared keys as escaped bytes
    // (`\` 0x5c after `A` 0x41), the writer and Python's sort_keys as text ("\n" 0x0a before "A").
    @Test("orders keys by their decoded text: an escaped newline sorts before A")
    func escapedKeyOrder() throws {
        #expect(try checkRules(#"{"\n":1,"A":2}"#))
        #expect(try !checkRules(#"{"A":2,"\n":1}"#))
        #expect(try checkRules(#"{"\"":1,"\\":2,"a":3}"#))
        #expect(try !checkRules(#"{"\\":2,"\"":1}"#))
        #expect(try checkRules(#"{"\u0001":1,"\t":2,"\u001f":3," ":4}"#))
    }

    // Fuzz/corpus/canonical-json/seed-nfc-nfd-keys and seed-kelvin-sign-key: keys with different
    // bytes that are one Swift String; JSONDecoder merged them, so the validator accepted a body
    // that Ledger reads with one member and a byte-comparing verifier with two.
    @Test("refuses two keys that are the same text in Unicode's canonical equivalence", arguments: [
        "{\"e\u{301}\":1,\"\u{E9}\":2}",
        "{\"hqKey\":\"a\",\"hq\u{212A}ey\":\"b\"}",
        "{\"x\":{\"A\u{30A}\":1,\"\u{C5}\":2}}",
    ])
    func canonicallyEquivalentKeys(_ text: String) throws {
        #expect(!CanonicalJSON.isCanonical(Array(text.utf8)))
    }

    @Test("accepts distinct non-ASCII keys and non-ASCII text")
    func distinctNonASCIIKeys() throws {
        #expect(try checkRules("{\"e\u{301}\":1,\"\u{F8}\":2}"))
        #expect(try checkRules("{\"a\":\"e\u{301} \u{E9}\",\"b\":[\"\u{212A}\",\"K\"]}"))
    }

    @Test("an entry whose body has canonically equivalent keys is an invalid body")
    func entryWithEquivalentKeys() throws {
        let hq = try Fixed.hq()
        let genesis = try EntryFactory.genesis(key: hq)
        var log = EntryFactory(ledger: genesis.id, key: hq)
        log.head = EntryVerifier.LinkPoint(genesis)
        let entry = try log.next(CampaignClosed(campaign: "free-the-press", reason: nil)) { draft in
            draft.body = Array("{\"campaign\":\"free-the-press\",\"reason\":\"a\",\"reaso\u{301}n\":\"b\",\"reas\u{F3}n\":\"c\"}".utf8)
        }
        #expect(EntryVerifier.checkContent(entry, ledger: genesis.id, hq: hq.publicKey)?.kind == .invalidBody)
    }

    // Fuzz/corpus/paper-list/crash-header-cell-quoted (found by the fuzzer) and seed-no-header-row:
    // a list typed in without its header row was refused with "unknown column 'kari nordmann'",
    // a signer's name in an error message.
    @Test("a paper list without its header row is refused without quoting its first row")
    func paperListWithoutHeader() throws {
        let text = "Kari Nordmann,kari.nordmann@example.org,0150,NO,yes\nOla Hansen,,5003,NO,no\n"
        let error = try #require(throws: PaperListError.self) { try PaperList(text: text) }
        #expect(!error.description.lowercased().contains("kari"))
        #expect(error.description.contains("column 1 of the first row"))
        let typo = try #require(throws: PaperListError.self) { try PaperList(text: "name,emial\nKari,kari@example.org\n") }
        #expect(typo.description.contains("column 2 of the first row"))
    }

    @Test("CampaignFile.parse reads the documented example like load(path:)")
    func campaignParse() throws {
        let path = RepoPaths.root + "/docs/examples/free-the-press.json"
        let parsed = try CampaignFile.parse(try Data(contentsOf: URL(fileURLWithPath: path)), path: path)
        #expect(parsed == (try CampaignFile.load(path: path)))
        #expect(parsed.deadline == "2027-03-01T00:00:00.000Z")
    }
}
