import Foundation

/// `signature.recorded` bodies, nearly every entry of a ledger, read in one pass over their
/// canonical bytes: no tree, no `Decoder` containers. ``CanonicalDecoder/decode(_:fromCanonical:)``
/// takes this path for ``SignatureRecorded``; it cost a tenth of an ingest's and of a full
/// audit's time (docs/PERFORMANCE.md). It decodes exactly as the tree decoder does (which
/// decodes as `JSONDecoder` does): unknown members ignored, a missing optional is nil, a
/// missing required field, a value of the wrong JSON type or an unknown channel throws, field
/// names matched byte for byte. `CanonicalDecoderTests` checks both against `JSONDecoder` on
/// every test vector and thousands of mutations.
extension CanonicalDecoder {
    /// A member's value, read in place.
    enum MemberValue {
        /// A string's bytes between the quotes, and whether it holds an escape.
        case string(Range<Int>, escaped: Bool)
        case integer(Int64)
        case bool(Bool)
        /// An object or an array: never a field of a flat body.
        case nested(String)

        var kind: String {
            switch self {
            case .string: return "a string"
            case .integer: return "a number"
            case .bool: return "a boolean"
            case .nested(let kind): return kind
            }
        }
    }

    /// Calls `body` with each top-level member of the canonical object `bytes`: its name's
    /// bytes (between the quotes; names of format 1 have no escapes, and a name with one matches
    /// no field) and its value.
    static func forEachMember(of bytes: [UInt8], _ body: (Range<Int>, MemberValue) throws -> Void) throws {
        var reader = Reader(bytes: bytes)
        try reader.members(body)
    }

    /// The string a member holds, escapes undone; throws unless the value is a string.
    static func string(_ value: MemberValue, in bytes: [UInt8], key: String) throws -> String {
        guard case .string(let range, let escaped) = value else { throw mismatch(String.self, value, key: key) }
        if escaped {
            return String(decoding: Array(CanonicalJSONValidator.UnescapedBytes(bytes: bytes, index: range.lowerBound, end: range.upperBound)), as: UTF8.self)
        }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    static func mismatch(_ type: Any.Type, _ value: MemberValue, key: String) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "\(key): expected \(type), found \(value.kind)"))
    }

    static func missing(_ key: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no member \"\(key)\""))
    }
}

extension CanonicalDecoder.Reader {
    /// Reads the object at the start of `bytes` member by member (see
    /// ``CanonicalDecoder/forEachMember(of:_:)``).
    mutating func members(_ body: (Range<Int>, CanonicalDecoder.MemberValue) throws -> Void) throws {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw failure() }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return }
        while true {
            let (name, _) = try stringRange()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure() }
            index += 1
            guard index < bytes.count else { throw failure() }
            let value: CanonicalDecoder.MemberValue
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let (range, escaped) = try stringRange()
                value = .string(range, escaped: escaped)
            case UInt8(ascii: "t"):
                index += 4
                value = .bool(true)
            case UInt8(ascii: "f"):
                index += 5
                value = .bool(false)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let kind = bytes[index] == UInt8(ascii: "{") ? "an object" : "an array"
                _ = try self.value()
                value = .nested(kind)
            default:
                value = .integer(try integer())
            }
            try body(name, value)
            guard index < bytes.count else { throw failure() }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { throw failure() }
            index += 1
            return
        }
    }
}

extension SignatureRecorded {
    /// Decodes canonical bytes (checked by the caller) in one pass; see the extension of
    /// ``CanonicalDecoder`` above.
    init(canonical bytes: [UInt8]) throws {
        var campaign: String?, campaignVersion: String?, channel: Channel?, paperList: Int64?, paperRow: Int64?
        var country: String?, postcodeArea: String?, consentContact: Bool?, signer: String?, receiptHash: String?
        try CanonicalDecoder.forEachMember(of: bytes) { name, value in
            func text(_ key: String) throws -> String { try CanonicalDecoder.string(value, in: bytes, key: key) }
            func number(_ key: String) throws -> Int64 {
                guard case .integer(let number) = value else { throw CanonicalDecoder.mismatch(Int64.self, value, key: key) }
                return number
            }
            // The first member of a name counts, as the tree decoder's search finds it.
            switch Self.field(bytes, name) {
            case .campaign? where campaign == nil: campaign = try text("campaign")
            case .campaignVersion? where campaignVersion == nil: campaignVersion = try text("campaignVersion")
            case .channel? where channel == nil:
                let raw = try text("channel")
                guard let known = Channel(rawValue: raw) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "channel: unknown value"))
                }
                channel = known
            case .paperList? where paperList == nil: paperList = try number("paperList")
            case .paperRow? where paperRow == nil: paperRow = try number("paperRow")
            case .country? where country == nil: country = try text("country")
            case .postcodeArea? where postcodeArea == nil: postcodeArea = try text("postcodeArea")
            case .consentContact? where consentContact == nil:
                guard case .bool(let flag) = value else { throw CanonicalDecoder.mismatch(Bool.self, value, key: "consentContact") }
                consentContact = flag
            case .signer? where signer == nil: signer = try text("signer")
            case .receiptHash? where receiptHash == nil: receiptHash = try text("receiptHash")
            default: break  // an unknown member, or a second one of a name
            }
        }
        guard let campaign else { throw CanonicalDecoder.missing("campaign") }
        guard let campaignVersion else { throw CanonicalDecoder.missing("campaignVersion") }
        guard let channel else { throw CanonicalDecoder.missing("channel") }
        guard let consentContact else { throw CanonicalDecoder.missing("consentContact") }
        guard let receiptHash else { throw CanonicalDecoder.missing("receiptHash") }
        self.init(campaign: campaign, campaignVersion: campaignVersion, channel: channel, paperList: paperList, country: country,
                  postcodeArea: postcodeArea, consentContact: consentContact, signer: signer, receiptHash: receiptHash)
        self.paperRow = paperRow
    }

    /// The field a member name's bytes spell exactly, or nil.
    private static func field(_ bytes: [UInt8], _ name: Range<Int>) -> Field? {
        bytes.withUnsafeBufferPointer { buffer in
            let slice = UnsafeBufferPointer(rebasing: buffer[name])
            for key in Self.fieldNames where CanonicalDecoder.sameBytes(key.name, slice) { return key.field }
            return nil
        }
    }

    private enum Field {
        case campaign, campaignVersion, channel, paperList, paperRow, country, postcodeArea, consentContact, signer, receiptHash
    }

    private static let fieldNames: [(name: String, field: Field)] = [
        ("campaign", .campaign), ("campaignVersion", .campaignVersion), ("channel", .channel), ("paperList", .paperList),
        ("paperRow", .paperRow), ("country", .country), ("postcodeArea", .postcodeArea), ("consentContact", .consentContact),
        ("signer", .signer), ("receiptHash", .receiptHash),
    ]
}
