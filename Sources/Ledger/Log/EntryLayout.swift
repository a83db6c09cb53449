/// Where the fields of an entry's canonical bytes are (docs/FORMAT.md, "Entries"), read in place
/// without copying or allocating: the fast audit reads a store's rows through it.
///
/// It accepts exactly the bytes ``Entry/init(bytes:)`` accepts (a test compares the two on every
/// vector and thousands of mutations); it only does not make the `Entry`. Offsets are into the
/// buffer given to ``init(_:)``.
///
/// For example:
/// ```swift
/// entry.bytes.withUnsafeBytes { raw in EntryLayout(raw)?.sequence }
/// ```
struct EntryLayout {
    static let ledgerOffset = 1
    static let authorOffset = 33
    static let sequenceOffset = 65
    static let previousOffset = 73
    static let wallOffset = 105
    static let counterOffset = 113
    static let typeLengthOffset = 117
    static let typeOffset = 118

    let sequence: UInt64
    let wall: UInt64
    let counter: UInt32
    let typeLength: Int
    /// Offset of the payload digest, or nil when the entry has none.
    let payloadOffset: Int?
    /// Length of the signed part (everything before the 64-byte signature).
    let signedLength: Int

    var timestamp: HLCTimestamp { HLCTimestamp(wall: wall, counter: counter) }

    /// Nil when the bytes are not a well-formed entry (``Entry/init(bytes:)`` says why).
    init?(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count > EntryLayout.typeOffset, bytes[0] == Entry.version else { return nil }
        let sequence = EntryLayout.u64(bytes, at: EntryLayout.sequenceOffset)
        guard sequence >= 1, sequence <= Entry.maxSequence else { return nil }
        let wall = EntryLayout.u64(bytes, at: EntryLayout.wallOffset)
        guard wall <= Entry.maxSequence else { return nil }
        let typeLength = Int(bytes[EntryLayout.typeLengthOffset])
        var offset = EntryLayout.typeOffset
        guard count >= offset + typeLength,
              Entry.isValidType(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + typeLength])) else { return nil }
        offset += typeLength
        guard count >= offset + 4 else { return nil }
        let bodyLength = Int(EntryLayout.u32(bytes, at: offset))
        guard bodyLength <= Entry.maxBodySize else { return nil }
        offset += 4
        guard count >= offset + bodyLength + 1 else { return nil }
        offset += bodyLength
        let flag = bytes[offset]
        offset += 1
        switch flag {
        case 0:
            payloadOffset = nil
        case 1:
            guard count >= offset + 32 else { return nil }
            payloadOffset = offset
            offset += 32
        default:
            return nil
        }
        guard count == offset + 64 else { return nil }
        self.sequence = sequence
        self.wall = wall
        self.counter = EntryLayout.u32(bytes, at: EntryLayout.counterOffset)
        self.typeLength = typeLength
        self.signedLength = offset
    }

    static func u64(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<offset + 8 { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    static func u32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in offset..<offset + 4 { value = value << 8 | UInt32(bytes[index]) }
        return value
    }
}
