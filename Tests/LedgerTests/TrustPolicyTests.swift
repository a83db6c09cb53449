import Foundation
import Testing
@testable import Ledger

@Suite("Rights and enrolment (docs/FORMAT.md section 4, \"Rights\")")
struct TrustPolicyTests {
    func key(_ byte: UInt8) throws -> PublicKey {
        try SigningKey(seed: [UInt8](repeating: byte, count: 32)).publicKey
    }

    @Test("the rights table is FORMAT.md's: the root key every type, hq all but the trust entries, field three, observer none")
    func rightsTable() throws {
        let root = try key(1)
        let (hq, field, observer) = (try key(2), try key(3), try key(4))
        let policy = TrustPolicy(hq: root, devices: [hq: .hq, field: .field, observer: .observer])
        let trust: Set<EventType> = [.ledgerCreated, .deviceEnrolled, .deviceRevoked, .forkAdopted, .payloadErased, .signerReferenced]
        for type in EventType.allCases {
            #expect(policy.allows(root, toWrite: type.rawValue))
            #expect(policy.allows(hq, toWrite: type.rawValue) == !trust.contains(type), "\(type.rawValue)")
            #expect(policy.allows(field, toWrite: type.rawValue) == [.signatureRecorded, .commentPosted, .signatureWithdrawn].contains(type))
            #expect(!policy.allows(observer, toWrite: type.rawValue))
        }
        #expect(!policy.allows(try key(5), toWrite: EventType.commentPosted.rawValue))
        #expect(!policy.allows(root, toWrite: "petition.hacked"))
    }

    @Test("SQL role lists come from the rights table")
    func sqlLists() {
        #expect(Role.sqlList(mayWrite: .signatureRecorded) == "'hq', 'field'")
        #expect(Role.sqlList(mayWrite: .campaignClosed) == "'hq'")
        #expect(Role.sqlList(mayWrite: .deviceEnrolled) == "NULL")
        for (table, types, _) in Projector.authoredRows {
            // The first type's rights are the table's: every other type must have the same.
            for type in types {
                #expect(Role.sqlList(mayWrite: type) != "NULL")
                #expect(Role.sqlList(mayWrite: type) == Role.sqlList(mayWrite: types[0]), "\(table): \(type)")
            }
        }
        // campaign_versions holds both kinds of version: they must have the same rights.
        #expect(Role.sqlList(mayWrite: .campaignPublished) == Role.sqlList(mayWrite: .campaignUpdated))
    }

    @Test("a key enrolled twice has its earliest enrolment's role, whatever order they arrive in", arguments: [false, true])
    func enrolledTwice(laterFirst: Bool) throws {
        let device = try key(3)
        let early = TrustPolicy.EnrolmentOrder(wall: 1_000, counter: 0, sequence: 5, id: [0xff])
        let late = TrustPolicy.EnrolmentOrder(wall: 2_000, counter: 0, sequence: 6, id: [0x00])
        var policy = TrustPolicy(hq: try key(1))
        let arrivals: [(Role, TrustPolicy.EnrolmentOrder)] = laterFirst ? [(.field, late), (.observer, early)] : [(.observer, early), (.field, late)]
        for (role, order) in arrivals { policy.enrol(device, role: role, at: order) }
        #expect(policy.role(of: device) == .observer)
        #expect(!policy.allows(device, toWrite: EventType.signatureRecorded.rawValue))
    }

    @Test("two enrolments at the same time and sequence (branches of a forked root log): the smaller entry id holds")
    func enrolledTwiceOnBranches() throws {
        let device = try key(3)
        var policy = TrustPolicy(hq: try key(1))
        policy.enrol(device, role: .field, at: .init(wall: 1_000, counter: 0, sequence: 5, id: [0x02]))
        policy.enrol(device, role: .hq, at: .init(wall: 1_000, counter: 0, sequence: 5, id: [0x01]))
        #expect(policy.role(of: device) == .hq)
    }
}
