/// One fuzz target: a name for the command line and a function libFuzzer calls with each input.
///
/// A target returns normally for every input the code under test handles (refusing it with an
/// error is handling it); it crashes, through ``require(_:_:)`` or a trap in the library, only
/// when a rule was broken. Inputs that hit a bug being fixed elsewhere are skipped in
/// `KnownBugs.swift`, each with its name.
struct FuzzTarget: Sendable {
    /// The command-line name, e.g. `entry`, also the corpus folder `Fuzz/corpus/<name>`.
    let name: String
    /// One line for `ledger-fuzz --list`.
    let summary: String
    /// Called once per input.
    let run: @Sendable ([UInt8]) -> Void
}

extension FuzzTarget {
    /// Every target, in the order `make fuzz` runs them.
    static let all: [FuzzTarget] = [
        EntryTarget.target,
        BundleTarget.target,
        CanonicalJSONTarget.target,
        CampaignFileTarget.target,
        PaperListTarget.target,
        SyncTargets.fetch,
        SyncTargets.push,
        SyncTargets.wanted,
        SyncTargets.fetchPayloads,
        SyncTargets.pushPayloads,
        SyncTargets.auth,
    ]

    static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

/// Stops the run as a crash (libFuzzer saves the input) when a rule the code promises is broken.
/// The message names the rule, never the input's content.
func require(_ condition: Bool, _ rule: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("rule broken: \(rule())", file: file, line: line) }
}
