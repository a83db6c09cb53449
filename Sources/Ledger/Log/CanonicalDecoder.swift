import Foundation

/// Decodes a `Decodable` value straight from canonical JSON bytes (docs/FORMAT.md section 3),
/// for ``CanonicalJSON/decode(_:from:)``. Every entry's body is decoded when it is appended,
/// received, verified or projected, and Foundation's `JSONDecoder` cost more than storing the
/// entry (docs/PERFORMANCE.md). Canonical JSON has one spelling per value (no whitespace, no
/// `null`, integers only, minimal escapes), so the reader is a small recursive descent into a
/// tree, and the `Decoder` walks the tree.
///
/// It takes only bytes that ``CanonicalJSONValidator`` accepted, and decodes them as
/// `JSONDecoder` does (unknown members are ignored, a missing optional is nil, and a value of
/// the wrong JSON type, an integer out of the field's range or an unknown enumeration value
/// throws), with one difference that docs/FORMAT.md section 4 asks for: field names are exact,
/// matched byte for byte. `JSONDecoder` finds members by `String` equality, Unicode canonical
/// equivalence, so it read a member spelled with the Kelvin sign U+212A as `hqKey`, where
/// tools/verify_bundle.py (and any byte-comparing reader) sees an unknown member and a missing
/// field: two verifiers disagreeing about one entry (vector `body-genesis-key-kelvin-sign`).
/// `CanonicalDecoderTests` checks it against `JSONDecoder` on every test vector and on mutated
/// bodies.
enum CanonicalDecoder {
    indirect enum Node {
        case object([(key: String, value: Node)])
        case array([Node])
        case string(String)
        case integer(Int64)
        case bool(Bool)

        var kind: String {
            switch self {
            case .object: return "an object"
            case .array: return "an array"
            case .string: return "a string"
            case .integer: return "a number"
            case .bool: return "a boolean"
            }
        }
    }

    /// Decodes `bytes`, which must be canonical (checked by the caller).
    static func decode<Value: Decodable>(_ type: Value.Type, fromCanonical bytes: [UInt8]) throws -> Value {
        if Value.self == SignatureRecorded.self, let value = try SignatureRecorded(canonical: bytes) as? Value { return value }
        return try decodeTree(type, fromCanonical: bytes)
    }

    /// ``decode(_:fromCanonical:)`` through the tree, for every type (the tests compare it with
    /// the one-pass path of ``SignatureRecorded``).
    static func decodeTree<Value: Decodable>(_ type: Value.Type, fromCanonical bytes: [UInt8]) throws -> Value {
        var reader = Reader(bytes: bytes)
        let root = try reader.value()
        return try Value(from: TreeDecoder(node: root, codingPath: []))
    }

    /// Reads checked canonical JSON into a ``Node`` tree.
    struct Reader {
        let bytes: [UInt8]
        var index = 0

        func failure() -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not canonical JSON at byte \(index)"))
        }

        mutating func value() throws -> Node {
            guard index < bytes.count else { throw failure() }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: Node)] = []
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    let key = try string()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure() }
                    index += 1
                    members.append((key, try value()))
                    guard index < bytes.count else { throw failure() }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { throw failure() }
                    index += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [Node] = []
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                }
                while true {
                    items.append(try value())
                    guard index < bytes.count else { throw failure() }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { throw failure() }
                    index += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                index += 4
                return .bool(true)
            case UInt8(ascii: "f"):
                index += 5
                return .bool(false)
            default:
                return .integer(try integer())
            }
        }

        /// An integer: `-`? digits, within Int64 (the validator checked both).
        mutating func integer() throws -> Int64 {
            var negative = false
            if bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            var magnitude: UInt64 = 0
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                guard !overflow, !carry else { throw failure() }
                magnitude = sum
                index += 1
            }
            guard index > start else { throw failure() }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { throw failure() }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { throw failure() }
            return Int64(magnitude)
        }

        /// A string at `index` (its opening quote), escapes undone.
        private mutating func string() throws -> String {
            let (range, escaped) = try stringRange()
            if !escaped {
                // Most strings have no escape: one copy of the bytes between the quotes.
                return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
            }
            return String(decoding: Array(CanonicalJSONValidator.UnescapedBytes(bytes: bytes, index: range.lowerBound, end: range.upperBound)), as: UTF8.self)
        }

        /// The bytes between the quotes of the string at `index` (its opening quote), and
        /// whether they hold an escape; `index` moves past the closing quote.
        mutating func stringRange() throws -> (Range<Int>, escaped: Bool) {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure() }
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count else { throw failure() }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return (start..<index - 1, false)
            }
            // An escape: find the closing quote (an escape's second byte is never a bare
            // quote that ends the string).
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { throw failure() }
            index += 1
            return (start..<index - 1, true)
        }
    }

    // MARK: - The Decoder

    struct TreeDecoder: Decoder {
        let node: Node
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let members) = node else { throw mismatch([String: Int].self, node, codingPath) }
            return KeyedDecodingContainer(Keyed<Key>(members: members, codingPath: codingPath))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let items) = node else { throw mismatch([Int].self, node, codingPath) }
            return Unkeyed(items: items, codingPath: codingPath)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            Single(node: node, codingPath: codingPath)
        }
    }

    /// True when `text`'s UTF-8 bytes are `bytes`: one comparison of contiguous memory, where
    /// `elementsEqual` of two UTF-8 views (a generic loop) was a tenth of an ingest's Swift time.
    static func sameBytes(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.utf8.count == bytes.count else { return false }
        guard let wanted = bytes.baseAddress else { return true }  // both empty
        var text = text
        return text.withUTF8 { own in own.baseAddress.map { memcmp($0, wanted, bytes.count) == 0 } ?? false }
    }

    static func mismatch(_ type: Any.Type, _ node: Node, _ path: [any CodingKey]) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(type), found \(node.kind)"))
    }

    /// A leaf value as `type`: the JSON types `JSONDecoder` accepts for it, nothing else. The
    /// coding path is only built when needed (an error, a nested value): building it for every
    /// member cost a fifth of a body's decoding.
    static func primitive<T: Decodable>(_ type: T.Type, _ node: Node, _ path: () -> [any CodingKey]) throws -> T {
        switch node {
        case .string(let text):
            if T.self == String.self { return text as! T }
        case .bool(let flag):
            if T.self == Bool.self { return flag as! T }
        case .integer(let number):
            if T.self == Int64.self { return number as! T }
            if let value = try integer(number, as: type, path()) { return value }
        default:
            break
        }
        return try T(from: TreeDecoder(node: node, codingPath: path()))
    }

    /// `number` as an integer or floating-point type `T`; throws when it does not fit; nil when
    /// `T` is not a number type.
    private static func integer<T>(_ number: Int64, as type: T.Type, _ path: [any CodingKey]) throws -> T? {
        func fit<I: FixedWidthInteger>(_: I.Type) throws -> I {
            guard let value = I(exactly: number) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "number \(number) does not fit in \(I.self)"))
            }
            return value
        }
        switch type {
        case is Int64.Type: return number as? T
        case is Int.Type: return try fit(Int.self) as? T
        case is Int32.Type: return try fit(Int32.self) as? T
        case is Int16.Type: return try fit(Int16.self) as? T
        case is Int8.Type: return try fit(Int8.self) as? T
        case is UInt64.Type: return try fit(UInt64.self) as? T
        case is UInt.Type: return try fit(UInt.self) as? T
        case is UInt32.Type: return try fit(UInt32.self) as? T
        case is UInt16.Type: return try fit(UInt16.self) as? T
        case is UInt8.Type: return try fit(UInt8.self) as? T
        case is Double.Type: return Double(number) as? T
        case is Float.Type: return Float(number) as? T
        default: return nil
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [(key: String, value: Node)]
        let codingPath: [any CodingKey]

        var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

        /// The member named exactly `key` (UTF-8 bytes equal, not canonical equivalence).
        private func find(_ key: Key) -> Node? {
            var name = key.stringValue
            return name.withUTF8 { wanted in
                members.first { CanonicalDecoder.sameBytes($0.key, wanted) }?.value
            }
        }

        func contains(_ key: Key) -> Bool { find(key) != nil }

        private func value(_ key: Key) throws -> Node {
            guard let node = find(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no member \"\(key.stringValue)\""))
            }
            return node
        }

        // Canonical JSON has no null: a member that is present is never nil.
        func decodeNil(forKey key: Key) throws -> Bool {
            _ = try value(key)
            return false
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try CanonicalDecoder.primitive(type, try value(key), { codingPath + [key] })
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try TreeDecoder(node: try value(key), codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try TreeDecoder(node: try value(key), codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "no super decoder in canonical bodies"))
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            TreeDecoder(node: try value(key), codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [Node]
        let codingPath: [any CodingKey]
        private(set) var currentIndex = 0

        init(items: [Node], codingPath: [any CodingKey]) {
            self.items = items
            self.codingPath = codingPath
        }

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private struct Index: CodingKey {
            var intValue: Int?
            var stringValue: String { "Index \(intValue ?? 0)" }
            init(intValue: Int) { self.intValue = intValue }
            init?(stringValue: String) { nil }
        }

        private mutating func next() throws -> (Node, [any CodingKey]) {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array has no more items"))
            }
            defer { currentIndex += 1 }
            return (items[currentIndex], codingPath + [Index(intValue: currentIndex)] as [any CodingKey])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array has no more items"))
            }
            return false
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (node, path) = try next()
            return try CanonicalDecoder.primitive(type, node, { path })
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let (node, path) = try next()
            return try TreeDecoder(node: node, codingPath: path).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let (node, path) = try next()
            return try TreeDecoder(node: node, codingPath: path).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            let (node, path) = try next()
            return TreeDecoder(node: node, codingPath: path)
        }
    }

    struct Single: SingleValueDecodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        func decodeNil() -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            switch node {
            case .string(let text):
                if let value = text as? T { return value }
            case .bool(let flag):
                if let value = flag as? T { return value }
            case .integer(let number):
                if let value = try CanonicalDecoder.integer(number, as: type, codingPath) { return value }
            default:
                break
            }
            // A primitive asked of the wrong JSON type; anything else decodes itself (an enum
            // with a raw value asks this container for its raw value, through here again).
            if T.self == String.self || T.self == Bool.self || isNumber(T.self) {
                throw CanonicalDecoder.mismatch(type, node, codingPath)
            }
            return try T(from: TreeDecoder(node: node, codingPath: codingPath))
        }

        private func isNumber(_ type: Any.Type) -> Bool {
            type is any FixedWidthInteger.Type || type is any BinaryFloatingPoint.Type
        }
    }
}
