import ArgumentParser
import Foundation
import Ledger

struct EraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a signer's personal data everywhere, on their request, and withdraw the signature (HQ only).",
        discussion: """
            By receipt code, or by e-mail address (HQ alone can match an address to the signer \
            references). Writes 'payload.erased': every node deletes the sealed payload at its next \
            sync; the entries and every audit stay verifiable (docs/PRIVACY.md, "Erasure").
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The signer's receipt code.", valueName: "CODE"))
    var receipt: String?

    @Option(name: .long, help: ArgumentHelp("The signer's e-mail address: erases every signature it made.", valueName: "ADDRESS"))
    var email: String?

    @Option(name: .long, help: ArgumentHelp("Only in this campaign (with --email).", valueName: "ID"))
    var campaign: String?

    @Option(name: .long, help: "Why, for the audit (for example a request's reference); never personal data.")
    var reason: String?

    func validate() throws {
        guard (receipt == nil) != (email == nil) else { throw ValidationError("give exactly one of --receipt CODE or --email ADDRESS") }
        if campaign != nil && email == nil { throw ValidationError("--campaign goes with --email") }
    }

    func run() throws {
        let node = try global.openNode()
        let entries: [Entry]
        if let receipt {
            guard let code = ReceiptCode(parsing: receipt) else { throw ValidationError("the receipt code is 16 characters like 7K2M-Q9XD-3HPA-W4TZ") }
            entries = try node.erase(receipt: code, reason: reason)
        } else {
            entries = try node.erase(email: email ?? "", campaign: campaign, reason: reason)
            if entries.isEmpty { throw NodeError.ambiguous("no signature of that address is held here (or it is erased already)") }
        }
        let erased = entries.filter { $0.type == EventType.payloadErased.rawValue }.count
        let withdrawn = entries.filter { $0.type == EventType.signatureWithdrawn.rawValue }.count
        print("Erased the personal data of \(erased) signature\(erased == 1 ? "" : "s") and withdrew \(withdrawn). Every node deletes it at its next sync.")
    }
}
