import Foundation
import Ledger

/// "Concurrent signing" (issue 11): 32 signers at once, each calling `LedgerNode.sign` as the
/// kiosk does for a form (seal, body, durable append), on a fresh HQ node, so that group commit
/// (docs/STORE.md, "Group commit") lets them share transactions. In process: the HTTP server's
/// own cost is not in this figure.
///
/// For example:
/// ```swift
/// let signing = try SigningFigures.measure(directory: directory, signers: 32, perSigner: 50)
/// print(signing.rate.perSecond, signing.latencies.p99)
/// ```
struct SigningFigures: Sendable {
    var signers: Int
    var rate: Rate
    /// Each signing, from the call to its receipt.
    var latencies: Latencies
    /// Mean signings per commit.
    var meanGroup: Double
    var otherLoad: Double?

    static let targetP99 = 0.050

    static func measure(directory: URL, signers: Int, perSigner: Int, progress: (String) -> Void) throws -> SigningFigures {
        let workload = try Workload.create(in: directory)
        let node = workload.node
        let campaign = workload.factory.campaign
        progress("concurrent signing: \(signers) signers, \(perSigner) signatures each")
        let samples = Samples()
        let group = DispatchGroup()
        let start = CPUMeter.Snapshot.now()
        let (_, seconds) = Stopwatch.time {
            for signer in 0..<signers {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    for index in 0..<perSigner {
                        let details = SignerDetails(name: "Signer \(signer)-\(index)", email: "s\(signer).\(index)@example.org", postcode: "0150", country: "NO")
                        let clock = ContinuousClock()
                        let began = clock.now
                        do {
                            _ = try node.sign(campaign: campaign, signer: details, channel: .kiosk)
                            samples.add((clock.now - began).seconds)
                        } catch {
                            samples.fail("\(error)")
                        }
                    }
                }
            }
            group.wait()
        }
        let otherLoad = CPUMeter.otherShare(since: start)
        let (values, failure) = samples.results()
        if let failure { throw BenchError.referenceFailed("a signing failed: \(failure)") }
        let statistics = node.groupCommit.statistics
        return SigningFigures(signers: signers, rate: Rate(count: values.count, seconds: seconds), latencies: Latencies(values),
                              meanGroup: statistics.groups > 0 ? Double(statistics.requests) / Double(statistics.groups) : 0, otherLoad: otherLoad)
    }

    /// What the cryptography of one signing costs on one thread, with nothing else: the HPKE seal
    /// of a form's details to HQ's key (an X25519 key pair and agreement, then ChaCha20-Poly1305)
    /// and the Ed25519 signature of a typical entry. No store, encoding or check: on `cores`
    /// cores, `cores / (seal + sign)` signings a second is the most any code could reach.
    static func cryptoCeiling(seconds: Double) throws -> (seal: Rate, sign: Rate) {
        let recipient = SealingPrivateKey().publicKey
        let plaintext = try SignerDetails(name: "Kari Nordmann", email: "kari@example.org", postcode: "0150", country: "NO").sealedPlaintext()
        let ledger = Digest.sha256(Array("ledger".utf8))
        let sink = Sink()
        var failure: (any Error)?
        let seal = Stopwatch.repeatFor(seconds: seconds, iterations: 50) { count in
            for _ in 0..<count {
                do { sink.add(Int(try Sealing.seal(plaintext, to: recipient, ledger: ledger)[40])) } catch { failure = error }
            }
        }
        if let failure { throw BenchError.referenceFailed("HPKE sealing failed: \(failure)") }
        let key = SigningKey()
        let message = [UInt8](repeating: 0x5A, count: 583)
        let sign = Stopwatch.repeatFor(seconds: seconds, iterations: 50) { count in
            for _ in 0..<count {
                do { sink.add(Int(try key.sign(message).first ?? 0)) } catch { failure = error }
            }
        }
        if let failure { throw BenchError.referenceFailed("Ed25519 signing failed: \(failure)") }
        return (seal, sign)
    }

    func render(durableCommit: Double) -> [String] {
        [
            "Concurrent signing (in process, group commit)",
            "  \(signers) signers at once, LedgerNode.sign       \(Format.count(rate.perSecond)) /s    \(Format.ratio(durableCommit > 0 ? rate.perSecond / durableCommit : 0)) raw one-row durable commit; "
                + "p50 \(Format.millis(latencies.p50)), p99 \(Format.millis(latencies.p99)); \(String(format: "%.1f", meanGroup)) signings per commit"
                + (otherLoad.map { String(format: "; other processes %.0f%%", $0 * 100) } ?? ""),
        ]
    }
}

/// Latency samples from many threads.
private final class Samples: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    private var failure: String?
    func add(_ value: Double) { lock.withLock { values.append(value) } }
    func fail(_ reason: String) { lock.withLock { if failure == nil { failure = reason } } }
    func results() -> ([Double], String?) { lock.withLock { (values, failure) } }
}
