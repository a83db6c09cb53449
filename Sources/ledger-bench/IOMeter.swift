import Foundation

/// Bytes this process has passed to `write`-family system calls (`wchar` in /proc/self/io):
/// for SQLite in WAL mode, the WAL frames written at each commit plus checkpoint copies.
///
/// For example:
/// ```swift
/// let before = IOMeter.bytesWritten()
/// _ = try store.appendBatch(batch, signer: key)
/// let perEntry = IOMeter.perOperation(since: before, operations: batch.count)
/// ```
enum IOMeter {
    /// Bytes written so far, or nil where /proc/self/io is unavailable.
    static func bytesWritten() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
            return Int(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Bytes written per operation since `before` (a ``bytesWritten()`` reading), over
    /// `operations` operations; nil when unknown.
    static func perOperation(since before: Int?, operations: Int) -> Double? {
        guard let before, let after = bytesWritten(), operations > 0 else { return nil }
        return Double(after - before) / Double(operations)
    }
}
