import Foundation
import Ledger

/// `campaign-file`: a hand-written campaign file as `ledgerctl campaign publish` reads it
/// (`CampaignFile.parse`, the part of `CampaignFile.load` after reading the file).
///
/// Rule: a file that is accepted gives a body that the entry checks accept too. `ledgerctl` never
/// publishes a campaign every verifier then reports as `invalid-body`. (A body over the entry
/// size limit is refused when the entry is made, with an error; that is not checked here.)
enum CampaignFileTarget {
    static let target = FuzzTarget(name: "campaign-file", summary: "CampaignFile.parse (ledgerctl campaign publish)", run: run)

    static func run(_ bytes: [UInt8]) {
        guard let published = try? CampaignFile.parse(Data(bytes), path: "fuzz.json") else { return }
        guard let body = try? CanonicalJSON.encode(published) else {
            require(false, "an accepted campaign encodes")
            return
        }
        require(CanonicalJSON.isCanonical(body), "an accepted campaign encodes canonically")
        guard body.count <= Entry.maxBodySize else { return }
        let entry = Fixture.entry(Fixture.hq, sequence: 3, after: Fixture.hqLog[1], wall: Fixture.now, published)
        let fault = EntryVerifier.checkContent(entry, ledger: Fixture.ledger, hq: Fixture.hq.publicKey)
        require(fault == nil, "an accepted campaign file makes a valid campaign.published entry (\(fault?.detail ?? ""))")
    }
}
