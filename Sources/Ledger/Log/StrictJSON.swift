import Foundation

/// Reads JSON that comes from outside (request bodies, answers from peers, bundle lines, join
/// tokens, campaign files, the peer book) strictly: RFC 8259 JSON in valid UTF-8, **no duplicate
/// member names** in any object (compared after unescaping, so `{"a":1,"\u0061":2}` is refused),
/// nesting at most 64 deep. Then it decodes with `JSONDecoder`.
///
/// Duplicate members are refused because JSON readers disagree about them: Foundation keeps one
/// value, Python's `json` the last, others the first. A bundle line `{"entry":A,"entry":B}` would
/// then hold a different entry for different readers — a hidden fork nobody reports.
///
/// For example:
/// ```swift
/// let batch = try StrictJSON.decode(EntryBatch.self, from: body)
/// ```
public enum StrictJSON {
    /// Why bytes were refused; the message names the place, never the value.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalid(offset: Int)
        case duplicateMember(String)
        case tooDeep
        case mismatch(String)

        public var description: String {
            switch self {
            case .invalid(let offset): return "not valid JSON (at byte \(offset))"
            case .duplicateMember(let name): return "duplicate member \"\(name.prefix(40))\" in a JSON object"
            case .tooDeep: return "JSON nested deeper than 64 levels"
            case .mismatch(let reason): return reason
            }
        }
    }

    /// Checks `bytes` as strict JSON (one value, surrounded by optional whitespace).
    public static func validate<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        var scanner = Scanner(bytes: Array(bytes))
        try scanner.document()
    }

    /// Validates, then decodes `bytes` as `type`.
    public static func decode<Value: Decodable, Bytes: Collection>(_ type: Value.Type, from bytes: Bytes) throws -> Value where Bytes.Element == UInt8 {
        let array = Array(bytes)
        try validate(array)
        do {
            return try JSONDecoder().decode(type, from: Data(array))
        } catch let error as DecodingError {
            throw Failure.mismatch(error.fieldReason)
        }
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var depth = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        func fail() -> Failure { .invalid(offset: index) }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
        }

        mutating func document() throws {
            skipSpace()
            try value()
            skipSpace()
            guard index == bytes.count else { throw fail() }
        }

        mutating func value() throws {
            guard let byte = peek else { throw fail() }
            switch byte {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail()
            }
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else { throw fail() }
            index += expected.count
        }

        mutating func enter() throws {
            depth += 1
            guard depth <= 64 else { throw Failure.tooDeep }
        }

        mutating func object() throws {
            try enter()
            defer { depth -= 1 }
            index += 1
            skipSpace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return
            }
            var names: Set<[UInt8]> = []
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw fail() }
                let name = try string()
                guard names.insert(name).inserted else {
                    throw Failure.duplicateMember(String(decoding: name, as: UTF8.self))
                }
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw fail() }
                index += 1
                skipSpace()
                try value()
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return
                default: throw fail()
                }
            }
        }

        mutating func array() throws {
            try enter()
            defer { depth -= 1 }
            index += 1
            skipSpace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipSpace()
                try value()
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return
                default: throw fail()
                }
            }
        }

        /// Reads a string and returns its unescaped UTF-8 bytes.
        mutating func string() throws -> [UInt8] {
            index += 1
            var out: [UInt8] = []
            while let byte = peek {
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return out
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count else { throw fail() }
                    let escaped = bytes[index + 1]
                    index += 2
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            // A high surrogate must be followed by an escaped low surrogate.
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw fail() }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail() }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw fail()
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw fail() }
                        out.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default:
                        throw fail()
                    }
                case 0x00..<0x20:
                    throw fail()
                case 0x80...:
                    guard let length = utf8Sequence() else { throw fail() }
                    out.append(contentsOf: bytes[index..<index + length])
                    index += length
                default:
                    out.append(byte)
                    index += 1
                }
            }
            throw fail()
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail() }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = bytes[index + offset]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail()
                }
                value = value << 4 | digit
            }
            index += 4
            return value
        }

        /// The length of the valid UTF-8 sequence at `index` (RFC 3629: no overlongs, no surrogates).
        func utf8Sequence() -> Int? {
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

        mutating func number() throws {
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw fail() }
            index += 1
            if first != UInt8(ascii: "0") { digits() }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw fail() }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw fail() }
            }
        }

        @discardableResult
        mutating func digits() -> Int {
            let start = index
            while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }
    }
}

extension DecodingError {
    /// Where and what, without the offending value: `"entries[3]: expected String"`.
    public var fieldReason: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "missing field \(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath).isEmpty ? "the body" : path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath).isEmpty ? "the body" : path(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): invalid value"
        @unknown default:
            return "does not match the expected fields"
        }
    }
}
