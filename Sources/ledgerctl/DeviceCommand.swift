import ArgumentParser
import Foundation
import Ledger

extension Role: ExpressibleByArgument {}

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Enrol, list and revoke devices (HQ); re-key a forked laptop.",
        subcommands: [Invite.self, Enrol.self, List.self, Revoke.self, Rekey.self])

    static func key(_ text: String, among devices: [DeviceSummary]? = nil) throws -> PublicKey {
        if let key = PublicKey(hex: text) { return key }
        if let devices {
            let matches = devices.filter { $0.device.hasPrefix(text.lowercased()) }
            if matches.count == 1, let key = PublicKey(hex: matches[0].device) { return key }
            throw NodeError.ambiguous(matches.isEmpty ? "no enrolled device starts with \(text)" : "\(text) matches \(matches.count) devices; give more characters")
        }
        throw ValidationError("KEY is the device's 64-character public key (shown by 'ledgerctl status' on the device)")
    }

    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a laptop: print a one-time join token for 'ledgerctl init --join' (HQ only).",
            discussion: """
                The token holds HQ's URL, the ledger id, HQ's key fingerprint, a one-time secret and the \
                ledger's pseudonym key (encrypted under the secret). Treat it like a password: hand it over \
                in person. It works once.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "A human name for the laptop, for example \"Stall laptop 3\".") var name: String
        @Option(name: .long, help: "field (default), hq or observer.") var role: Role = .field
        @Option(name: .long, help: "HQ's address as the laptop will reach it.") var url = "http://127.0.0.1:8080"

        func run() throws {
            let token = try global.openNode().invite(name: name, role: role, url: url)
            print(token.encoded)
        }
    }

    struct Enrol: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enrol a device's key with a name and role (HQ only).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The device's public key (hex).", valueName: "KEY")) var key: String
        @Option(name: .long, help: "A human name, for example \"Stall laptop 3\".") var name: String
        @Option(name: .long, help: "field (records signatures, comments, withdrawals), hq or observer.") var role: Role = .field

        func run() throws {
            let device = try DeviceCommand.key(key)
            let entry = try global.openNode().enrol(device: device, name: name, role: role)
            print("Enrolled \(name) (\(device.fingerprint)) as \(role.rawValue) (entry \(entry.id.short)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolled devices.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let devices = try global.openNode().store.devices()
            if output.json {
                try Output.json(devices)
                return
            }
            if devices.isEmpty { print("No devices enrolled. Enrol one with 'ledgerctl device enrol KEY --name NAME'.") }
            for device in devices {
                let revoked = device.revokedAfter.map { "  REVOKED after \($0)" } ?? ""
                print("\(device.device.prefix(12))  \(device.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  sequence \(device.sequence)  \(device.name)\(revoked)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a device (a lost laptop): its entries after --after-seq are refused and not counted.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The device's key or a prefix of it.", valueName: "ID")) var id: String
        @Option(name: .customLong("after-seq"), help: "The last sequence number that still counts (default: all the node holds now).")
        var afterSequence: UInt64?
        @Option(name: .long, help: "Why, for the record.") var reason: String?

        func run() throws {
            let node = try global.openNode()
            let devices = try node.store.devices()
            let device = try DeviceCommand.key(id, among: devices)
            let held = devices.first { $0.device == device.hex }?.sequence ?? 0
            let entry = try node.revoke(device: device, afterSequence: afterSequence ?? held, reason: reason)
            print("Revoked \(device.short) after sequence \(afterSequence ?? held) (entry \(entry.id.short)).")
        }
    }

    struct Rekey: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give this laptop a new key after its log forked (a copy of its folder also wrote).",
            discussion: """
                Asks HQ (the first peer in peers.json, or --hq URL) to enrol a new key with this device's \
                name and role, then makes it this node's key; the old key is kept in keys/retired-*.key. \
                Restart ledgerd afterwards. Without a connection to HQ the new key waits: have HQ run \
                'ledgerctl device enrol KEY --name NAME', import HQ's bundle here, and run this again.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("HQ's address (default: the first peer in peers.json).", valueName: "URL"))
        var hq: String?

        func run() throws {
            let node = try global.openNode()
            let address = try hq.map { try PeerBook.normalise($0) } ?? PeerBook(folder: node.folder).peers().first
            switch try node.rekey(via: address.flatMap(URL.init(string:))) {
            case .switched(let key, let name):
                print("This node now writes as \(name), key \(key.hex). Restart ledgerd if it runs.")
            case .pending(let key, let reason):
                print("New key \(key.hex) waits for HQ's enrolment: \(reason)")
                throw ExitCode(ExitStatus.failure.rawValue)
            }
        }
    }
}
