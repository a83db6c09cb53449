import ArgumentParser
import Foundation
import Ledger

extension Role: ExpressibleByArgument {}

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Enrol, list and revoke devices (HQ); re-key a forked laptop.",
        subcommands: [Invite.self, Invitations.self, CancelInvitation.self, Enrol.self, List.self, Revoke.self, Rekey.self])

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
                The token holds HQ's URL, the ledger id, HQ's key fingerprint, the laptop's name and a \
                one-time secret. Treat it like a password: hand it over in person. It works once, and \
                only until it expires (--valid-for, 7 days unless you say otherwise); an expired or used \
                token is refused and HQ makes a new one.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "A human name for the laptop, for example \"Stall laptop 3\".") var name: String
        @Option(name: .long, help: "field (default), hq or observer.") var role: Role = .field
        @Option(name: .long, help: ArgumentHelp("HQ's address as the laptop will reach it, for example http://192.168.1.20:8080 (required).", valueName: "URL"))
        var url: String?
        @Option(name: .long, help: ArgumentHelp("Write the token to this new file (mode 0600) instead of printing it; 'init --join FILE' reads it.", valueName: "FILE"))
        var out: String?
        @Option(name: .long, help: ArgumentHelp("How long the token works: minutes, hours or days, like 30m, 12h or 7d (at most 90d).", valueName: "DURATION"))
        var validFor: Validity = Validity(millis: LedgerNode.defaultInvitationValidity)

        func validate() throws {
            guard validFor.millis <= LedgerNode.maxInvitationValidity else {
                throw ValidationError("--valid-for is at most 90d: a token that works longer is a password left lying around")
            }
            guard let url else {
                // 127.0.0.1 on the laptop is the laptop itself: HQ's address must be given.
                let addresses = Self.localAddresses()
                let example = addresses.first.map { "http://\($0):8080" } ?? "http://hq.local:8080"
                let seen = addresses.isEmpty ? "" : " (this machine's addresses: \(addresses.joined(separator: ", ")))"
                throw ValidationError("give --url, HQ's address as the laptop will reach it, like --url \(example)\(seen); ledgerd must listen there (--listen 0.0.0.0:8080)")
            }
            if let host = URL(string: url)?.host, host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" {
                FileHandle.standardError.write(Data("ledgerctl: note: \(host) reaches only this machine; a laptop needs HQ's network address\n".utf8))
            }
        }

        func run() throws {
            guard let url else { return }
            if let out, FileManager.default.fileExists(atPath: out) {
                throw NodeError.ambiguous("\(out) exists; refusing to overwrite it (a token works once: choose a new file)")
            }
            let node = try global.openNode()
            let token = try node.invite(name: name, role: role, url: url, validFor: validFor.millis)
            let until = try node.invitationExpiry(of: token).map { " It works once, until \(Self.minute($0)) UTC." } ?? ""
            guard let out else {
                print(token.encoded)
                FileHandle.standardError.write(Data("ledgerctl: the join token for \(token.name) is above.\(until)\n".utf8))
                return
            }
            guard FileManager.default.createFile(atPath: out, contents: Data((token.encoded + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw NodeError.ambiguous("cannot write \(out)")
            }
            print("Wrote the join token for \(token.name) to \(out) (mode 0600).\(until)")
            print("On the laptop: ledgerctl init --join \(out)")
        }

        /// `millis` as `YYYY-MM-DD HH:MM` in UTC.
        static func minute(_ millis: UInt64) -> String {
            let iso = Timestamps.iso8601(millis: millis)
            return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5))
        }

        /// `--valid-for`: a whole number of minutes (`m`), hours (`h`) or days (`d`), more than zero.
        struct Validity: ExpressibleByArgument {
            var millis: UInt64

            init(millis: UInt64) {
                self.millis = millis
            }

            init?(argument: String) {
                let units: [Character: UInt64] = ["m": 60_000, "h": 3_600_000, "d": 86_400_000]
                guard let unit = argument.last.flatMap({ units[$0] }), argument.count <= 7,
                      argument.dropLast().allSatisfy({ ("0"..."9").contains($0) }), let count = UInt64(argument.dropLast()), count > 0 else { return nil }
                millis = count * unit
            }

            var defaultValueDescription: String { "7d" }
        }

        /// This machine's IPv4 addresses other than loopback, from the interfaces that are up:
        /// suggestions for --url, not a guess that is used.
        static func localAddresses() -> [String] {
            var first: UnsafeMutablePointer<ifaddrs>?
            guard getifaddrs(&first) == 0, let list = first else { return [] }
            defer { freeifaddrs(list) }
            var out: [String] = []
            var cursor: UnsafeMutablePointer<ifaddrs>? = list
            while let item = cursor?.pointee {
                defer { cursor = item.ifa_next }
                guard let address = item.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                      item.ifa_flags & UInt32(IFF_UP) != 0, item.ifa_flags & UInt32(IFF_LOOPBACK) == 0 else { continue }
                var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                    let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !out.contains(text) { out.append(text) }
                }
            }
            return out
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

    struct Invitations: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the join tokens not yet used: laptop name, role, when each expires (HQ only; never a secret).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let open = try global.openNode().openInvitations()
            if output.json {
                try Output.json(open)
                return
            }
            if open.isEmpty { print("No open invitations. Make one with 'ledgerctl device invite --name NAME --url URL'.") }
            for invitation in open {
                let state = invitation.expired ? "EXPIRED \(Invite.minute(invitation.expires)) UTC" : "expires \(Invite.minute(invitation.expires)) UTC"
                print("\(invitation.id)  \(invitation.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(state)  \(invitation.name)")
            }
        }
    }

    struct CancelInvitation: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel-invitation",
            abstract: "Cancel a join token before it is used (mislaid, or seen by someone else): HQ refuses it from now on (HQ only).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The laptop's name as invited, or the invitation's id (at least 4 digits) from 'device invitations'.", valueName: "NAME|ID"))
        var match: String

        func run() throws {
            let cancelled = try global.openNode().cancelInvitation(matching: match)
            print("Cancelled the invitation \(cancelled.id) for \(cancelled.name): its token is refused from now on.")
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
