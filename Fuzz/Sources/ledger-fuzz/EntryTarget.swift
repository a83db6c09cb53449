import Ledger

/// `entry`: bytes as an entry arrives from a peer or a bundle: `Entry(bytes:)`, then the content
/// checks (`EntryVerifier.checkContent`) as a node of the fixture ledger and as an auditor
/// adopting a ledger, and the chain link after the fixture's entries. (Not the signature: random
/// bytes never carry a valid one, and Ed25519 in C adds no coverage of our code.)
///
/// Rules: a parsed entry's id is the SHA-256 of its bytes, and writing its fields again gives the
/// same bytes (the format has exactly one encoding of each entry).
enum EntryTarget {
    static let target = FuzzTarget(name: "entry", summary: "Entry(bytes:) and EntryVerifier.checkContent", run: run)

    static func run(_ bytes: [UInt8]) {
        guard let entry = try? Entry(bytes: bytes) else { return }
        require(entry.id == Digest.sha256(bytes), "an entry's id is the SHA-256 of its bytes")
        let draft = EntryDraft(
            ledger: entry.ledger, author: entry.author, sequence: entry.sequence, previous: entry.previous,
            timestamp: entry.timestamp, type: entry.type, body: entry.body, payloadDigest: entry.payloadDigest)
        let again = try? draft.signedBytes()
        require(again.map { $0 + entry.signature } == bytes, "writing a parsed entry's fields again gives its bytes")

        var decoded: (any EventBody)?
        let asNode = EntryVerifier.checkContent(entry, ledger: Fixture.ledger, hq: Fixture.hq.publicKey, decoded: &decoded)
        if asNode == nil { require(decoded != nil, "an entry whose content passes has a decoded body") }
        _ = EntryVerifier.checkContent(entry, ledger: nil, hq: entry.author)
        let previous = Fixture.hqLog.first { $0.author == entry.author && $0.sequence + 1 == entry.sequence }
        _ = EntryVerifier.checkLink(entry, after: previous.map(EntryVerifier.LinkPoint.init))
    }
}
