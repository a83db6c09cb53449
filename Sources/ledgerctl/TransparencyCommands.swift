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

    @Argument(help: "The receipt code the signer was given (XXXX-XXXX-XXXX-XXXX); - reads it from standard input (so it is not in the process list).")
    var code: String

    @Option(name: .long, help: ArgumentHelp("Where to write the proof; - for standard output.", valueName: "FILE"))
    var out: String

    func run() throws {
        guard let receipt = ReceiptCode(parsing: code == "-" ? readLine() ?? "" : code) else {
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

    @Option(name: .long, help: "The receipt code the proof must belong to; - reads it from standard input (the proof file then cannot be -).")
    var code: String?

    func run() throws {
        var receipt: ReceiptCode?
        if let code {
            if code == "-" && file == "-" { throw ValidationError("the proof and the code cannot both come from standard input") }
            guard let parsed = ReceiptCode(parsing: code == "-" ? readLine() ?? "" : code) else {
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

struct TallyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Sign a campaign's counts at HQ's newest checkpoint (a tally statement), and check one.",
        subcommands: [TallyMakeCommand.self, TallyVerifyCommand.self],
        defaultSubcommand: TallyMakeCommand.self)
}

struct TallyMakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make",
        abstract: "Write HQ's signed tally statement of a campaign (HQ only).",
        discussion: """
            The statement (docs/FORMAT.md section 11, "Tally statements") names the campaign's newest \
            version, HQ's checkpoint, the read-model digest and the counts, signed with HQ's \
            checkpoint key. With --bundle B, a bundle of exactly the checkpoint's entries is written \
            too, and their leaf order to B.leaves, so that anyone can recompute the counts and the \
            checkpoint's root ('ledgerctl tally verify FILE --bundle B', tools/verify_transparency.py tally).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The campaign id.") var campaign: String
    @Option(name: .long, help: ArgumentHelp("Where to write the statement; - for standard output.", valueName: "FILE")) var out: String
    @Option(name: .long, help: ArgumentHelp("Also export a bundle of the checkpoint's entries to this file.", valueName: "FILE")) var bundle: String?

    func run() throws {
        let node = try global.openNode()
        for path in [out, bundle, bundle.map { $0 + ".leaves" }].compactMap({ $0 }) where path != "-" && FileManager.default.fileExists(atPath: path) {
            throw NodeError.ambiguous("\(path) exists; refusing to overwrite it (choose another file)")
        }
        var made: (tally: Tally, note: String)?
        for _ in 0..<5 {
            let candidate = try node.signTally(campaign: campaign)
            guard let bundle else {
                made = candidate
                break
            }
            let exported = try node.exportBundle(to: bundle)
            if exported.entries.count + exported.forks.count == candidate.tally.checkpoint.size {
                // The leaf order, so that the bundle's entries give the checkpoint's root.
                let ids = try node.store.leafIDs(size: candidate.tally.checkpoint.size)
                try Data(LeafOrder.encode(ids)).write(to: URL(fileURLWithPath: bundle + ".leaves"))
                made = candidate
                break
            }
            try? FileManager.default.removeItem(atPath: bundle)  // entries arrived in between: again
        }
        guard let made else { throw NodeError.ambiguous("entries kept arriving while the tally was made; try again when syncs are quiet") }
        if out == "-" {
            FileHandle.standardOutput.write(Data(made.note.utf8))
            return
        }
        try Data(made.note.utf8).write(to: URL(fileURLWithPath: out), options: .withoutOverwriting)
        let counts = made.tally.counts
        print("Wrote the tally of \(campaign) to \(out): \(counts["counted"] ?? 0) counted at checkpoint \(made.tally.checkpoint.size) (epoch \(made.tally.checkpoint.epoch))\(bundle.map { "; bundle of its entries in \($0), their leaf order in \($0).leaves" } ?? "").")
        print("Check it with: ledgerctl tally verify \(out) --key '\(try node.checkpointKey().vkey)'\(bundle.map { " --bundle \($0)" } ?? "")")
    }
}

struct TallyVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a tally statement with HQ's key, and (--bundle) recompute its counts; exit 0 when it holds, 1 when not.",
        discussion: """
            With --bundle the bundle is verified in full in a temporary folder, its entries must \
            number the checkpoint's size, and the campaign's counts, computed from it as in \
            docs/READMODELS.md, must equal the statement's.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The tally statement ('ledgerctl tally make').") var file: String
    @Option(name: .long, help: ArgumentHelp("HQ's checkpoint verifier key (a C2SP vkey).", valueName: "VKEY")) var key: String?
    @Option(name: .long, help: ArgumentHelp("A bundle of the checkpoint's entries, to recompute the counts from.", valueName: "FILE")) var bundle: String?
    @Option(name: .long, help: ArgumentHelp("The bundle's leaf order (default: BUNDLE.leaves when it exists), to recompute the checkpoint's root.", valueName: "FILE")) var leaves: String?

    func run() throws {
        let verifier: NoteVerifierKey
        if let key {
            do { verifier = try NoteVerifierKey(vkey: key) } catch { throw ValidationError("--key is not a verifier key: \(error)") }
        } else {
            verifier = try global.openNode().checkpointKey()
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw NodeError.ambiguous("cannot read \(file)") }
        let (tally, _) = try Tally.verify(note: String(decoding: data, as: UTF8.self), key: verifier)
        print("Signed by \(verifier.name): campaign \(tally.campaign), \(tally.counts["counted"] ?? 0) counted at checkpoint \(tally.checkpoint.size) (epoch \(tally.checkpoint.epoch)).")
        guard let bundle else { return }
        let read = try LedgerNode.readBundle(at: bundle)
        var order: [Digest]?
        if let path = leaves ?? (FileManager.default.fileExists(atPath: bundle + ".leaves") ? bundle + ".leaves" : nil) {
            guard let data = FileManager.default.contents(atPath: path) else { throw NodeError.ambiguous("cannot read \(path)") }
            order = try LeafOrder.decode(Array(data))
        }
        let rootChecked = try tally.recount(from: read, leaves: order)
        print("The bundle (\(tally.checkpoint.size) entries, verified in full) gives the same counts and read-model digest"
              + (rootChecked ? ", and its entries in their leaf order give the checkpoint's root." : "; give --leaves to check the checkpoint's root too."))
    }
}
