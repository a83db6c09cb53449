import ArgumentParser
import Foundation
import Ledger

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print HQ's newest signed checkpoint, or (--key) the key that verifies checkpoints.",
        discussion: """
            A checkpoint (C2SP tlog-checkpoint, docs/FORMAT.md section 11) names the ledger, the \
            number of entries HQ holds and the root hash of its Merkle tree over them, signed by \
            HQ's key; witnesses' cosignatures follow it. HQ signs it; on other nodes --key still \
            prints HQ's verifier key, which anyone checking a receipt proof or a tally needs.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print HQ's checkpoint verifier key (a C2SP vkey) instead.")
    var key = false

    func run() throws {
        let node = try global.openNode()
        if key {
            print(try node.checkpointKey().vkey)
            return
        }
        guard node.role == .hq else {
            throw NodeError.notHQ(operation: "sign checkpoints (this node's newest witnessed checkpoint is in 'ledgerctl status')")
        }
        FileHandle.standardOutput.write(Data(try node.servedCheckpoint().utf8))
    }
}

struct ReceiptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt",
        abstract: "Prove that a signature is in HQ's signed history, and check such a proof.",
        subcommands: [ReceiptProveCommand.self, ReceiptVerifyCommand.self])
}

struct ReceiptProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Write the receipt proof of a signature (HQ only): its entry, inclusion proof and checkpoint.",
        discussion: """
            The proof (docs/FORMAT.md section 11, "Receipt proofs") is checked with 'ledgerctl \
            receipt verify FILE' or tools/verify_transparency.py, with nothing but HQ's key. It \
            holds no personal data: the entry names the campaign, the country and postcode area \
            the signer gave, and hashes.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The receipt code the signer was given (XXXX-XXXX-XXXX-XXXX).")
    var code: String

    @Option(name: .long, help: ArgumentHelp("Where to write the proof; - for standard output.", valueName: "FILE"))
    var out: String

    func run() throws {
        guard let receipt = ReceiptCode(parsing: code) else {
            throw ValidationError("a receipt code has 16 letters and digits, like 7K2M-Q9XD-3HPA-W4TZ")
        }
        let node = try global.openNode()
        let proof = try node.receiptProof(for: receipt)
        let bytes = try proof.encoded()
        if out == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: out), options: .withoutOverwriting)
        } catch {
            throw NodeError.ambiguous("cannot write \(out) (it exists, or its folder is not writable); choose another --out")
        }
        let checkpoint = try Checkpoint(text: try SignedNote(parsing: proof.checkpoint).text)
        print("Wrote the receipt proof to \(out): leaf \(proof.leaf) of \(checkpoint.size) in HQ's tree (epoch \(checkpoint.epoch)).")
        print("Check it with: ledgerctl receipt verify \(out) --key '\(proof.key)'")
    }
}

struct ReceiptVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a receipt proof with HQ's key; exit 0 when it holds, 1 when it does not.",
        discussion: """
            --key is HQ's checkpoint verifier key from a source you trust ('ledgerctl checkpoint \
            --key' at any node of the ledger, or what the campaign published). Without --key the \
            key of this node's ledger is used (needs --data); the key written in the proof is never \
            trusted. With --code the proof must also belong to that receipt code.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The proof file ('ledgerctl receipt prove'); - for standard input.")
    var file: String

    @Option(name: .long, help: ArgumentHelp("HQ's checkpoint verifier key (a C2SP vkey).", valueName: "VKEY"))
    var key: String?

    @Option(name: .long, help: "The receipt code the proof must belong to.")
    var code: String?

    func run() throws {
        var receipt: ReceiptCode?
        if let code {
            guard let parsed = ReceiptCode(parsing: code) else {
                throw ValidationError("a receipt code has 16 letters and digits, like 7K2M-Q9XD-3HPA-W4TZ")
            }
            receipt = parsed
        }
        let verifier: NoteVerifierKey
        if let key {
            do { verifier = try NoteVerifierKey(vkey: key) } catch { throw ValidationError("--key is not a verifier key: \(error)") }
        } else {
            verifier = try global.openNode().checkpointKey()
        }
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: file) else { throw NodeError.ambiguous("cannot read \(file)") }
            data = read
        }
        let proof = try ReceiptProof(json: Array(data))
        let verified = try proof.verify(key: verifier, code: receipt)
        print("Valid: signature \(verified.entry.id.short) (campaign \(verified.body.campaign), recorded \(Timestamps.iso8601(millis: verified.entry.timestamp.wall)))"
              + " is leaf \(proof.leaf) of \(verified.checkpoint.size) in the checkpoint signed by \(verifier.name) (epoch \(verified.checkpoint.epoch))"
              + (receipt == nil ? "." : ", and belongs to the receipt code."))
    }
}
