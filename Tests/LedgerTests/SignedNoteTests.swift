import Foundation
import Testing

@testable import Ledger

/// C2SP signed notes and cosignatures, pinned by the specification's own example.
@Suite("Signed notes (C2SP signed-note, tlog-cosignature)")
struct SignedNoteTests {
    static let exampleKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let exampleNote = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"

    @Test("the specification's example note verifies with its example key, and round-trips byte for byte")
    func specExample() throws {
        let key = try NoteVerifierKey(vkey: Self.exampleKey)
        #expect(key.name == "example.com/foo")
        #expect(key.keyID == 0x530d_903a)
        #expect(key.vkey == Self.exampleKey)
        let note = try SignedNote(parsing: Self.exampleNote)
        #expect(note.text == "This is an example message.\n")
        #expect(note.serialized == Self.exampleNote)
        #expect(try note.verifiedSignature(by: key) != nil)
    }

    @Test("a changed text fails loudly for the named key; another key's absence is just nil")
    func tampering() throws {
        let key = try NoteVerifierKey(vkey: Self.exampleKey)
        let changed = try SignedNote(parsing: Self.exampleNote.replacingOccurrences(of: "example message", with: "exbmple message"))
        #expect(throws: NoteError.badSignature("example.com/foo")) { try changed.verifiedSignature(by: key) }
        let other = try NoteVerifierKey(name: "example.com/bar", type: NoteVerifierKey.ed25519, publicKey: SigningKey().publicKey)
        #expect(try SignedNote(parsing: Self.exampleNote).verifiedSignature(by: other) == nil)
    }

    @Test("malformed notes are refused whole", arguments: [
        "",
        "no blank line\n\u{2014} a AAAAAAAA\n",
        "text\n\n",
        "text\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=",
        "text\n\n- example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        "text\n\n\u{2014} example.com/foo  Uw2QOkn8\n",
        "text\n\n\u{2014} example.com/foo Uw2Q\n",
        "text\n\n\u{2014} example.com/foo not-base64!\n",
        "te\u{0}xt\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        "te\u{7F}xt\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        "te\u{85}xt\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        "text\n\n\u{2014} example.com/f\u{3000}oo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        "text\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQN=\n",
        "text\r\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
    ])
    func malformed(_ raw: String) {
        #expect(throws: NoteError.self) { try SignedNote(parsing: raw) }
    }

    @Test("verifier keys with a wrong ID, type or length are refused")
    func badKeys() {
        for vkey in ["example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                     "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                     "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",
                     "example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                     "example.com/foo+530d903a"] {
            #expect(throws: NoteError.self) { try NoteVerifierKey(vkey: vkey) }
        }
    }

    @Test("a key whose base64 holds '+' round-trips")
    func plusInKey() throws {
        for seed in 0..<64 {
            let key = try NoteVerifierKey(name: "ledger/x", type: NoteVerifierKey.ed25519, publicKey: SigningKey(seed: Array(repeating: UInt8(seed), count: 32)).publicKey)
            #expect(try NoteVerifierKey(vkey: key.vkey) == key)
        }
    }

    @Test("a cosignature (type 0x04) signs 'cosignature/v1', the time and the text; a changed time fails")
    func cosignature() throws {
        let witness = try SigningKey(seed: Array(repeating: 7, count: 32))
        let key = try NoteVerifierKey(name: "ledger/witness", type: NoteVerifierKey.cosignature, publicKey: witness.publicKey)
        let text = "origin\n5\nAAAA\n"
        let line = try key.sign(text, with: witness, time: 1_700_000_000)
        #expect(line.bytes.count == 72)
        #expect(NoteVerifierKey.cosignatureTime(line) == 1_700_000_000)
        let note = try SignedNote(parsing: SignedNote(text: text, signatures: [line]).serialized)
        #expect(try note.verifiedSignature(by: key) == line)
        var bytes = line.bytes
        bytes[7] ^= 1
        let moved = SignedNote(text: text, signatures: [SignedNote.Signature(keyName: line.keyName, keyID: line.keyID, bytes: bytes)])
        #expect(throws: NoteError.self) { try moved.verifiedSignature(by: key) }
        // The same key as a plain Ed25519 note key has another key ID: the lines never mix.
        let plain = try NoteVerifierKey(name: "ledger/witness", type: NoteVerifierKey.ed25519, publicKey: witness.publicKey)
        #expect(plain.keyID != key.keyID)
        #expect(try note.verifiedSignature(by: plain) == nil)
    }
}
