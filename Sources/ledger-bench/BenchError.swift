/// Why a benchmark run could not produce its figures (not a missed target: those are reported).
enum BenchError: Error, CustomStringConvertible {
    /// A raw reference loop did something wrong, so its rate would mean nothing.
    case referenceFailed(String)
    /// A raw SQLite call failed.
    case sqlite(code: Int32, message: String, context: String)
    /// The audit of the benchmark store found faults or a wrong entry count.
    case auditFailed(String)

    var description: String {
        switch self {
        case .referenceFailed(let why):
            return "reference measurement failed: \(why)"
        case .sqlite(let code, let message, let context):
            return "raw SQLite reference: \(context): \(message) (SQLite code \(code))"
        case .auditFailed(let why):
            return "the benchmark store did not verify: \(why); the figures would be meaningless"
        }
    }
}
