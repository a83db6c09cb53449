import CLibFuzzer
import Foundation

// ledger-fuzz TARGET [libFuzzer flags] [corpus folders or input files]
// ledger-fuzz --list
// ledger-fuzz make-seeds REPO_ROOT OUTPUT_FOLDER
//
// See docs/FUZZING.md. Everything after TARGET goes to libFuzzer as it is: corpus folders to
// fuzz from, or files to run once (reproducing a crash).

let arguments = CommandLine.arguments

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: ledger-fuzz TARGET [libFuzzer flags] [corpus folder | input file]...
               ledger-fuzz --list
               ledger-fuzz make-seeds REPO_ROOT OUTPUT_FOLDER
        targets: \(FuzzTarget.all.map(\.name).joined(separator: " "))

        """.utf8))
    exit(2)
}

guard arguments.count >= 2 else { usage() }

switch arguments[1] {
case "--list":
    for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
    exit(0)
case "make-seeds":
    guard arguments.count == 4 else { usage() }
    do {
        let count = try Seeds.write(repository: arguments[2], to: arguments[3])
        print("wrote \(count) seed files under \(arguments[3])")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("make-seeds: \(error)\n".utf8))
        exit(1)
    }
default:
    guard let target = FuzzTarget.named(arguments[1]) else { usage() }
    exit(Driver.run(target, libFuzzerArguments: [arguments[0]] + arguments.dropFirst(2)))
}

/// Hands the chosen target to libFuzzer.
enum Driver {
    /// The target libFuzzer's callback runs; set once before the driver starts.
    nonisolated(unsafe) static var target: FuzzTarget?

    static func run(_ target: FuzzTarget, libFuzzerArguments: [String]) -> Int32 {
        Driver.target = target
        // The Swift runtime's crash backtracer claims these signals at start-up, and libFuzzer
        // leaves a handler it finds in place; give them back so that a trap in Swift code is
        // reported by libFuzzer, which saves the input as a crash file.
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            _ = Foundation.signal(signal, nil)
        }
        var argc = Int32(libFuzzerArguments.count)
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: libFuzzerArguments.count + 1)
        for (index, argument) in libFuzzerArguments.enumerated() { argv[index] = strdup(argument) }
        argv[libFuzzerArguments.count] = nil
        var argvPointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&argc, &argvPointer) { data, size in
            guard let target = Driver.target else { return 0 }
            let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            target.run(bytes)
            return 0
        }
    }
}
