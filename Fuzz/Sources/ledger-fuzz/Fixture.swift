import Foundation
import Ledger

/// The small, fixed ledger the targets run against: made from fixed keys (the test keys of
/// docs/FORMAT.md section 10, and three more) and fixed timestamps, so that it is the same in
/// every run and the committed seeds (signed entries, signed requests) stay valid.
/// Never use these keys for real data.
///
/// HQ's log: genesis, a campaign, three enrolments (a field laptop, a lost laptop, an observer)
/// and the lost laptop's revocation after its first entry. The field laptop's log: a signature,
/// a comment and a second signature whose payload the ledger lacks (so that "wanted" is not
/// empty). The lost laptop's log: one signature.
enum Fixture {
    static let hq = key(0x01)
    static let field = key(0x02)
    static let sealing = sealingKey(0x03)
    static let lost = key(0x05)
    static let observer = key(0x07)
    /// A key no ledger enrolled.
    static let stranger = key(0x09)
    static let campaign = "free-the-press"
    static let baseWall: UInt64 = 1_760_000_000_000
    /// "Now" for the store and the request verifier: a day after the last entry.
    static let now: UInt64 = baseWall + 86_400_000

    /// A payload placeholder like docs/test-vectors': `01`, 32 times `tag`, 40 times `05`. Only its
    /// digest is signed, so it need not be a real seal.
    static func payload(_ tag: UInt8) -> [UInt8] {
        [0x01] + [UInt8](repeating: tag, count: 32) + [UInt8](repeating: 0x05, count: 40)
    }

    static let payloadA = payload(0x0a)
    static let payloadB = payload(0x0b)  // named by an entry, absent from the store
    static let payloadC = payload(0x0c)
    static let payloadD = payload(0x0d)  // for seeds: a new field signature

    static let genesis: Entry = entry(hq, sequence: 1, after: nil, wall: baseWall,
                                      LedgerCreated(name: "Fuzz ledger", hqKey: hq.publicKey.hex, sealingKey: sealing.publicKey.hex))
    static var ledger: Digest { genesis.id }

    static let hqLog: [Entry] = {
        var log = [genesis]
        func add<Body: EventBody>(_ body: Body) {
            log.append(entry(hq, sequence: UInt64(log.count + 1), after: log.last, wall: baseWall + UInt64(log.count) * 1000, body))
        }
        add(sampleCampaign())
        add(DeviceEnrolled(device: field.publicKey.hex, name: "Stall laptop 1", role: .field))
        add(DeviceEnrolled(device: lost.publicKey.hex, name: "Stall laptop 2", role: .field))
        add(DeviceEnrolled(device: observer.publicKey.hex, name: "Auditor", role: .observer))
        add(DeviceRevoked(device: lost.publicKey.hex, afterSequence: 1, reason: "Lost at the concert"))
        return log
    }()

    static var campaignVersion: Digest { hqLog[1].id }

    /// The field laptop's log: what the template holds (3 entries) and two more for seeds.
    static let fieldLog: [Entry] = {
        var log: [Entry] = []
        func add<Body: EventBody>(_ body: Body, payload: [UInt8]? = nil) {
            log.append(entry(field, sequence: UInt64(log.count + 1), after: log.last,
                             wall: baseWall + 10_000 + UInt64(log.count) * 1000, body, payload: payload))
        }
        add(signatureBody(signer: 1, receipt: "7K2M-Q9XD-3HPA-W4TZ"), payload: payloadA)
        add(CommentPosted(campaign: campaign, displayName: "Kari", text: "Free them now! æøå \u{2014} \"quoted\"\n", signature: log[0].id.hex))
        add(signatureBody(signer: 2, receipt: "AAAA-BBBB-CCCC-DDDD"), payload: payloadB)
        add(signatureBody(signer: 3, receipt: "1234-5678-9ABC-DEFG"), payload: payloadD)
        add(SignatureWithdrawn(signature: log[3].id.hex, receipt: ReceiptCode(parsing: "1234-5678-9ABC-DEFG")?.symbols, reason: nil))
        return log
    }()

    static let fieldHeld = 3

    static let lostLog: [Entry] = [
        entry(lost, sequence: 1, after: nil, wall: baseWall + 20_000, signatureBody(signer: 4, receipt: "WXYZ-WXYZ-WXYZ-WXYZ"), payload: payloadC),
    ]

    /// What the template store holds: every log above except the field laptop's last two entries,
    /// and every payload but B.
    static var templateBundle: LedgerBundle {
        LedgerBundle(ledger: ledger, entries: hqLog + Array(fieldLog.prefix(fieldHeld)) + lostLog, forks: [],
                     payloads: [payloadA, payloadC])
    }

    static func sampleCampaign() -> CampaignPublished {
        CampaignPublished(
            campaign: campaign, languages: ["en", "nb"],
            texts: [
                "en": CampaignText(title: "Free the press", summary: "Journalists are in jail.", body: "Three journalists have been jailed.",
                                   demands: ["Release them"], letter: CampaignLetter(recipient: "Minister of Justice", text: "Dear Minister,")),
                "nb": CampaignText(title: "Fri presse", summary: "Journalister sitter i fengsel.", body: "Tre journalister er fengslet.",
                                   demands: ["Løslat dem"], letter: nil),
            ],
            goal: 10_000, deadline: "2027-03-01T00:00:00.000Z")
    }

    static func signatureBody(signer: UInt8, receipt: String) -> SignatureRecorded {
        let details = SignerDetails(name: "Signer \(signer)", email: "signer\(signer)@example.org", postcode: "0150", country: "NO", consentContact: true)
        let code = ReceiptCode(parsing: receipt)
        return SignatureRecorded(
            campaign: campaign, campaignVersion: campaignVersion.hex, channel: .kiosk, paperList: nil,
            country: "NO", postcodeArea: details.postcodeArea, consentContact: true,
            signer: details.pseudonym(key: [UInt8](repeating: 0x06, count: 32), campaign: campaign).hex,
            receiptHash: (code?.hash(ledger: ledger) ?? Digest.sha256(Array(receipt.utf8))).hex)
    }

    /// Signs an entry by hand, so the fixture does not depend on how a store ticks its clock.
    static func entry<Body: EventBody>(_ key: SigningKey, sequence: UInt64, after previous: Entry?, wall: UInt64, _ body: Body,
                                       payload: [UInt8]? = nil, ledger: Digest? = nil) -> Entry {
        let draft = EntryDraft(
            ledger: ledger ?? (sequence == 1 && key.publicKey == hq.publicKey ? .zero : Fixture.ledger), author: key.publicKey,
            sequence: sequence, previous: previous?.id ?? .zero, timestamp: HLCTimestamp(wall: wall, counter: 0),
            type: Body.eventType.rawValue, body: must(try CanonicalJSON.encode(body)), payloadDigest: payload.map { Digest.sha256($0) })
        return must(try Entry.sign(draft, with: key))
    }

    private static func key(_ byte: UInt8) -> SigningKey {
        must(try SigningKey(seed: [UInt8](repeating: byte, count: 32)))
    }

    private static func sealingKey(_ byte: UInt8) -> SealingPrivateKey {
        must(try SealingPrivateKey(raw: [UInt8](repeating: byte, count: 32)))
    }
}

/// The fixture cannot be built: the harness itself is broken, not the code under test.
func must<T>(_ value: @autoclosure () throws -> T, file: StaticString = #file, line: UInt = #line) -> T {
    do {
        return try value()
    } catch {
        fatalError("fuzz harness set-up failed: \(error)", file: file, line: line)
    }
}

/// A wall clock stopped at ``Fixture/now``.
struct FixedClock: WallClock {
    func nowMillis() -> UInt64 { Fixture.now }
}
