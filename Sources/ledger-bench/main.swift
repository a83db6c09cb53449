import Foundation

// ledger-bench: release-mode benchmark of Ledger against raw references measured in the same run.
// Run it with `swift run -c release ledger-bench` (what `make bench` does); see docs/PERFORMANCE.md.
// Exits 0 when the run completes (a missed target is reported, not an error), 1 when a
// measurement fails, 2 for a usage mistake.

func printError(_ text: String) {
    FileHandle.standardError.write(Data("ledger-bench: \(text)\n".utf8))
}

let options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    printError("\(error)")
    FileHandle.standardError.write(Data((BenchOptions.usage + "\n").utf8))
    exit(2)
}

if options.help {
    print(BenchOptions.usage)
    exit(0)
}

do {
    if let folder = options.scaleFrom {
        let directory = URL(fileURLWithPath: folder)
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("hq").path) else {
            throw BenchUsageError(message: "\(folder) holds no hq folder: give the folder a --scale run kept (LEDGER_BENCH_KEEP=1)")
        }
        printError("measuring the HQ kept in \(directory.path)")
        var figures = ScaleFigures(entries: 0, directory: directory) { printError($0) }
        figures.reuse = true
        print(try figures.run())
    } else if let scale = options.scale {
        let directory = try Benchmark.scratchDirectory()
        // LEDGER_BENCH_KEEP=1 keeps the HQ's data folder to look into afterwards.
        let keep = ProcessInfo.processInfo.environment["LEDGER_BENCH_KEEP"] == "1"
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        printError("working in \(directory.path)\(keep ? " (kept afterwards: LEDGER_BENCH_KEEP=1)" : "")")
        print(try ScaleFigures(entries: scale, directory: directory) { printError($0) }.run())
    } else if options.indexCosts {
        let directory = try Benchmark.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        print(try IndexCosts.run(options: options, directory: directory) { printError($0) })
    } else if options.storeFloor {
        let directory = try Benchmark.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        print(try StoreFloor.run(options: options, directory: directory) { printError($0) })
    } else if options.verifyOnly {
        print(try Benchmark(options: options).runVerifyOnly())
    } else if options.rebuildOnly {
        print(try Benchmark(options: options).runRebuildOnly())
    } else if options.durableOnly {
        print(try Benchmark(options: options).runDurableOnly())
    } else if options.signingOnly {
        print(try Benchmark(options: options).runSigningOnly())
    } else if options.readsOnly {
        print(try Benchmark(options: options).runReadsOnly())
    } else {
        let report = try Benchmark(options: options).run()
        print(report.render())
    }
} catch let error as BenchUsageError {
    printError("\(error)")
    exit(2)
} catch {
    printError("\(error)")
    exit(1)
}
