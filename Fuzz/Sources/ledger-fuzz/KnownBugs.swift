import Foundation
import Ledger

/// Inputs that hit a bug already known and being fixed elsewhere are skipped, so that fuzzing
/// keeps finding new ones meanwhile. Each guard names its bug; remove it once the fix is merged
/// (its reproducer in Fuzz/corpus then becomes a live regression input).
///
/// `LEDGER_FUZZ_KNOWN_BUGS=run` turns every guard off, to check a fix against the reproducers:
/// `LEDGER_FUZZ_KNOWN_BUGS=run .build-fuzz/debug/ledger-fuzz sync-push Fuzz/corpus/sync-push/*`.
enum KnownBugs {
    static let skipped = ProcessInfo.processInfo.environment["LEDGER_FUZZ_KNOWN_BUGS"] != "run"

    // No guard today: the five bugs first found here (bundle header counts that overflow or are
    // negative, a fetch `after` of 2^63 or more, a pushed entry with a wall clock or a sequence
    // of 2^63 or more) are fixed, and their reproducers in Fuzz/corpus are regression inputs.
}
