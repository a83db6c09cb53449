import Crypto
import Foundation

/// One-time form tokens for the kiosk's signing form: they stop cross-site request forgery
/// (a page of another site cannot read a token) and double submissions (a token signs once).
///
/// A token is `time.nonce.mac`: issue time (ms), 16 random bytes (hex) and
/// HMAC-SHA-256(secret, time.nonce), valid for ``lifetime``. Thread-safe.
public final class FormTokens: @unchecked Sendable {
    /// 30 minutes.
    public static let lifetime: UInt64 = 1_800_000

    private let key: SymmetricKey
    private let lock = NSLock()
    private var used: [String: (at: UInt64, result: String)] = [:]
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
        return body + "." + Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: key))
    }

    /// The outcome of presenting a token.
    public enum Check: Equatable {
        /// Valid and unused: go ahead, then call ``complete(_:result:)``.
        case fresh
        /// Already used; the earlier result (for example the receipt page) is returned.
        case used(String)
        /// Forged, malformed or expired.
        case invalid
    }

    /// Checks a token without using it up.
    public func check(_ token: String) -> Check {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let time = UInt64(parts[0]), let mac = Hex.decode(String(parts[2])) else { return .invalid }
        let body = "\(parts[0]).\(parts[1])"
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(body.utf8), using: key) else { return .invalid }
        let now = clock.nowMillis()
        guard now >= time ? now - time <= Self.lifetime : time - now < 60_000 else { return .invalid }
        lock.lock()
        defer { lock.unlock() }
        if let earlier = used[token] { return .used(earlier.result) }
        return .fresh
    }

    /// Marks a token used, remembering a short result (never personal data) for a repeat submission.
    /// Returns false when another request completed it first.
    @discardableResult
    public func complete(_ token: String, result: String) -> Bool {
        let now = clock.nowMillis()
        lock.lock()
        defer { lock.unlock() }
        if used.count > 10_000 { used = used.filter { now - $0.value.at < Self.lifetime } }
        guard used[token] == nil else { return false }
        used[token] = (now, result)
        return true
    }

    /// Claims a token before doing the work, so that two concurrent submissions of one form
    /// cannot both sign. Returns the check result; on `.fresh` the token is now reserved.
    public func claim(_ token: String) -> Check {
        let result = check(token)
        guard result == .fresh else { return result }
        lock.lock()
        defer { lock.unlock() }
        if let earlier = used[token] { return .used(earlier.result) }
        used[token] = (clock.nowMillis(), "")
        return .fresh
    }

    /// Records the result of a claimed token.
    public func finish(_ token: String, result: String) {
        lock.lock()
        used[token] = (clock.nowMillis(), result)
        lock.unlock()
    }

    /// Releases a claimed token whose submission failed validation, so the corrected form can be sent.
    public func release(_ token: String) {
        lock.lock()
        used[token] = nil
        lock.unlock()
    }
}
