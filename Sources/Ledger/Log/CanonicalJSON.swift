import Foundation

/// A JSON value restricted to what entry bodies may hold: objects, arrays, strings, integers, booleans.
///
/// Bodies are written in the canonical form of docs/FORMAT.md ("Bodies"): keys sorted, no whitespace,
/// minimal string escapes, integers only. `JSONEncoder` output is never signed; it is parsed into this
/// tree and written again by ``canonicalBytes``.
public indirect enum JSONValue: Equatable, Sendable, Codable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "only integers are allowed as numbers in a body")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The canonical UTF-8 bytes of this value.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for key in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]?.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let value):
            JSONValue.writeString(value, into: &out)
        case .integer(let value):
            out.append(contentsOf: Array(String(value).utf8))
        case .bool(let value):
            out.append(contentsOf: Array((value ? "true" : "false").utf8))
        case .null:
            out.append(contentsOf: Array("null".utf8))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0c: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0a: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Encodes and decodes typed bodies through the canonical JSON form.
public enum CanonicalJSON {
    /// The canonical bytes of a `Codable` value. `JSONEncoder`'s output is used only when the
    /// validator confirms it is already canonical; otherwise it is rewritten through ``JSONValue``.
    public static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        let bytes = Array(data)
        if CanonicalJSONValidator.isCanonicalObject(bytes) { return bytes }
        let tree = try JSONDecoder().decode(JSONValue.self, from: data)
        return tree.canonicalBytes
    }

    /// Decodes a typed value from body bytes. It does not require them to be canonical: a
    /// verifier calls ``isCanonical(_:)`` first (`EntryVerifier.checkContent` does). Canonical
    /// bytes are read by ``CanonicalDecoder`` (several times faster), others by `JSONDecoder`;
    /// both give the same value for canonical bytes.
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        guard CanonicalJSONValidator.isCanonicalObject(bytes) else { return try JSONDecoder().decode(Value.self, from: Data(bytes)) }
        return try CanonicalDecoder.decode(type, fromCanonical: bytes)
    }

    /// True when `bytes` are a JSON object in canonical form (docs/FORMAT.md section 3).
    public static func isCanonical(_ bytes: [UInt8]) -> Bool {
        CanonicalJSONValidator.isCanonicalObject(bytes)
    }
}
