/// The version of Ledger's programs and library, printed by `ledgerctl --version` and
/// `ledgerd --version`. Defined here once; bump it with each release.
public enum LedgerVersion {
    public static let string = "0.9.0"
}
