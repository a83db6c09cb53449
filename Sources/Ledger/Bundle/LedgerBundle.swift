import Foundation

/// A bundle file: every entry, every fork evidence entry and every payload of a ledger, for the
/// USB stick and the auditor (docs/FORMAT.md, "Bundles").
///
/// JSON Lines, UTF-8: a header line, one line per entry, fork and payload (base64 of the exact
/// bytes), and an end line carrying the SHA-256 of every byte before it, so that a truncated or
/// altered file is refused whole.
public struct LedgerBundle: Sendable {
    public static let formatName = "ledger-bundle"
    public static let version = 1

    public var ledger: Digest
    public var entries: [Entry]
    public var forks: [Entry]
    public var payloads: [[UInt8]]

    public init(ledger: Digest, entries: [Entry], forks: [Entry], payloads: [[UInt8]]) {
        self.ledger = ledger
        self.entries = entries
        self.forks = forks
        self.payloads = payloads
    }

    struct Header: Codable {
        var bundle: String
        var version: Int
        var ledger: String
        var entries: Int
        var forks: Int
        var payloads: Int
    }

    /// The header line (without its newline), exactly as docs/FORMAT.md section 9 writes it.
    static func headerLine(ledger: Digest, entries: Int, forks: Int, payloads: Int) -> String {
        "{\"bundle\":\"\(formatName)\",\"version\":\(version),\"ledger\":\"\(ledger.hex)\",\"entries\":\(entries),\"forks\":\(forks),\"payloads\":\(payloads)}"
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        func line(_ text: String) {
            out.append(contentsOf: Array(text.utf8))
            out.append(0x0a)
        }
        line(Self.headerLine(ledger: ledger, entries: entries.count, forks: forks.count, payloads: payloads.count))
        for entry in entries { line("{\"entry\":\"\(Data(entry.bytes).base64EncodedString())\"}") }
        for entry in forks { line("{\"fork\":\"\(Data(entry.bytes).base64EncodedString())\"}") }
        for payload in payloads { line("{\"payload\":\"\(Data(payload).base64EncodedString())\"}") }
        let checksum = Digest.sha256(out)
        line("{\"end\":\"\(checksum.hex)\"}")
        return out
    }

    /// Parses a bundle file, checking its header, counts and checksum. Every line must be exactly
    /// in the form ``encoded()`` writes (no whitespace, no other or repeated members, canonical
    /// base64), so that every reader sees the same bytes. Entries are parsed but not verified: the
    /// store verifies them on ingest.
    public init(decoding bytes: [UInt8]) throws {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0a {
            lines.append(bytes[start..<index])
            start = index + 1
        }
        guard start == bytes.count else { throw BundleError.truncated("the last line is incomplete") }
        guard let headerBytes = lines.first, let header = try? StrictJSON.decode(Header.self, from: headerBytes),
              header.bundle == Self.formatName else {
            throw BundleError.notABundle
        }
        guard header.version == Self.version else { throw BundleError.unsupportedVersion(header.version) }
        guard let ledger = Digest(hex: header.ledger) else { throw BundleError.malformed(line: 1, reason: "ledger is not 64 hex characters") }
        let counts = [header.entries, header.forks, header.payloads]
        guard counts.allSatisfy({ $0 >= 0 }) else { throw BundleError.malformed(line: 1, reason: "a count in the header is negative") }
        // Each count is compared with the lines present before it is added, so no sum can overflow.
        guard counts.allSatisfy({ $0 <= lines.count }), counts.reduce(0, +) <= lines.count else {
            throw BundleError.truncated("the header announces more lines than the file has (\(lines.count))")
        }
        guard headerBytes.elementsEqual(Self.headerLine(ledger: ledger, entries: header.entries, forks: header.forks, payloads: header.payloads).utf8) else {
            throw BundleError.malformed(line: 1, reason: "the header is not in the exact form of docs/FORMAT.md section 9")
        }
        let expectedLines = 1 + header.entries + header.forks + header.payloads + 1
        guard lines.count >= expectedLines else {
            throw BundleError.truncated("the header announces \(expectedLines) lines, the file has \(lines.count)")
        }
        guard lines.count == expectedLines else {
            throw BundleError.malformed(line: expectedLines + 1, reason: "unexpected lines after the end line")
        }
        guard let endHex = Self.field("end", in: lines[expectedLines - 1]), let checksum = Digest(hex: endHex),
              checksum.hex == endHex else {
            throw BundleError.truncated("the end line is missing")
        }
        let bodyLength = lines[expectedLines - 1].startIndex
        guard Digest.sha256(bytes[0..<bodyLength]) == checksum else { throw BundleError.checksumMismatch }

        var entries: [Entry] = []
        var forks: [Entry] = []
        var payloads: [[UInt8]] = []
        entries.reserveCapacity(header.entries)
        for number in 1..<(expectedLines - 1) {
            let lineNumber = number + 1
            let isEntry = number <= header.entries
            let isFork = !isEntry && number <= header.entries + header.forks
            let name = isEntry ? "entry" : isFork ? "fork" : "payload"
            guard let base64 = Self.field(name, in: lines[number]), let raw = Data(base64Encoded: base64),
                  raw.base64EncodedString() == base64 else {
                throw BundleError.malformed(line: lineNumber, reason: "expected exactly {\"\(name)\":\"<base64>\"}")
            }
            if isEntry || isFork {
                do {
                    let entry = try Entry(bytes: Array(raw))
                    if isEntry { entries.append(entry) } else { forks.append(entry) }
                } catch let error as FormatError {
                    throw BundleError.malformed(line: lineNumber, reason: "\(error)")
                }
            } else {
                payloads.append(Array(raw))
            }
        }
        self.init(ledger: ledger, entries: entries, forks: forks, payloads: payloads)
    }

    /// The string value of a line that is exactly `{"NAME":"VALUE"}` with VALUE free of quotes
    /// and backslashes; nil for any other line.
    static func field(_ name: String, in line: ArraySlice<UInt8>) -> String? {
        let prefix = Array("{\"\(name)\":\"".utf8)
        let suffix = Array("\"}".utf8)
        guard line.count >= prefix.count + suffix.count, line.prefix(prefix.count).elementsEqual(prefix),
              line.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        let value = line.dropFirst(prefix.count).dropLast(suffix.count)
        guard value.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}

/// A bundle file that cannot be read. Nothing of it is stored.
public enum BundleError: Error, CustomStringConvertible, Equatable {
    case notABundle
    case unsupportedVersion(Int)
    case truncated(String)
    case checksumMismatch
    case malformed(line: Int, reason: String)
    case unreadable(path: String)
    case headerMismatch(header: Digest, genesis: Digest)

    public var description: String {
        switch self {
        case .notABundle: return "not a Ledger bundle (the first line is not a ledger-bundle header)"
        case .unsupportedVersion(let version): return "bundle format version \(version) is not supported by this build (it reads version 1)"
        case .truncated(let detail): return "the bundle is truncated (\(detail)); copy or export it again"
        case .checksumMismatch: return "the bundle's checksum does not match its content: the file is damaged or was altered; copy or export it again"
        case .malformed(let line, let reason): return "bundle line \(line): \(reason)"
        case .unreadable(let path): return "cannot read \(path)"
        case .headerMismatch(let header, let genesis):
            return "the bundle's header names ledger \(header.short) but its genesis entry is \(genesis.short): the file was altered; nothing was stored"
        }
    }
}

extension LedgerStore {
    /// A bundle of everything this store holds: HQ's log first, then the other logs by author key.
    public func exportBundle() throws -> LedgerBundle {
        guard let ledgerID, let hqKey else { throw StoreError.notInitialised(path: path) }
        let all = try entries()
        let hqLog = all.filter { $0.author == hqKey }
        let others = all.filter { $0.author != hqKey }
        return LedgerBundle(ledger: ledgerID, entries: hqLog + others, forks: try forkEntries(), payloads: try payloads())
    }
}
