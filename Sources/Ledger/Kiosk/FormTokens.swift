import Crypto
import Foundation

/// One-time form tokens for the kiosk's forms: they stop cross-site request forgery (a page of
/// another site cannot read a token) and double submissions (a token is used once).
///
/// A token is `time.nonce.mac`: issue time (ms), 16 random bytes (hex) and
/// HMAC-SHA-256(secret, time.nonce), valid for ``lifetime``. A used token remembers the digest
/// of the submission that used it (``submissionDigest(of:)``) and a short result, so that the
/// same submission sent again (a double click) gets the same answer, and any other submission
/// with that token gets none. Nothing personal is kept: the digest is an HMAC under this
/// process's random key. Thread-safe.
///
/// For example:
/// ```swift
/// let digest = tokens.submissionDigest(of: [("name", name), ("email", email)])
/// switch tokens.claim(token, submission: digest) {
/// case .fresh: tokens.finish(token, result: try sign())
/// case .used(let receipt): show(receipt)
/// case .pending, .otherSubmission, .invalid: ...
/// }
/// ```
public final class FormTokens: @unchecked Sendable {
    /// 30 minutes.
    public static let lifetime: UInt64 = 1_800_000
    /// At most this many used tokens are remembered; beyond it, expired ones are forgotten.
    static let maxRemembered = 10_000

    private struct Use {
        var at: UInt64
        var submission: [UInt8]
        /// Nil while the submission is being worked on.
        var result: String?
        /// When the result was recorded.
        var finishedAt: UInt64 = 0
    }

    /// How long after a submission was answered the same submission gets that answer again
    /// (a double click, a reload at once). Later, it was the browser's history resending a form
    /// (Back, then Reload, by the next person at a stall): it gets ``Claim/answeredBefore``, never
    /// the earlier result.
    public static let repeatWindow: UInt64 = 5_000

    private let key: SymmetricKey
    private let lock = NSLock()
    private var used: [String: Use] = [:]
    private let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) {
        key = SymmetricKey(size: .bits256)
        self.clock = clock
    }

    /// A fresh token for a form.
    public func issue() -> String {
        var nonce = [UInt8](repeating: 0, count: 16)
        var random = SystemRandomNumberGenerator()
        for index in nonce.indices { nonce[index] = random.next() }
        let body = "\(clock.nowMillis()).\(Hex.encode(nonce))"
        return body + "." + Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(("ledger.kiosk.token.v1\0" + body).utf8), using: key))
    }

    /// The digest that identifies one submission of a form: HMAC-SHA-256 under this process's key
    /// of the fields sorted by name, each name and value length-prefixed. The same fields in any
    /// order give the same digest; any change of a name, a value or a boundary gives another.
    public func submissionDigest(of fields: [(String, String)]) -> [UInt8] {
        var message = Array("ledger.kiosk.submission.v1\0".utf8)
        for (name, value) in fields.sorted(by: { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }) {
            for part in [name, value] {
                let bytes = Array(part.utf8)
                withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { message.append(contentsOf: $0) }
                message.append(contentsOf: bytes)
            }
        }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// The outcome of presenting a token with a submission.
    public enum Claim: Equatable, Sendable {
        /// Valid and unused: it is now reserved for this submission. Go ahead, then call
        /// ``finish(_:result:)``, or ``release(_:)`` when nothing was done.
        case fresh
        /// The same submission is being worked on (a double click): wait and claim again.
        case pending
        /// The same submission was done moments ago (a double click); its result (for example the
        /// receipt code).
        case used(String)
        /// The same submission was done earlier than ``FormTokens/repeatWindow``: it is not
        /// done again, and its result is not shown again.
        case answeredBefore
        /// The token was used by another submission: this one gets nothing of it.
        case otherSubmission
        /// Forged, malformed or expired.
        case invalid
    }

    /// Claims a token for a submission, so that two concurrent submissions of one form cannot
    /// both act, and a used token answers only the submission that used it.
    public func claim(_ token: String, submission: [UInt8]) -> Claim {
        guard isValid(token) else { return .invalid }
        let now = clock.nowMillis()
        lock.lock()
        defer { lock.unlock() }
        if let earlier = used[token] {
            guard Self.equal(earlier.submission, submission) else { return .otherSubmission }
            guard let result = earlier.result else { return .pending }
            return now &- earlier.finishedAt <= Self.repeatWindow ? .used(result) : .answeredBefore
        }
        if used.count >= Self.maxRemembered { used = used.filter { now &- $0.value.at < Self.lifetime } }
        used[token] = Use(at: now, submission: submission, result: nil)
        return .fresh
    }

    /// Records the result of a claimed token: a short text, never personal data.
    public func finish(_ token: String, result: String) {
        let now = clock.nowMillis()
        lock.lock()
        used[token]?.result = result
        used[token]?.finishedAt = now
        lock.unlock()
    }

    /// Releases a claimed token whose submission did nothing (refused, failed), so that the
    /// corrected form can be sent with it.
    public func release(_ token: String) {
        lock.lock()
        if used[token]?.result == nil { used[token] = nil }
        lock.unlock()
    }

    /// True for a token this process issued within ``lifetime`` (and at most a minute ahead).
    func isValid(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let time = UInt64(parts[0]), let mac = Hex.decode(String(parts[2])) else { return false }
        let body = "\(parts[0]).\(parts[1])"
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(("ledger.kiosk.token.v1\0" + body).utf8), using: key) else { return false }
        let now = clock.nowMillis()
        return now >= time ? now - time <= Self.lifetime : time - now < 60_000
    }

    /// Compares two digests in time that does not depend on where they differ.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
