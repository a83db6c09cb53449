import Foundation
import Testing

@Suite("ledgerctl offline enrolment and USB-stick transfer")
struct OfflineJoinTests {
    @Test("a laptop joins offline, HQ enrols its key, bundles carry the logs both ways, counts agree")
    func usbStick() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "HQ"]).status == 0)
        #expect(try hq.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let invite = try hq.run(["device", "invite", "--name", "Stall laptop 3", "--url", "http://127.0.0.1:9"])
        #expect(invite.status == 0, "\(invite.output)")
        let token = invite.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("LEDGER-JOIN-1."))

        let laptop = CLI(data: scratch.file("laptop"))
        let joined = try laptop.run(["init", "--join", token, "--offline"])
        #expect(joined.status == 0, "\(joined.output)")
        let key = try #require(joined.stdout.split(separator: "\n").first { $0.contains("device enrol") }?.split(separator: " ").dropFirst(3).first)
        // Not enrolled yet: HQ's bundle cannot be taken... HQ enrols the key first.
        #expect(try hq.run(["device", "enrol", String(key), "--name", "Stall laptop 3"]).status == 0)
        let listed = try hq.run(["device", "list"])
        #expect(listed.stdout.contains("Stall laptop 3"))
        #expect(try hq.run(["export", "--out", scratch.file("hq.bundle")]).status == 0)
        let imported = try laptop.run(["import", scratch.file("hq.bundle")])
        #expect(imported.status == 0, "\(imported.output)")

        // At the stall, offline.
        for name in ["Kari", "Ola", "Per"] {
            let signed = try laptop.run(["sign", "--campaign", "free-the-press", "--name", name, "--email", "\(name.lowercased())@example.org", "--channel", "kiosk"])
            #expect(signed.status == 0, "\(signed.output)")
        }
        // The laptop cannot read back what it collected.
        let deliver = try laptop.run(["deliver", "--campaign", "free-the-press", "--out", scratch.file("no.csv")])
        #expect(deliver.status == 3)

        #expect(try laptop.run(["export", "--out", scratch.file("laptop.bundle")]).status == 0)
        let back = try hq.run(["import", scratch.file("laptop.bundle"), "--json"])
        #expect(back.status == 0, "\(back.output)")
        #expect(back.stdout.contains("\"added\" : 3"))
        struct Stats: Decodable { var counted: Int; var byDevice: [String: Int] }
        let stats = try JSONDecoder().decode([Stats].self, from: Data(try hq.run(["stats", "--json"]).stdout.utf8))
        #expect(stats.first?.counted == 3)
        #expect(stats.first?.byDevice[String(key)] == 3)
        #expect(try hq.run(["verify", "--full"]).status == 0)
        let delivered = try hq.run(["deliver", "--campaign", "free-the-press", "--out", scratch.file("d.csv")])
        #expect(delivered.status == 0)
        #expect(try String(contentsOfFile: scratch.file("d.csv"), encoding: .utf8).contains("per@example.org"))
        // Both nodes hold the same entries now: same read-model digest.
        #expect(try laptop.run(["import", scratch.file("hq.bundle")]).status == 0)
        #expect(try hq.run(["export", "--out", scratch.file("hq2.bundle")]).status == 0)
        #expect(try laptop.run(["import", scratch.file("hq2.bundle")]).status == 0)
        struct Status: Decodable { var readModelDigest: String }
        let a = try JSONDecoder().decode(Status.self, from: Data(try hq.run(["status", "--json"]).stdout.utf8))
        let b = try JSONDecoder().decode(Status.self, from: Data(try laptop.run(["status", "--json"]).stdout.utf8))
        #expect(a.readModelDigest == b.readModelDigest)
    }

    @Test("a laptop that is not enrolled cannot hand its entries to HQ; a revoked one's later entries are kept as evidence, not counted")
    func unenrolledAndRevoked() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "HQ"]).status == 0)
        #expect(try hq.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let token = try hq.run(["device", "invite", "--name", "L", "--url", "http://127.0.0.1:9"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let laptop = CLI(data: scratch.file("laptop"))
        let joined = try laptop.run(["init", "--join", token, "--offline"])
        let key = try #require(joined.stdout.split(separator: "\n").first { $0.contains("device enrol") }?.split(separator: " ").dropFirst(3).first)
        #expect(try hq.run(["export", "--out", scratch.file("hq.bundle")]).status == 0)
        #expect(try laptop.run(["import", scratch.file("hq.bundle")]).status == 0)
        #expect(try laptop.run(["sign", "--campaign", "free-the-press", "--name", "A", "--email", "a@example.org"]).status != 0)  // not enrolled
        #expect(try hq.run(["device", "enrol", String(key), "--name", "L"]).status == 0)
        #expect(try hq.run(["export", "--out", scratch.file("hq.bundle")]).status == 0)
        #expect(try laptop.run(["import", scratch.file("hq.bundle")]).status == 0)
        #expect(try laptop.run(["sign", "--campaign", "free-the-press", "--name", "A", "--email", "a@example.org"]).status == 0)
        #expect(try laptop.run(["export", "--out", scratch.file("l1.bundle")]).status == 0)
        #expect(try hq.run(["import", scratch.file("l1.bundle")]).status == 0)
        #expect(try hq.run(["device", "revoke", String(key.prefix(10)), "--reason", "lost"]).status == 0)
        #expect(try laptop.run(["sign", "--campaign", "free-the-press", "--name", "B", "--email", "b@example.org"]).status == 0)
        #expect(try laptop.run(["export", "--out", scratch.file("l2.bundle")]).status == 0)
        let kept = try hq.run(["import", scratch.file("l2.bundle"), "--json"])
        #expect(kept.stdout.contains("\"added\" : 1"), "\(kept.stdout)")
        #expect(kept.stdout.contains("\"outsideRights\""), "\(kept.stdout)")
        struct Stats: Decodable { var counted: Int }
        #expect(try JSONDecoder().decode([Stats].self, from: Data(try hq.run(["stats", "--json"]).stdout.utf8)).first?.counted == 1)
    }
}
