import Foundation
import Testing

/// `ledgerctl witness evidence` and `acknowledge` (docs/OPERATIONS.md, "Checkpoints and witness
/// alarms"). The alarm is planted in the store as a laptop records one (LedgerTests'
/// TransparencyTests raise real ones and check the evidence's content).
@Suite("ledgerctl witness")
struct WitnessCommandTests {
    @Test("status says how to keep the evidence; evidence writes it; acknowledge writes it to a new file, then forgets the alarm and keeps a notice")
    func acknowledge() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let node = CLI(data: scratch.file("node"))
        #expect(try node.run(["init", "--hq", "--name", "HQ"]).status == 0)
        let none = try node.run(["witness", "acknowledge", "--evidence", scratch.file("none.json")])
        #expect(none.status == 3 && none.stderr.contains("no witness alarm"), "\(none.output)")
        #expect(try node.run(["witness", "evidence", "--out", "-"]).status == 3)

        // What a laptop stores when HQ shows it a history that does not extend the last one.
        let reason = "HQ showed a checkpoint (epoch 1, size 9, root 0a1b2c3d) that does not extend the one it showed before"
        let evidence = #"{"consistency":[],"held":null,"ledger":"00","reason":"\#(reason)","shown":"planted note","time":"2026-11-30T12:00:00.000Z"}"#
        let plant = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("INSERT INTO meta (key, value) VALUES ('setting.witness.alarm', ?)", (sys.argv[2].encode(),))
            db.execute("INSERT INTO meta (key, value) VALUES ('setting.witness.evidence', ?)", (sys.argv[3].encode(),))
            db.commit()
            """
        #expect(try CLI.external("python3", ["-c", plant, scratch.file("node/ledger.sqlite"), reason, evidence]).status == 0)

        let status = try node.run(["status"]).stdout
        #expect(status.contains("WITNESS ALARM: \(reason)") && status.contains("ledgerctl witness acknowledge --evidence FILE"), "\(status)")
        let shown = try node.run(["witness", "evidence", "--out", "-"])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains(#""reason" : "\#(reason)""#) && shown.stdout.contains(#""shown" : "planted note""#), "\(shown.stdout)")

        let file = scratch.file("alarm.json")
        try Data("kept".utf8).write(to: URL(fileURLWithPath: file))
        let refused = try node.run(["witness", "acknowledge", "--evidence", file])
        #expect(refused.status == 3 && refused.stderr.contains("refusing to overwrite"))
        #expect(try node.run(["status"]).stdout.contains("WITNESS ALARM"))
        #expect(try node.run(["witness", "acknowledge", "--evidence", "-"]).status == 2)
        try FileManager.default.removeItem(atPath: file)

        let done = try node.run(["witness", "acknowledge", "--evidence", file])
        #expect(done.status == 0, "\(done.output)")
        #expect(done.stdout.contains("acknowledged a witness alarm") && done.stdout.contains(file))
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written.contains(reason) && written.contains("planted note"))
        let after = try node.run(["status"]).stdout
        #expect(!after.contains("WITNESS ALARM") && after.contains("NOTICE: ") && after.contains(file), "\(after)")
        #expect(try node.run(["witness", "evidence", "--out", "-"]).status == 3)
    }
}
