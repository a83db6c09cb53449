/// Malformed input: bytes that are not a well-formed entry, bundle or body.
///
/// Distinct from ``VerificationFailure``: a malformed entry cannot even be read; a verification
/// failure is a well-formed entry whose id, signature or chain does not check out.
public enum FormatError: Error, Equatable, CustomStringConvertible {
    case truncated(field: String)
    case unsupportedVersion(UInt8)
    case invalidType(String)
    case bodyTooLarge(Int)
    case bodyNotCanonical
    case invalidPayloadFlag(UInt8)
    case trailingBytes(Int)
    case invalidSequence
    case outOfRange(field: String)
    case invalidBody(type: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let field): return "entry is truncated (ends inside field '\(field)')"
        case .unsupportedVersion(let version): return "unsupported entry format version \(version) (this build reads version 1)"
        case .invalidType(let type): return "invalid entry type '\(type)'"
        case .bodyTooLarge(let size): return "entry body of \(size) bytes exceeds the limit of \(Entry.maxBodySize)"
        case .bodyNotCanonical: return "entry body is not canonical JSON"
        case .invalidPayloadFlag(let flag): return "invalid payload flag \(flag) (expected 0 or 1)"
        case .trailingBytes(let count): return "\(count) unexpected bytes after the signature"
        case .invalidSequence: return "sequence number must be at least 1"
        case .outOfRange(let field): return "\(field) is above 2^63 - 1, the largest value format 1 allows"
        case .invalidBody(let type, let reason): return "body of \(type) entry is invalid: \(reason)"
        }
    }
}
