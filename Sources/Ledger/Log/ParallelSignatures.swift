import Foundation

/// Verifies many Ed25519 signatures on all cores.
public enum ParallelSignatures {
    /// The number of worker threads used: the machine's active processor count.
    public static var workers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Returns the indices of entries whose signature does not verify, in ascending order.
    public static func invalidIndices(_ entries: [Entry]) -> [Int] {
        guard entries.count > 64 else {
            return entries.indices.filter { !entries[$0].hasValidSignature }
        }
        let chunks = workers * 4
        let chunkSize = (entries.count + chunks - 1) / chunks
        let results = ResultSlots(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            let end = min(entries.count, start + chunkSize)
            guard start < end else { return }
            var bad: [Int] = []
            for index in start..<end where !entries[index].hasValidSignature {
                bad.append(index)
            }
            results.set(chunk, bad)
        }
        return results.all().flatMap { $0 }
    }
}

extension ParallelSignatures {
    /// Runs `check` on every entry on all cores; returns the faults in entry order.
    public static func faults(_ entries: [Entry], _ check: @Sendable (Entry) -> [EntryFault]) -> [EntryFault] {
        guard entries.count > 64 else { return entries.flatMap(check) }
        let chunks = workers * 4
        let chunkSize = (entries.count + chunks - 1) / chunks
        let results = FaultSlots(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            let end = min(entries.count, start + chunkSize)
            guard start < end else { return }
            var found: [EntryFault] = []
            for index in start..<end { found.append(contentsOf: check(entries[index])) }
            results.set(chunk, found)
        }
        return results.all().flatMap { $0 }
    }
}

private final class FaultSlots: @unchecked Sendable {
    private var slots: [[EntryFault]]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: [], count: count)
    }

    func set(_ index: Int, _ value: [EntryFault]) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func all() -> [[EntryFault]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// Per-chunk result slots written by distinct threads, read after they all finish.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[Int]]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: [], count: count)
    }

    func set(_ index: Int, _ value: [Int]) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func all() -> [[Int]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

extension ParallelSignatures {
    /// `transform` of every entry, on all cores, in entry order (ingest's content checks: a
    /// body's JSON decoding costs as much as storing it).
    static func map<T: Sendable>(_ entries: [Entry], _ transform: @Sendable (Entry) -> T) -> [T] {
        guard entries.count > 64 else { return entries.map(transform) }
        let chunks = workers * 4
        let chunkSize = (entries.count + chunks - 1) / chunks
        let results = MapSlots<T>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            let end = min(entries.count, start + chunkSize)
            guard start < end else { return }
            results.set(chunk, entries[start..<end].map(transform))
        }
        return results.all().flatMap { $0 }
    }
}

/// Per-chunk results of ``ParallelSignatures/map(_:_:)``, written by distinct threads.
private final class MapSlots<T: Sendable>: @unchecked Sendable {
    // @unchecked: `slots` is only touched under `lock`.
    private var slots: [[T]]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: [], count: count)
    }

    func set(_ index: Int, _ value: [T]) {
        lock.withLock { slots[index] = value }
    }

    func all() -> [[T]] {
        lock.withLock { slots }
    }
}
