import Foundation
import Ledger

/// A real node holding the fixture ledger, in a temporary folder, for the sync targets: SQLite
/// file, keys on disk, the library's `SyncService` with the fixture's clock.
///
/// Every input starts from the same state: after an input that may have stored something, the
/// node is closed and its folder copied again from a template made once at start-up.
final class SyncBench: @unchecked Sendable {  // used from libFuzzer's one thread only
    static let shared = SyncBench()

    /// What the template holds; a refused request must leave the store like this.
    struct Counts: Equatable {
        var entries: Int
        var forks: Int
        var payloads: Int
    }

    private let root: String
    private let template: String
    private let work: String
    private var node: LedgerNode?
    private var needsReset = true
    private(set) var templateCounts = Counts(entries: 0, forks: 0, payloads: 0)

    private init() {
        TemporaryFolders.removeStale()
        root = TemporaryFolders.make()
        template = root + "/template"
        work = root + "/work"
        let (node, report) = must(try LedgerNode.createObserver(at: template, bundle: Fixture.templateBundle, wallClock: FixedClock()))
        require(report.refused.isEmpty && report.forks.isEmpty, "the fixture ledger is stored whole")
        templateCounts = counts(node.store)
        require(templateCounts == Counts(entries: Fixture.templateBundle.entries.count, forks: 0, payloads: 2), "the fixture ledger is stored whole")
        let body = Array(#"{"entries":[]}"#.utf8)
        SyncTargets.authenticate(SyncService(node: node, verifier: RequestVerifier(), wallClock: FixedClock()), "POST", "/v1/entries", body: body)
    }

    /// The library's sync service over the node, with a fresh request verifier (so that nonces
    /// remembered for one input cannot decide the next).
    func service() -> SyncService {
        if needsReset || node == nil { reset() }
        guard let node else { fatalError("fuzz harness: no node") }
        return SyncService(node: node, verifier: RequestVerifier(), wallClock: FixedClock())
    }

    /// The next input starts from the template again.
    func storeMayHaveChanged() {
        needsReset = true
    }

    func counts(_ store: LedgerStore) -> Counts {
        Counts(entries: must(try store.entryCount()), forks: must(try store.forkEntries().count), payloads: must(try store.payloads().count))
    }

    private func reset() {
        node = nil  // closes the store
        try? FileManager.default.removeItem(atPath: work)
        must(try FileManager.default.copyItem(atPath: template, toPath: work))
        node = must(try LedgerNode.open(at: work, wallClock: FixedClock()))
        needsReset = false
    }
}

/// Temporary folders of this process, removed at exit; those of processes that died (a crash
/// ends a run without exit handlers) are removed at the next start.
enum TemporaryFolders {
    static let prefix = "ledger-fuzz-"

    static func make() -> String {
        let path = NSTemporaryDirectory() + prefix + String(getpid())
        try? FileManager.default.removeItem(atPath: path)
        must(try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true))
        atexit {
            try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + TemporaryFolders.prefix + String(getpid()))
        }
        return path
    }

    static func removeStale() {
        let base = NSTemporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: base + name)
        }
    }
}
