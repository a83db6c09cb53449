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
        // The rule is the format's (BodyRules); the words are the command line's.
        if BodyRules.paperProblem(channel: channel, paperList: paperList, paperRow: nil) != nil {
            throw ValidationError(paperList.map { $0 < 1 } == true ? "--paper-list must be 1 or more" : "--paper-list goes with --channel paper")
        }
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

struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Withdraw a signature: by the signer's receipt code, or by HQ on a verified request.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The receipt code the signer was given (XXXX-XXXX-XXXX-XXXX).")
    var receipt: String?

    @Option(name: .long, help: ArgumentHelp("The signature's entry id (HQ only, with --reason).", valueName: "ID"))
    var signature: String?

    @Option(name: .long, help: "Why HQ withdraws the signature, for the record (with --signature).")
    var reason: String?

    func validate() throws {
        if (receipt == nil) == (signature == nil) { throw ValidationError("give --receipt CODE, or --signature ID with --reason") }
        if signature != nil && (reason ?? "").isEmpty { throw ValidationError("--signature needs --reason (what verified the request)") }
    }

    func run() throws {
        let node = try global.openNode()
        let entry: Entry
        if let receipt {
            guard let code = ReceiptCode(parsing: receipt) else {
                throw ValidationError("a receipt code has 16 letters and digits, like 7K2M-Q9XD-3HPA-W4TZ")
            }
            entry = try node.withdraw(receipt: code)
        } else {
            guard let signature, let id = Digest(hex: signature) else { throw ValidationError("--signature takes the 64-character entry id") }
            entry = try node.withdraw(signature: id, reason: reason ?? "")
        }
        print("Signature withdrawn (entry \(entry.id.short)).")
    }
}
