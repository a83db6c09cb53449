import Crypto
import Dispatch
import Foundation

/// Raw rates of the swift-crypto primitives Ledger builds on, measured on this machine.
///
/// Every loop runs the bare primitive with its key made once, so the rates are the ceiling a
/// Ledger operation built on them can approach.
struct CryptoReferences: Sendable {
    /// `Curve25519.Signing.PrivateKey.signature(for:)`, one thread.
    var sign: Rate
    /// `Curve25519.Signing.PublicKey.isValidSignature(_:for:)`, one thread.
    var verify: Rate
    /// The same verification on `threads` threads at once (`DispatchQueue.concurrentPerform`).
    var parallelVerify: Rate
    /// Threads used for ``parallelVerify``.
    var threads: Int
    /// `SHA256.hash(data:)` of ``sha256MessageSize``-byte messages, one thread.
    var sha256: Rate
    /// Bytes per hashed message.
    var sha256MessageSize: Int
    /// Bytes per signed message: a realistic entry's signing context plus signed part.
    var signedMessageSize: Int

    /// SHA-256 throughput in megabytes (10^6 bytes) per second.
    var sha256MegabytesPerSecond: Double { sha256.perSecond * Double(sha256MessageSize) / 1e6 }

    /// Measures every primitive for about `seconds` each.
    ///
    /// - Parameters:
    ///   - message: the message signed and verified; pass a real entry's signed message.
    ///   - threads: threads for the parallel verification loop; pass the cores Ledger uses.
    static func measure(message: [UInt8], seconds: Double, threads: Int) throws -> CryptoReferences {
        let key = Curve25519.Signing.PrivateKey()
        let publicKey = key.publicKey
        let sink = Sink()

        let sign = try measureSigning(key: key, message: message, seconds: seconds, sink: sink)
        let signature = try key.signature(for: message)
        var verified = 0
        let verify = Stopwatch.repeatFor(seconds: seconds, iterations: 100) { count in
            for _ in 0..<count where publicKey.isValidSignature(signature, for: message) { verified += 1 }
        }
        guard verified == verify.count else { throw BenchError.referenceFailed("a valid signature did not verify") }

        let perThread = max(100, Int(verify.perSecond * seconds))
        let before = sink.total
        let (_, parallelSeconds) = Stopwatch.time {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                var valid = 0
                for _ in 0..<perThread where publicKey.isValidSignature(signature, for: message) { valid += 1 }
                sink.add(valid)
            }
        }
        guard sink.total - before == perThread * threads else {
            throw BenchError.referenceFailed("a valid signature did not verify on a worker thread")
        }

        let hashed = [UInt8]((0..<250).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let sha256 = Stopwatch.repeatFor(seconds: seconds, iterations: 10_000) { count in
            var mix: UInt8 = 0
            for _ in 0..<count {
                SHA256.hash(data: hashed).withUnsafeBytes { mix ^= $0[0] }
            }
            sink.add(Int(mix))
        }

        return CryptoReferences(
            sign: sign, verify: verify,
            parallelVerify: Rate(count: perThread * threads, seconds: parallelSeconds), threads: threads,
            sha256: sha256, sha256MessageSize: hashed.count, signedMessageSize: message.count)
    }

    private static func measureSigning(
        key: Curve25519.Signing.PrivateKey, message: [UInt8], seconds: Double, sink: Sink
    ) throws -> Rate {
        var failure: (any Error)?
        let rate = Stopwatch.repeatFor(seconds: seconds, iterations: 100) { count in
            var mix: UInt8 = 0
            for _ in 0..<count {
                do {
                    mix ^= try key.signature(for: message).first ?? 0
                } catch {
                    failure = error
                }
            }
            sink.add(Int(mix))
        }
        if let failure { throw BenchError.referenceFailed("Ed25519 signing failed: \(failure)") }
        return rate
    }
}

/// A thread-safe running total that the timed loops feed, so the optimiser keeps their work.
final class Sink: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = 0

    /// Adds `value` to the total.
    func add(_ value: Int) {
        lock.lock()
        sum &+= value
        lock.unlock()
    }

    /// The total so far.
    var total: Int {
        lock.lock()
        defer { lock.unlock() }
        return sum
    }
}
