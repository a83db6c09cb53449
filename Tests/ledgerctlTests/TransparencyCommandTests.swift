import Foundation
import Testing

/// `ledgerctl checkpoint`, `receipt prove/verify` and `tally make/verify` as a user runs them.
@Suite("ledgerctl checkpoint, receipt and tally")
struct TransparencyCommandTests {
    @Test("a signer's receipt proof and the campaign's tally verify with HQ's key alone; a changed count or wrong code fails with exit 1")
    func proveAndTally() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let cli = CLI(data: scratch.file("hq"))
        #expect(try cli.run(["init", "--hq", "--name", "Transparent"]).status == 0)
        #expect(try cli.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        var codes: [String] = []
        for index in 1...3 {
            let signed = try cli.run(["sign", "--campaign", "free-the-press", "--name", "Signer \(index)", "--email", "s\(index)@example.org"])
            codes += signed.stdout.split(separator: "\n").filter { $0.hasPrefix("Receipt code: ") }.map { String($0.dropFirst(14)) }
        }
        #expect(codes.count == 3)
        #expect(try cli.run(["withdraw", "--receipt", codes[2]]).status == 0)
        let key = try cli.run(["checkpoint", "--key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("ledger/"))
        let checkpoint = try cli.run(["checkpoint"])
        #expect(checkpoint.status == 0 && checkpoint.stdout.contains("\n6\n"), "\(checkpoint.output)")

        // The signer's proof: written once, checked anywhere with the key; the code must match.
        let proof = scratch.file("proof.json")
        let prove = try cli.run(["receipt", "prove", codes[0], "--out", proof])
        #expect(prove.status == 0, "\(prove.output)")
        #expect(try cli.run(["receipt", "prove", codes[0], "--out", proof]).status != 0)  // never overwrites
        // The code from standard input: kept out of the process list.
        let viaStdin = scratch.file("proof-stdin.json")
        let piped = try cli.run(["receipt", "prove", "-", "--out", viaStdin], stdin: codes[0] + "\n")
        #expect(piped.status == 0, "\(piped.output)")
        let verify = try cli.run(["receipt", "verify", proof, "--key", key, "--code", codes[0]], withData: false)
        #expect(verify.status == 0 && verify.stdout.hasPrefix("Valid:"), "\(verify.output)")
        #expect(try cli.run(["receipt", "verify", viaStdin, "--key", key, "--code", "-"], withData: false, stdin: codes[0] + "\n").status == 0)
        #expect(try cli.run(["receipt", "verify", viaStdin, "--key", key, "--code", "-"], withData: false, stdin: codes[1] + "\n").status == 1)
        let wrongCode = try cli.run(["receipt", "verify", proof, "--key", key, "--code", codes[1]], withData: false)
        #expect(wrongCode.status == 1, "\(wrongCode.output)")
        #expect(!wrongCode.output.contains("s1@example.org") && !wrongCode.output.contains("Signer 1"))

        // The tally and a bundle of its entries; the recipient recomputes the counts.
        let tally = scratch.file("tally.txt")
        let bundle = scratch.file("tally.bundle")
        let made = try cli.run(["tally", "--campaign", "free-the-press", "--out", tally, "--bundle", bundle])
        #expect(made.status == 0, "\(made.output)")
        let text = try String(contentsOfFile: tally, encoding: .utf8)
        #expect(text.contains("\ncounted 2\n") && text.contains("\nwithdrawn 1\n"), "\(text)")
        let checked = try cli.run(["tally", "verify", tally, "--key", key, "--bundle", bundle], withData: false)
        #expect(checked.status == 0 && checked.stdout.contains("same counts"), "\(checked.output)")
        #expect(checked.stdout.contains("give the checkpoint's root"), "\(checked.output)")
        // Another leaf order (two leaves swapped) gives another root: refused.
        var order = try String(contentsOfFile: bundle + ".leaves", encoding: .utf8).split(separator: "\n").map(String.init)
        order.swapAt(2, 3)
        let swapped = scratch.file("swapped.leaves")
        try (order.joined(separator: "\n") + "\n").write(toFile: swapped, atomically: true, encoding: .utf8)
        #expect(try cli.run(["tally", "verify", tally, "--key", key, "--bundle", bundle, "--leaves", swapped], withData: false).status == 1)
        let forged = scratch.file("forged.txt")
        try text.replacingOccurrences(of: "\ncounted 2\n", with: "\ncounted 3\n").write(toFile: forged, atomically: true, encoding: .utf8)
        #expect(try cli.run(["tally", "verify", forged, "--key", key], withData: false).status == 1)
        // The independent verifier (tools/verify_transparency.py, from FORMAT.md alone) agrees on
        // the real files, and on the forged tally.
        let python = { (args: [String]) throws -> CLI.Result in
            try CLI.external("python3", [IndependentVerifierTests.root + "/tools/verify_transparency.py"] + args)
        }
        let pyReceipt = try python(["receipt", proof, "--key", key, "--code", codes[0]])
        #expect(pyReceipt.status == 0, "\(pyReceipt.output)")
        #expect(try python(["receipt", proof, "--key", key, "--code", codes[1]]).status == 1)
        let pyTally = try python(["tally", tally, "--key", key, "--bundle", bundle])
        #expect(pyTally.status == 0, "\(pyTally.output)")
        #expect(pyTally.stdout.contains("give the checkpoint's root"), "\(pyTally.output)")
        #expect(try python(["tally", tally, "--key", key, "--bundle", bundle, "--leaves", swapped]).status == 1)
        #expect(try python(["tally", forged, "--key", key, "--bundle", bundle]).status == 1)
        let served = scratch.file("checkpoint.txt")
        try checkpoint.stdout.write(toFile: served, atomically: true, encoding: .utf8)
        #expect(try python(["checkpoint", served, "--key", key]).status == 0)
        // Another ledger's key does not verify it.
        let other = CLI(data: scratch.file("other"))
        #expect(try other.run(["init", "--hq", "--name", "Other"]).status == 0)
        let otherKey = try other.run(["checkpoint", "--key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.run(["tally", "verify", tally, "--key", otherKey], withData: false).status == 1)
        #expect(try cli.run(["receipt", "verify", proof, "--key", otherKey], withData: false).status == 1)
    }
}
