import Ledger

/// `bundle`: a bundle file as `ledgerctl import` reads it (`LedgerBundle(decoding:)`).
///
/// Rule: a bundle that reads, written again with `encoded()`, reads as the same bundle.
enum BundleTarget {
    static let target = FuzzTarget(name: "bundle", summary: "LedgerBundle(decoding:)", run: run)

    static func run(_ bytes: [UInt8]) {
        guard let bundle = try? LedgerBundle(decoding: bytes) else { return }
        let encoded = bundle.encoded()
        guard let again = try? LedgerBundle(decoding: encoded) else {
            require(false, "a bundle written by encoded() reads back")
            return
        }
        require(again.ledger == bundle.ledger && again.entries == bundle.entries && again.forks == bundle.forks
                    && again.payloads == bundle.payloads, "a bundle reads back as what was written")
    }
}
