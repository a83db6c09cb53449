import Crypto

/// The code a signer takes home: 80 random bits in Crockford base32, as `XXXX-XXXX-XXXX-XXXX`.
///
/// The ledger holds only its hash (docs/FORMAT.md, "Receipt codes"); presenting the code
/// withdraws the signature.
public struct ReceiptCode: Equatable, Sendable, CustomStringConvertible {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The 16 symbols, upper case, without dashes.
    public let symbols: String

    /// A fresh random code.
    public init() {
        var random = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 10)
        for index in bytes.indices { bytes[index] = random.next() }
        var bits: UInt128 = 0
        for byte in bytes { bits = bits << 8 | UInt128(byte) }
        var out = [UInt8]()
        for index in (0..<16).reversed() {
            out.append(ReceiptCode.alphabet[Int((bits >> UInt128(index * 5)) & 31)])
        }
        symbols = String(decoding: out, as: UTF8.self)
    }

    /// Parses a code as a person types it: case-insensitive, dashes and spaces ignored,
    /// `O` read as `0`, `I` and `L` as `1`. Nil unless exactly 16 valid symbols remain.
    public init?(parsing text: String) {
        guard let symbols = Self.typedSymbols(text, count: 16) else { return nil }
        self.symbols = symbols
    }

    /// Symbols of the alphabet as a person types them (docs/FORMAT.md section 5): case-insensitive,
    /// dashes and spaces ignored, `O` read as `0`, `I` and `L` as `1`. Nil unless exactly `count`
    /// symbols remain. Receipt codes and paper lists' check codes (``PaperCheckCode``) read this way.
    static func typedSymbols(_ text: String, count: Int) -> String? {
        var out = [UInt8]()
        for char in text.uppercased().utf8 {
            switch char {
            case UInt8(ascii: "-"), UInt8(ascii: " "): continue
            case UInt8(ascii: "O"): out.append(UInt8(ascii: "0"))
            case UInt8(ascii: "I"), UInt8(ascii: "L"): out.append(UInt8(ascii: "1"))
            default:
                guard ReceiptCode.alphabet.contains(char), out.count <= count else { return nil }
                out.append(char)
            }
        }
        return out.count == count ? String(decoding: out, as: UTF8.self) : nil
    }

    /// `XXXX-XXXX-XXXX-XXXX`
    public var description: String {
        let chars = Array(symbols)
        return stride(from: 0, to: 16, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// `SHA-256("ledger.receipt.v1" || 0x00 || ledger id || symbols)`.
    public func hash(ledger: Digest) -> Digest {
        Digest.sha256(Array("ledger.receipt.v1".utf8) + [0] + ledger.bytes + Array(symbols.utf8))
    }
}
