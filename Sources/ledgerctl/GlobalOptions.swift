import ArgumentParser
import Foundation
import Ledger

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The node's data folder.", valueName: "DIR"))
    var data: String?

    /// --data, else $LEDGER_DATA, else ./ledger-data.
    var dataPath: String {
        if let data { return data }
        if let env = ProcessInfo.processInfo.environment["LEDGER_DATA"], !env.isEmpty { return env }
        return "ledger-data"
    }

    func openNode() throws -> LedgerNode {
        try LedgerNode.open(at: dataPath)
    }
}

/// The `--json` flag of reporting commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
}

enum Output {
    /// Prints a value as pretty, key-sorted JSON on stdout.
    static func json<Value: Encodable>(_ value: Value) throws {
        print(String(decoding: try jsonData(value), as: UTF8.self))
    }

    /// A value as pretty, key-sorted JSON, as ``json(_:)`` prints it (without the final newline).
    static func jsonData<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func time(_ millis: UInt64?) -> String {
        millis.map { Timestamps.iso8601(millis: $0) } ?? "-"
    }
}
