import Foundation
import Testing
@testable import Ledger

/// Join tokens work once and only until their invitation expires (docs/PROTOCOL.md, "Joining").
@Suite("Invitations expire")
struct InvitationExpiryTests {
    static let minute: UInt64 = 60_000

    /// An HQ on a clock the test moves.
    func makeHQ(_ directory: TempDir, clock: ManualClock) throws -> LedgerNode {
        try LedgerNode.createHQ(at: directory.path + "/hq", name: "Test HQ", wallClock: clock)
    }

    /// The join request of a new device holding `token`.
    func request(_ token: JoinToken, device: SigningKey) throws -> JoinRequest {
        let secret = try #require(Hex.decode(token.secret))
        let ledger = try #require(Digest(hex: token.ledger))
        return JoinRequest(device: device.publicKey.hex, proof: Hex.encode(JoinToken.proof(secret: secret, ledger: ledger, device: device.publicKey)))
    }

    /// What `completeJoin` refuses with, or nil when it enrols.
    func refusal(_ hq: LedgerNode, _ token: JoinToken, device: SigningKey) throws -> String? {
        do {
            _ = try hq.completeJoin(try request(token, device: device), signedBy: device.publicKey)
            return nil
        } catch let AuthError.forbidden(reason) {
            return reason
        }
    }

    func invitationCount(_ hq: LedgerNode) throws -> Int {
        try hq.store.settings(prefix: "invitation.").count
    }

    @Test("a token works until the last millisecond before its expiry, not at it; the expired invitation is forgotten")
    func expiry() throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let clock = ManualClock()
        let hq = try makeHQ(directory, clock: clock)
        let start = clock.nowMillis()

        let early = try hq.invite(name: "Laptop A", url: "http://hq.local:8080", validFor: 60 * Self.minute)
        #expect(try hq.invitationExpiry(of: early) == start + 60 * Self.minute)
        clock.set(start + 60 * Self.minute - 1)
        let a = SigningKey()
        #expect(try refusal(hq, early, device: a) == nil)
        #expect(try hq.store.devices().map(\.device) == [a.publicKey.hex])

        let late = try hq.invite(name: "Laptop B", url: "http://hq.local:8080", validFor: 60 * Self.minute)
        clock.set(clock.nowMillis() + 60 * Self.minute)
        let b = SigningKey()
        let reason = try #require(try refusal(hq, late, device: b))
        #expect(reason.contains("expired at \(Timestamps.iso8601(millis: clock.nowMillis()))"))
        #expect(reason.contains("ask HQ for a new one"))
        #expect(try hq.store.devices().map(\.device) == [a.publicKey.hex])
        #expect(try invitationCount(hq) == 0)
        // Forgotten: asking again is refused as for a used token, and nobody is enrolled.
        #expect(try refusal(hq, late, device: b)?.contains("unknown or was already used") == true)
        #expect(try hq.invitationExpiry(of: late) == nil)
    }

    @Test("an invitation made before tokens expired works for 7 days from its making")
    func earlierInvitations() throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let clock = ManualClock()
        let hq = try makeHQ(directory, clock: clock)
        let now = clock.nowMillis()
        func plant(secret: UInt8, madeAgo: UInt64) throws -> JoinToken {
            let bytes = [UInt8](repeating: secret, count: 32)
            // The JSON of an invitation as earlier versions stored it: no expiresAt.
            let json = #"{"name":"Old laptop","role":"field","secret":"\#(Hex.encode(bytes))","created":\#(now - madeAgo)}"#
            try hq.store.setSetting("invitation." + Digest.sha256(bytes).hex, json)
            return JoinToken(url: "http://hq.local:8080", ledger: try hq.ledgerID.hex, hq: hq.key.publicKey.fingerprint, name: "Old laptop", secret: Hex.encode(bytes))
        }
        let week = LedgerNode.defaultInvitationValidity
        let fresh = try plant(secret: 0x11, madeAgo: week - 1)
        let stale = try plant(secret: 0x22, madeAgo: week)
        #expect(try hq.invitationExpiry(of: fresh) == now + 1)
        #expect(try refusal(hq, fresh, device: SigningKey()) == nil)
        #expect(try refusal(hq, stale, device: SigningKey())?.contains("expired at") == true)
        #expect(try hq.store.devices().count == 1)
    }

    @Test("making an invitation forgets the expired ones and keeps the rest")
    func housekeeping() throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let clock = ManualClock()
        let hq = try makeHQ(directory, clock: clock)
        let short = try hq.invite(name: "Short", url: "http://hq.local:8080", validFor: Self.minute)
        let long = try hq.invite(name: "Long", url: "http://hq.local:8080", validFor: 10 * Self.minute)
        clock.advance(Self.minute)
        _ = try hq.invite(name: "Next", url: "http://hq.local:8080")
        #expect(try invitationCount(hq) == 2)
        #expect(try hq.invitationExpiry(of: short) == nil)
        #expect(try hq.invitationExpiry(of: long) != nil)
        #expect(try refusal(hq, long, device: SigningKey()) == nil)
    }

    @Test("an invitation is cancelled by its laptop's name or an id prefix; its token is then refused like a used one; an ambiguous or unknown match cancels nothing")
    func cancelling() throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let clock = ManualClock()
        let hq = try makeHQ(directory, clock: clock)
        let first = try hq.invite(name: "Laptop", url: "http://hq.local:8080")
        clock.advance(1)
        let second = try hq.invite(name: "Laptop", url: "http://hq.local:8080", validFor: Self.minute)
        clock.advance(1)
        let other = try hq.invite(name: "Other", url: "http://hq.local:8080")
        let open = try hq.openInvitations()
        #expect(open.map(\.name) == ["Laptop", "Laptop", "Other"])
        #expect(open.allSatisfy { $0.id.count == 12 && $0.id.allSatisfy(\.isHexDigit) && !$0.expired })
        #expect(!open.contains { first.secret.contains($0.id) || second.secret.contains($0.id) })
        #expect(open[1].expires == open[1].created + Self.minute)

        #expect(throws: NodeError.self) { try hq.cancelInvitation(matching: "Laptop") }  // two of them
        #expect(throws: NodeError.self) { try hq.cancelInvitation(matching: String(open[0].id.prefix(3))) }  // too short
        #expect(throws: NodeError.self) { try hq.cancelInvitation(matching: "Nobody") }
        #expect(try invitationCount(hq) == 3)

        #expect(try hq.cancelInvitation(matching: String(open[0].id.prefix(6))).name == "Laptop")
        #expect(try refusal(hq, first, device: SigningKey())?.contains("unknown or was already used") == true)
        #expect(try hq.cancelInvitation(matching: "Other").id == open[2].id)
        #expect(try refusal(hq, other, device: SigningKey())?.contains("unknown or was already used") == true)
        // The one left works; an expired one is listed as such.
        clock.advance(Self.minute)
        #expect(try hq.openInvitations().map(\.expired) == [true])
        #expect(try invitationCount(hq) == 1)
        #expect(try hq.store.devices().isEmpty)
    }

    @Test("a validity of zero or of more than 90 days is refused, and nothing is stored", arguments: [0, LedgerNode.maxInvitationValidity + 1, UInt64.max])
    func validityBounds(validFor: UInt64) throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let hq = try makeHQ(directory, clock: ManualClock())
        #expect(throws: NodeError.self) { try hq.invite(name: "Laptop", url: "http://hq.local:8080", validFor: validFor) }
        #expect(try invitationCount(hq) == 0)
        _ = try hq.invite(name: "Laptop", url: "http://hq.local:8080", validFor: LedgerNode.maxInvitationValidity)
        #expect(try invitationCount(hq) == 1)
    }
}
