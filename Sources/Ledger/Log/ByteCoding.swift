/// Big-endian writer for the canonical entry encoding.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xff)) }
    }

    mutating func raw<Bytes: Sequence>(_ value: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: value)
    }
}

/// Big-endian reader; every read fails with ``FormatError/truncated`` past the end.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func u8(_ field: String) throws -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32(_ field: String) throws -> UInt32 {
        try need(4, field)
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(bytes[offset + index]) }
        offset += 4
        return value
    }

    mutating func u64(_ field: String) throws -> UInt64 {
        try need(8, field)
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += 8
        return value
    }

    mutating func raw(_ count: Int, _ field: String) throws -> [UInt8] {
        try need(count, field)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    private func need(_ count: Int, _ field: String) throws {
        guard remaining >= count else { throw FormatError.truncated(field: field) }
    }
}

/// Big-endian integers of fixed width, for short fixed layouts (note key IDs, cosignature times).
enum ByteCoding {
    static func u32(_ value: UInt32) -> [UInt8] {
        var writer = ByteWriter(capacity: 4)
        writer.u32(value)
        return writer.bytes
    }

    static func u64(_ value: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 8)
        writer.u64(value)
        return writer.bytes
    }

    /// The u32 at `offset`; the caller checks that 4 bytes are there.
    static func readU32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The u64 at `offset`; the caller checks that 8 bytes are there.
    static func readU64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
