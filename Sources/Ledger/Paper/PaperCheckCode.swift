/// The check code printed beside a paper list's number (docs/FORMAT.md section 4, `paper.issued`):
/// the first 25 bits of the list's `paper.issued` entry id, most significant first, as 5 symbols
/// of the receipt alphabet (section 5). Whoever types a list in gives its number and this code;
/// a mistyped number, or a number HQ never issued, does not match.
///
/// For example:
/// ```swift
/// let code = PaperCheckCode.of(issuance: entry.id)      // "K3F9A"
/// PaperCheckCode.normalised("k3f-9a") == code            // true
/// ```
public enum PaperCheckCode {
    /// Symbols in a check code.
    public static let length = 5

    /// The check code of the list issued by the `paper.issued` entry `id`.
    public static func of(issuance id: Digest) -> String {
        let bytes = id.bytes
        let bits = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        let symbols = (0..<length).map { index in ReceiptCode.alphabet[Int((bits >> UInt32(27 - 5 * index)) & 31)] }
        return String(decoding: symbols, as: UTF8.self)
    }

    /// A typed code as stored symbols: case ignored, dashes and spaces dropped, `O` read as `0`,
    /// `I` and `L` as `1` (as receipt codes, section 5); nil unless 5 symbols remain.
    public static func normalised(_ typed: String) -> String? {
        ReceiptCode.typedSymbols(typed, count: length)
    }
}
