import Foundation
import Ledger

/// `canonical-json`: the body checks of docs/FORMAT.md section 3. `CanonicalJSON.isCanonical`,
/// decoding into `JSONValue` and into every event type's body, and `JSONValue.canonicalBytes`.
///
/// Rules:
/// - bytes the validator calls canonical decode, and writing the decoded value gives the same
///   bytes (the validator and the writer agree on one form, so a verifier that re-serialises,
///   like tools/verify_bundle.py, and one that validates in place reach the same verdict);
/// - what the writer produces from any decoded object (without `null`, within the validator's
///   nesting limit) is canonical;
/// - canonical bytes decode as `signature.recorded` (the one-pass reader) exactly as
///   `JSONDecoder` decodes them: the same value, or a failure for both. (None of its field names
///   has a `K`, the one ASCII letter a non-ASCII character is canonically equivalent to, so the
///   byte-exact names and `JSONDecoder`'s `String` equality agree.)
enum CanonicalJSONTarget {
    static let target = FuzzTarget(name: "canonical-json", summary: "CanonicalJSON.isCanonical, decode and canonicalBytes", run: run)

    static func run(_ bytes: [UInt8]) {
        let canonical = CanonicalJSON.isCanonical(bytes)
        let value = try? CanonicalJSON.decode(JSONValue.self, from: bytes)
        if canonical {
            require(value != nil, "canonical bytes decode")
            require(value?.canonicalBytes == bytes, "canonical bytes are what the writer writes for their value")
        }
        if let value, case .object = value, !value.containsNull, value.depth <= 64 {
            require(CanonicalJSON.isCanonical(value.canonicalBytes), "the writer's output is canonical")
        }
        if canonical {
            let onePass = try? CanonicalJSON.decode(SignatureRecorded.self, from: bytes)
            let reference = try? JSONDecoder().decode(SignatureRecorded.self, from: Data(bytes))
            require(onePass == reference, "signature.recorded decodes as with JSONDecoder")
        }
        for type in EventType.allCases {
            _ = try? CanonicalJSON.decode(type.bodyType, from: bytes)
        }
    }
}

extension JSONValue {
    var containsNull: Bool {
        switch self {
        case .null: return true
        case .object(let members): return members.values.contains { $0.containsNull }
        case .array(let items): return items.contains { $0.containsNull }
        case .string, .integer, .bool: return false
        }
    }

    /// Open objects and arrays, counting this one, as the validator counts them.
    var depth: Int {
        switch self {
        case .object(let members): return 1 + (members.values.map(\.depth).max() ?? 0)
        case .array(let items): return 1 + (items.map(\.depth).max() ?? 0)
        case .string, .integer, .bool, .null: return 0
        }
    }
}
