/// A single-pass check that bytes are canonical JSON as docs/FORMAT.md section 3 defines it:
/// an object at the top; no whitespace; object keys in strictly increasing order of their
/// decoded UTF-8 bytes (sorted, no duplicates), and no two of them one Swift `String` (Unicode
/// canonical equivalence); integers only, without leading zeros, within Int64; `true`/`false`
/// but no `null`; strings in valid UTF-8 with only the minimal escapes (`\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`, and `\u00xx` in lower-case hex for the other control characters).
///
/// It allocates nothing (except to compare non-ASCII keys, which format 1 never has), so full
/// verification can check every body without building a tree.
struct CanonicalJSONValidator {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    static func isCanonicalObject(_ bytes: [UInt8]) -> Bool {
        var validator = CanonicalJSONValidator(bytes: bytes)
        guard validator.peek == UInt8(ascii: "{"), validator.value() else { return false }
        return validator.index == bytes.count
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func value() -> Bool {
        guard let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    private mutating func literal(_ word: String) -> Bool {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else { return false }
        index += expected.count
        return true
    }

    private mutating func object() -> Bool {
        depth += 1
        guard depth <= 64 else { return false }
        defer { depth -= 1 }
        let start = index
        index += 1  // {
        if peek == UInt8(ascii: "}") {
            index += 1
            return true
        }
        var previous: Range<Int>?
        var nonASCIIKey = false
        while true {
            guard peek == UInt8(ascii: "\""), let key = string() else { return false }
            nonASCIIKey = nonASCIIKey || bytes[key].contains { $0 >= 0x80 }
            if let previous {
                // Keys are ordered by the UTF-8 bytes of their decoded text, as the writer and
                // Python's sort_keys order them: an escape counts as the byte it stands for
                // ("\n" sorts before "A"). Strictly increasing means sorted and unique.
                guard keyText(previous).lexicographicallyPrecedes(keyText(key)) else { return false }
            }
            previous = key
            guard peek == UInt8(ascii: ":") else { return false }
            index += 1
            guard value() else { return false }
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                // Two different byte strings can be one Swift String ("e" + U+0301 and "é", "K"
                // and the Kelvin sign U+212A): JSONDecoder would merge such keys into one member,
                // and read another value than a verifier that compares bytes. Only keys with
                // non-ASCII bytes can be canonically equivalent, and format 1 has none.
                return !nonASCIIKey || Self.keysAreDistinctStrings(bytes, objectAt: start)
            default: return false
            }
        }
    }

    /// True when no two keys of the checked object at `start` are equal as Swift strings
    /// (Unicode canonical equivalence).
    private static func keysAreDistinctStrings(_ bytes: [UInt8], objectAt start: Int) -> Bool {
        var walker = CanonicalJSONValidator(bytes: bytes)
        walker.index = start + 1
        var keys = Set<String>()
        var count = 0
        while walker.peek == UInt8(ascii: "\""), let key = walker.string() {
            keys.insert(String(decoding: Array(walker.keyText(key)), as: UTF8.self))
            count += 1
            walker.index += 1  // :
            guard walker.value(), walker.peek == UInt8(ascii: ",") else { break }
            walker.index += 1
        }
        return keys.count == count
    }

    private mutating func array() -> Bool {
        depth += 1
        guard depth <= 64 else { return false }
        defer { depth -= 1 }
        index += 1  // [
        if peek == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard value() else { return false }
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return true
            default: return false
            }
        }
    }

    /// Checks a string; returns the range of its content (between the quotes).
    private mutating func string() -> Range<Int>? {
        index += 1  // "
        let start = index
        while let byte = peek {
            switch byte {
            case UInt8(ascii: "\""):
                let range = start..<index
                index += 1
                return range
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                let escaped = bytes[index + 1]
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    // Only \u00xx for control characters without a short form, lower-case hex.
                    guard index + 5 < bytes.count, bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0"),
                          let high = Self.lowerHex(bytes[index + 4]), let low = Self.lowerHex(bytes[index + 5]) else { return nil }
                    let code = high << 4 | low
                    guard code < 0x20, ![0x08, 0x09, 0x0a, 0x0c, 0x0d].contains(code) else { return nil }
                    index += 6
                default:
                    return nil
                }
            case 0x00..<0x20:
                return nil
            case 0x80...:
                guard let length = utf8Sequence() else { return nil }
                index += length
            default:
                index += 1
            }
        }
        return nil
    }

    /// The decoded bytes of a key that ``string()`` already checked, without allocating.
    private func keyText(_ range: Range<Int>) -> UnescapedBytes {
        UnescapedBytes(bytes: bytes, index: range.lowerBound, end: range.upperBound)
    }

    /// The bytes of a checked string's content with its escapes undone; an escape is always one
    /// of the canonical ones, which stand for one byte each.
    struct UnescapedBytes: Sequence, IteratorProtocol {
        let bytes: [UInt8]
        var index: Int
        let end: Int

        mutating func next() -> UInt8? {
            guard index < end else { return nil }
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                return byte
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): return 0x08
            case UInt8(ascii: "f"): return 0x0c
            case UInt8(ascii: "n"): return 0x0a
            case UInt8(ascii: "r"): return 0x0d
            case UInt8(ascii: "t"): return 0x09
            case UInt8(ascii: "u"):
                // \u00xx, lower-case hex, checked by string()
                let code = (CanonicalJSONValidator.lowerHex(bytes[index + 2]) ?? 0) << 4 | (CanonicalJSONValidator.lowerHex(bytes[index + 3]) ?? 0)
                index += 4
                return code
            default: return escaped  // \" and \\
            }
        }
    }

    /// The length of the valid UTF-8 sequence at `index` (RFC 3629: no overlongs, no surrogates).
    private func utf8Sequence() -> Int? {
        let first = bytes[index]
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index + offset < bytes.count && range.contains(bytes[index + offset])
        }
        switch first {
        case 0xC2...0xDF: return continuation(1) ? 2 : nil
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : nil
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : nil
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : nil
        default: return nil
        }
    }

    private static func lowerHex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    private mutating func number() -> Bool {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) { return false }
            // "-0" is not canonical: zero has no sign.
            return !(index - start == 2 && bytes[start] == UInt8(ascii: "-")) && !isFractionOrExponent
        }
        while let digit = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) { index += 1 }
        guard !isFractionOrExponent, index - start <= 20 else { return false }
        return Int64(String(decoding: bytes[start..<index], as: UTF8.self)) != nil
    }

    private var isFractionOrExponent: Bool {
        guard let next = peek else { return false }
        return next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E")
    }
}
