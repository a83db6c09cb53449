import Foundation
import Testing

/// `init --join` is all or nothing (issue 9, item 7): a failed join leaves nothing behind, so the
/// next attempt with a good token works in the same folder.
@Suite("ledgerctl init --join set-up")
struct JoinSetupTests {
    /// Everything in `path`, recursively, relative to it.
    func contents(_ path: String) -> [String] {
        (FileManager.default.subpaths(atPath: path) ?? []).sorted()
    }

    @Test("HQ unreachable: exit 3, one line, nothing left in a new folder or an existing one")
    func unreachable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "HQ"]).status == 0)
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        let invite = try hq.run(["device", "invite", "--name", "Stall laptop A", "--url", "http://127.0.0.1:9"])
        let token = invite.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let before = contents(scratch.path)

        let laptop = CLI(data: scratch.file("stall/laptop"))
        let failed = try laptop.run(["init", "--join", token])
        #expect(failed.status == 3, "\(failed.output)")
        #expect(failed.stderr.hasPrefix("ledgerctl: error: "))
        #expect(failed.stderr.split(separator: "\n").count == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("nothing was created"))
        #expect(contents(scratch.path) == before, "left behind: \(Set(contents(scratch.path)).subtracting(before).sorted())")

        // An existing folder with a file of the user's: the file stays, nothing else appears.
        try FileManager.default.createDirectory(atPath: scratch.file("kept"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: scratch.file("kept/notes.txt")))
        let kept = CLI(data: scratch.file("kept"))
        #expect(try kept.run(["init", "--join", token]).status == 3)
        #expect(contents(scratch.file("kept")) == ["notes.txt"])
        #expect(!contents(scratch.path).contains { $0.contains(".setup-") })
    }

    @Test("a used token fails and leaves nothing; a new token then joins the same folder")
    func usedTokenThenRetry() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hq = CLI(data: scratch.file("hq"))
        #expect(try hq.run(["init", "--hq", "--name", "HQ"]).status == 0)
        #expect(try hq.run(["campaign", "publish", try scratch.campaignFile()]).status == 0)
        let daemon = try Daemon(data: scratch.file("hq"))
        defer { daemon.stop() }
        let url = daemon.url.absoluteString
        let token = try hq.run(["device", "invite", "--name", "Stall laptop A", "--url", url]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let first = try CLI(data: scratch.file("a")).run(["init", "--join", token])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.stdout.contains("Pulled"))

        let second = CLI(data: scratch.file("b"))
        let used = try second.run(["init", "--join", token])
        #expect(used.status == 3, "\(used.output)")
        #expect(used.stderr.contains("already used"), "\(used.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("b")))

        let fresh = try hq.run(["device", "invite", "--name", "Stall laptop B", "--url", url]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let retried = try second.run(["init", "--join", fresh])
        #expect(retried.status == 0, "\(retried.output)")
        #expect(try second.run(["status"]).stdout.contains("role:        field"))
    }
}

@Suite("ledgerctl init --hq set-up")
struct HQSetupTests {
    @Test("a folder that cannot be created: one readable line naming it, exit 3, nothing left")
    func unwritable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try Data("x".utf8).write(to: URL(fileURLWithPath: scratch.file("file")))
        let result = try CLI(data: scratch.file("file/sub/data")).run(["init", "--hq", "--name", "HQ"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("ledgerctl: error: cannot create a node in \(scratch.file("file/sub/data")): "), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(FileManager.default.subpaths(atPath: scratch.path)?.sorted() == ["file"])
    }
}
