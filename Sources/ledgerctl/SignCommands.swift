import ArgumentParser
import Foundation
import Ledger

extension Channel: ExpressibleByArgument {}

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Record a signature and print the signer's receipt code.",
        discussion: """
            The name, e-mail, phone and address are sealed to HQ's key: this node cannot read them back, \
            and they never enter the log. Only the country, the postcode area (two characters) and a \
            keyed pseudonym do. Command-line arguments can end up in shell history: on shared machines \
            use the kiosk page instead.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "The campaign id.") var campaign: String
    @Option(name: .long, help: "The signer's name.") var name: String
    @Option(name: .long, help: "The signer's e-mail address.") var email: String?
    @Option(name: .long, help: "The signer's phone number.") var phone: String?
    @Option(name: .long, help: "The signer's street address.") var address: String?
    @Option(name: .long, help: "The signer's postcode.") var postcode: String?
    @Option(name: .long, help: "The signer's country (ISO 3166 code, for example NO).") var country: String?
    @Flag(name: .customLong("consent-contact"), help: "The signer agrees to be contacted about the campaign.")
    var consentContact = false
    @Option(name: .long, help: "How the signature was collected: kiosk, paper, manual or import.")
    var channel: Channel = .manual
    @Option(name: .customLong("paper-list"), help: "The paper list number (with --channel paper).")
    var paperList: Int64?

    func validate() throws {
        if paperList != nil && channel != .paper { throw ValidationError("--paper-list goes with --channel paper") }
        if let paperList, paperList < 1 { throw ValidationError("--paper-list must be 1 or more") }
    }

    func run() throws {
        let node = try global.openNode()
        let details = SignerDetails(name: name, email: email, phone: phone, address: address,
                                    postcode: postcode, country: country, consentContact: consentContact)
        let receipt = try node.sign(campaign: campaign, signer: details, channel: channel, paperList: paperList)
        if output.json {
            try Output.json(["entry": receipt.entry.id.hex, "receipt": receipt.code.description])
        } else {
            print("Signature recorded (entry \(receipt.entry.id.short)).")
            print("Receipt code: \(receipt.code)")
            print("Give the signer this code: it withdraws the signature ('ledgerctl withdraw --receipt CODE').")
        }
    }
}

struct CommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment", abstract: "Post a public comment on a campaign under a display name.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The campaign id.") var campaign: String
    @Option(name: .customLong("display-name"), help: "The name shown with the comment, as the signer chose it.")
    var displayName: String
    @Option(name: .long, help: "The comment.") var text: String

    func run() throws {
        let entry = try global.openNode().comment(campaign: campaign, displayName: displayName, text: text)
        print("Comment posted (entry \(entry.id.short)).")
    }
}

struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Withdraw the signature a receipt code belongs to.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The receipt code the signer was given (XXXX-XXXX-XXXX-XXXX).")
    var receipt: String

    func run() throws {
        guard let code = ReceiptCode(parsing: receipt) else {
            throw ValidationError("a receipt code has 16 letters and digits, like 7K2M-Q9XD-3HPA-W4TZ")
        }
        let entry = try global.openNode().withdraw(receipt: code)
        print("Signature withdrawn (entry \(entry.id.short)).")
    }
}
