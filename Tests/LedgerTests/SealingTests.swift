import Testing
@testable import Ledger

@Suite("Sealed payloads")
struct SealingTests {
    @Test("a sealed payload opens with HQ's key and gives back the plaintext")
    func roundTrip() throws {
        let hq = try Fixed.sealing()
        let ledger = Digest.sha256([1])
        let plaintext = Array("{\"name\":\"Kari Nordmann\"}".utf8)
        let sealed = try Sealing.seal(plaintext, to: hq.publicKey, ledger: ledger)
        #expect(sealed.first == Sealing.version)
        #expect(!sealed.containsSubsequence(Array("Kari".utf8)))
        #expect(try Sealing.open(sealed, with: hq, ledger: ledger) == plaintext)
    }

    @Test("a field device's key cannot open a payload sealed to HQ")
    func fieldKeyCannotOpen() throws {
        let hq = try Fixed.sealing()
        let field = SealingPrivateKey()
        let ledger = Digest.sha256([1])
        let sealed = try Sealing.seal(Array("secret".utf8), to: hq.publicKey, ledger: ledger)
        #expect(throws: CryptoError.self) { try Sealing.open(sealed, with: field, ledger: ledger) }
    }

    @Test("a payload sealed for one ledger does not open in another, nor after a flipped byte")
    func boundToLedgerAndIntegrity() throws {
        let hq = try Fixed.sealing()
        let sealed = try Sealing.seal(Array("secret".utf8), to: hq.publicKey, ledger: Digest.sha256([1]))
        #expect(throws: CryptoError.self) { try Sealing.open(sealed, with: hq, ledger: Digest.sha256([2])) }
        for offset in sealed.indices {
            var flipped = sealed
            flipped[offset] ^= 0x01
            #expect(throws: CryptoError.self) { try Sealing.open(flipped, with: hq, ledger: Digest.sha256([1])) }
        }
    }

    @Test("a node that records a signature cannot read back the personal data it collected")
    func recordingNodeCannotRead() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let hq = try LedgerNode.createHQ(at: dir.file("hq"), name: "Seal")
        try hq.publish(sampleCampaign())
        let receipt = try hq.sign(campaign: "free-the-press", signer: SignerDetails(name: "Kari Nordmann", email: "kari@example.org"))
        let digest = try #require(receipt.entry.payloadDigest)
        let sealed = try #require(try hq.store.payload(digest: digest))
        #expect(!sealed.containsSubsequence(Array("kari@example.org".utf8)))
        #expect(!receipt.entry.bytes.containsSubsequence(Array("Kari".utf8)))
        #expect(throws: CryptoError.self) { try Sealing.open(sealed, with: SealingPrivateKey(), ledger: try hq.ledgerID) }
        let opened = try Sealing.open(sealed, with: try #require(try hq.sealingPrivateKey()), ledger: try hq.ledgerID)
        #expect(try CanonicalJSON.decode(SignerDetails.self, from: opened).email == "kari@example.org")
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        for start in 0...(count - needle.count) where self[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
