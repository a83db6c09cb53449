import Foundation

/// The command-line options of `ledger-bench`, parsed by hand (the target has no ArgumentParser).
///
/// For example:
/// ```swift
/// let options = try BenchOptions.parse(["--entries", "20000"])
/// ```
struct BenchOptions: Sendable {
    /// Entries appended with `appendBatch`, then verified by the auditor.
    var entries = 100_000
    /// Entries per `appendBatch` call (one transaction each).
    var batchSize = 1_000
    /// Durable single appends, each timed on its own.
    var singleAppends = 300
    /// Seconds each raw crypto reference loop runs for.
    var referenceSeconds = 1.0
    /// Signature entries in the log whose read models are rebuilt (`make bench-full`: 1,000,000).
    var projectionEntries = 100_000
    /// True to measure only the reads-while-ingesting figure.
    var readsOnly = false
    /// True to measure only the concurrent-signing figure, with ``signingPerSigner`` each.
    var signingOnly = false
    /// Signatures each of the 32 concurrent signers makes (`--signing-only N`).
    var signingPerSigner = 50
    /// True to measure only the durable single append, ``singleAppends`` of them.
    var durableOnly = false
    /// True to measure only the read-model rebuild of ``projectionEntries`` signatures, three times.
    var rebuildOnly = false
    /// True to measure only the full verification of ``entries`` signature entries, three times.
    var verifyOnly = false
    /// True to measure what each index costs an append (``IndexCosts``).
    var indexCosts = false
    /// True to measure what the rows of an append cost SQLite alone (``StoreFloor``).
    var storeFloor = false
    /// With a value: only the scale figures, for an HQ of this many signatures (``ScaleFigures``).
    var scale: Int?
    /// With a value: only the scale figures, for the HQ an earlier `--scale` run kept in this
    /// folder (`LEDGER_BENCH_KEEP=1`), without building one.
    var scaleFrom: String?
    /// True for a smoke run with small sizes.
    var quick = false
    /// True when `--help` was asked for.
    var help = false

    /// The usage text printed by `--help` and after a usage mistake.
    static let usage = """
        USAGE: ledger-bench [--entries N] [--batch N] [--projection-entries N] [--quick] [--reads-only] [--signing-only N] [--durable-only N] [--rebuild-only N] [--verify-only N] [--index-costs] [--store-floor] [--scale N] [--scale-from DIR]

        Measures raw Ed25519, SHA-256 and SQLite rates on this machine, then Ledger's batched
        and durable append rates and its full and fast verification rates, and checks the
        performance targets (docs/PERFORMANCE.md), then a kiosk page's read latency while a
        large ingest runs, the read-model rebuild and a loopback sync.

        OPTIONS:
          --entries N   entries appended in batches and verified (default 100000)
          --batch N     entries per appendBatch call (default 1000)
          --projection-entries N
                        signature entries whose read models are rebuilt (default 100000; make bench-full: 1000000)
          --quick       small sizes, for a smoke run (2000 entries, short reference loops)
          --reads-only  only the reads-while-ingesting figure (the store is filled untimed)
          --signing-only N
                        only the concurrent-signing figure, N signatures per signer (for a profile),
                        with the raw one-row durable commit it is compared with
          --durable-only N
                        only the durable single append, N of them on a store of --entries
                        signatures (filled untimed), with the raw one-row durable commit (for a profile)
          --rebuild-only N
                        only the read-model rebuild of a log of N signature entries (built untimed),
                        three times, with the raw SQLite insert it is compared with (for a profile)
          --verify-only N
                        only the full verification of a store of N signature entries (appended
                        untimed), three times, with the Ed25519 verify references (for a profile)
          --index-costs batched append without each named index in turn (an experiment)
          --store-floor the rows a batched append writes, copied by SQLite alone into the same
                        schema, table by table: the fastest any code could append them
          --scale N     only the scale figures: an HQ of N signatures, then ledgerctl status, stats,
                        campaign list, verify --full, rebuild and a loopback sync as child processes
                        (make bench-scale: 10000000; needs release ledgerctl and ledgerd beside it)
          --scale-from DIR
                        the scale figures for the HQ a --scale run kept in DIR (LEDGER_BENCH_KEEP=1),
                        without building it again; DIR is kept
          -h, --help    show this help
        """

    /// Parses the arguments that follow the program name. Later options override earlier ones,
    /// except that `--entries` and `--batch` win over the sizes `--quick` sets.
    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var entries: Int?
        var batch: Int?
        var projection: Int?
        var singles: Int?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--quick":
                options.quick = true
            case "--reads-only":
                options.readsOnly = true
            case "--signing-only":
                options.signingOnly = true
                options.signingPerSigner = try positiveInteger(after: argument, from: &rest)
            case "--durable-only":
                options.durableOnly = true
                singles = try positiveInteger(after: argument, from: &rest)
            case "--rebuild-only":
                options.rebuildOnly = true
                projection = try positiveInteger(after: argument, from: &rest)
            case "--verify-only":
                options.verifyOnly = true
                entries = try positiveInteger(after: argument, from: &rest)
            case "--index-costs":
                options.indexCosts = true
            case "--store-floor":
                options.storeFloor = true
            case "-h", "--help":
                options.help = true
            case "--entries":
                entries = try positiveInteger(after: argument, from: &rest)
            case "--batch":
                batch = try positiveInteger(after: argument, from: &rest)
            case "--projection-entries":
                projection = try positiveInteger(after: argument, from: &rest)
            case "--scale-from":
                guard let folder = rest.popFirst() else { throw BenchUsageError(message: "--scale-from needs a folder") }
                options.scaleFrom = folder
            case "--scale":
                options.scale = try positiveInteger(after: argument, from: &rest)
            default:
                throw BenchUsageError(message: "unknown argument '\(argument)'")
            }
        }
        if options.quick {
            options.entries = 2_000
            options.projectionEntries = 20_000
            options.singleAppends = 30
            options.referenceSeconds = 0.2
        }
        if let entries { options.entries = entries }
        if let batch { options.batchSize = batch }
        if let projection { options.projectionEntries = projection }
        if let singles { options.singleAppends = singles }
        return options
    }

    private static func positiveInteger(after option: String, from rest: inout ArraySlice<String>) throws -> Int {
        guard let text = rest.popFirst() else {
            throw BenchUsageError(message: "\(option) needs a number")
        }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 else {
            throw BenchUsageError(message: "\(option) must be a positive whole number, got '\(text)'")
        }
        return value
    }
}

/// A mistake on the command line; `main` prints it with the usage text and exits with status 2.
struct BenchUsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
