import Foundation
import Ledger

/// `--index-costs` (issue 11, "Write less per entry: measure what each costs"): batched appends of
/// `--entries` signatures on a fresh HQ store, once as the store is and once without each named
/// index of the tables an append writes, each run on a store of its own. Prints the rate and the
/// bytes written per entry of each. An experiment, not a configuration: dropping an index breaks
/// the queries that use it. SQLite's automatic indexes (UNIQUE and PRIMARY KEY constraints:
/// `entries.id`, `payloads.digest`, `tree_leaves.id`, `signatures.id`) cannot be dropped and are
/// in every run.
enum IndexCosts {
    /// The named indexes an append of a signature writes. `signatures_by_signer` is not among them:
    /// the projection's duplicate check looks signers up by it, and without it every append scans
    /// the table (tried: the run did not finish).
    static let indexes = ["signatures_by_receipt", "signatures_by_paper", "signatures_by_state"]

    static func run(options: BenchOptions, directory: URL, progress: (String) -> Void) throws -> String {
        var lines = ["Index costs: batched append of \(Format.count(options.entries)) signatures in batches of \(Format.count(options.batchSize)), HQ store (Merkle tree on)", ""]
        var baseline: (rate: Double, bytes: Double?)?
        for dropped in [nil] + indexes.map(Optional.some) {
            let name = dropped ?? "none"
            progress("index costs: without \(name)")
            let run = directory.appendingPathComponent("without-\(name)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: run) }
            let workload = try Workload.create(in: run)
            if let dropped {
                let raw = try RawDatabase(path: workload.node.store.path)
                try raw.execute("DROP INDEX \(dropped)")
            }
            let items = try workload.factory.signatures(0..<options.entries)
            let batches = stride(from: 0, to: items.count, by: options.batchSize).map { Array(items[$0..<min(items.count, $0 + options.batchSize)]) }
            let before = IOMeter.bytesWritten()
            let (_, seconds) = try Stopwatch.time { for batch in batches { _ = try workload.node.store.appendBatch(batch, signer: workload.node.key) } }
            let bytes = IOMeter.perOperation(since: before, operations: items.count)
            let rate = Double(items.count) / seconds
            if baseline == nil { baseline = (rate, bytes) }
            let saved = zip(baseline?.bytes, bytes).map { String(format: "; %@ B less than with every index", Format.count($0.0 - $0.1)) } ?? ""
            lines.append("  without \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(Format.count(rate).padding(toLength: 8, withPad: " ", startingAt: 0)) /s   "
                         + "\(Format.bytes(bytes, per: "entry"))\(dropped == nil ? "" : saved)")
        }
        return lines.joined(separator: "\n")
    }
}

private func zip(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
}
