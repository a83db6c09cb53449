import Crypto
import Foundation

/// One pass of the audit over the entries table in log order (author, then sequence), or over one
/// range of it: the checks of each row that need only the row and the entry before it (docs/FORMAT.md
/// section 8: parse, id, stored columns, link, and in fast mode the ledger field). The audit runs
/// one scan over the whole table (full mode), or one per range on every core (fast mode).
///
/// A scan of a later range starts from the last well-formed entry before its range (`previous`,
/// marked inherited): the scan of the range before closed that entry's log, so this one neither
/// closes it again nor counts it, and says whether its first entry continues that log
/// (``continuesInherited``) so that the merge drops the head the range before reported for it.
struct LogScan {
    /// The columns `row(_:_:)` reads, in order.
    static let columns = "id, author, sequence, type, payload_digest, bytes, rowid"

    let mode: VerificationMode
    /// The reader the rows come from (a closed log's last entry is read again from it), and its file.
    let db: SQLiteConnection
    let path: String
    let ledger: Digest
    let hq: PublicKey
    /// The last well-formed entry read.
    var previous = PreviousEntry()
    /// True while `previous` came from before this scan's range and no well-formed entry was read.
    var inherited = false
    /// True when the first well-formed entry of this range is in `previous`'s log.
    var continuesInherited = false
    var entries = 0
    var logs = 0
    var faults: [EntryFault] = []
    /// The last entry of each log this scan closed, in order.
    var heads: [Entry] = []

    init(mode: VerificationMode, db: SQLiteConnection, path: String, ledger: Digest, hq: PublicKey) {
        self.mode = mode
        self.db = db
        self.path = path
        self.ledger = ledger
        self.hq = hq
    }

    /// Checks the current row of `rows` (``columns``). `parsed` hears each well-formed entry that
    /// fast mode could not clear in place (in full mode: every well-formed entry).
    mutating func row(_ rows: Statement, _ parsed: (Entry) throws -> Void = { _ in }) throws {
        entries += 1
        // Fast mode reads a sound row in place; a row with anything to report (or an unusual one)
        // goes the whole way below, which names the fault.
        if mode == .fast, let (layout, sameLog) = LogScan.soundLayout(rows, after: previous, ledger: ledger, hq: hq) {
            try logStep(newLog: !sameLog)
            rows.withBlob(5) { bytes in rows.withBlob(0) { id in previous.update(bytes: bytes, layout: layout, id: id, rowid: rows.int64(6)) } }
            return
        }
        let storedSequence = UInt64(bitPattern: rows.int64(2))  // a negative stored value is a fault below, not a crash
        let entry: Entry
        do {
            entry = try Entry(bytes: rows.blob(5))
        } catch {
            let author = PublicKey(rows.blob(1)) ?? PublicKey(unchecked: [UInt8](repeating: 0, count: 32))
            faults.append(EntryFault(.malformed, author: author, sequence: storedSequence, id: Digest(rows.blob(0)) ?? .zero, detail: "\(error)"))
            return
        }
        if !rows.blobEquals(0, entry.id.bytes) {
            let rowAuthor = PublicKey(rows.blob(1)) ?? entry.author
            let rowID = Digest(rows.blob(0)) ?? entry.id
            faults.append(EntryFault(.idMismatch, author: rowAuthor, sequence: storedSequence, id: rowID, detail: "SHA-256 of the stored entry bytes is \(entry.id.short), the store lists \(rowID.short): the entry was altered"))
        }
        let payloadMatches = entry.payloadDigest.map { rows.blobEquals(4, $0.bytes) } ?? rows.isNull(4)
        if !rows.blobEquals(1, entry.author.bytes) || entry.sequence != storedSequence || !payloadMatches || rows.text(3) != entry.type {
            let rowAuthor = PublicKey(rows.blob(1)) ?? entry.author
            faults.append(EntryFault(.idMismatch, author: rowAuthor, sequence: storedSequence, id: Digest(rows.blob(0)) ?? entry.id, detail: "the stored columns (author, sequence, type, payload digest) disagree with the entry bytes"))
        }
        let sameLog = previous.exists && previous.author == entry.author.bytes
        let before = previous.point
        try logStep(newLog: !sameLog)
        if let fault = EntryVerifier.checkLink(entry, after: sameLog ? before : nil) {
            faults.append(fault)
        }
        if mode == .fast && entry.ledger != ledger && !(entry.author == hq && entry.sequence == 1) {
            faults.append(EntryFault(.wrongLedger, entry: entry, detail: "entry names ledger \(entry.ledger.short)"))
        }
        try parsed(entry)
        entry.bytes.withUnsafeBytes { bytes in
            guard let layout = EntryLayout(bytes) else { return }
            entry.id.bytes.withUnsafeBytes { id in previous.update(bytes: bytes, layout: layout, id: id, rowid: rows.int64(6)) }
        }
    }

    /// Closes the last log (unless it is the inherited one, closed by the range before).
    mutating func finish() throws {
        if !inherited { try closeLog() }
    }

    /// A well-formed entry was read: of a new log, or of `previous`'s.
    private mutating func logStep(newLog: Bool) throws {
        if newLog {
            if !inherited { try closeLog() }
            logs += 1
        } else if inherited {
            continuesInherited = true
        }
        inherited = false
    }

    /// Reports `previous` as its log's head, read again by rowid from this scan's snapshot (a
    /// failed read is an error, not a head silently left out of the report and its signature check).
    private mutating func closeLog() throws {
        guard previous.exists else { return }
        let statement = try db.statement("SELECT bytes FROM entries WHERE rowid = ?")
        defer { statement.reset() }
        statement.bind(1, previous.rowid)
        guard try statement.step() else { throw StoreError.corrupted(path: path, detail: "entry row \(previous.rowid) vanished during the audit") }
        heads.append(try Entry(bytes: statement.blob(0)))
    }

    /// The layout of the current row's entry, and whether it continues `previous`'s log, when the
    /// row needs no report in fast mode (else nil):
    /// its bytes are a well-formed entry whose SHA-256 is the stored id, the stored columns agree
    /// with the bytes, it links to `previous` (or starts a log), and it names this ledger. Read in
    /// place: nothing is copied or allocated.
    static func soundLayout(_ rows: Statement, after previous: PreviousEntry, ledger: Digest, hq: PublicKey) -> (EntryLayout, sameLog: Bool)? {
        rows.withBlob(5) { bytes -> (EntryLayout, sameLog: Bool)? in
            guard let layout = EntryLayout(bytes), UInt64(bitPattern: rows.int64(2)) == layout.sequence else { return nil }
            var hasher = SHA256()
            hasher.update(bufferPointer: bytes)
            let idMatches = hasher.finalize().withUnsafeBytes { id in rows.blobEquals(0, id) }
            let author = bytes.field(EntryLayout.authorOffset, 32)
            guard idMatches, rows.blobEquals(1, author),
                  rows.textEquals(3, bytes.field(EntryLayout.typeOffset, layout.typeLength)) else { return nil }
            if let offset = layout.payloadOffset {
                guard rows.blobEquals(4, bytes.field(offset, 32)) else { return nil }
            } else {
                guard rows.isNull(4) else { return nil }
            }
            let previousID = bytes.field(EntryLayout.previousOffset, 32)
            let sameLog = previous.exists && author.equals(previous.author)
            if sameLog {
                guard layout.sequence == previous.sequence &+ 1, previousID.equals(previous.id),
                      layout.timestamp > previous.timestamp else { return nil }
            } else {
                guard layout.sequence == 1, previousID.allSatisfy({ $0 == 0 }) else { return nil }
            }
            let namesLedger = bytes.field(EntryLayout.ledgerOffset, 32).equals(ledger.bytes) || (layout.sequence == 1 && author.equals(hq.bytes))
            return namesLedger ? (layout, sameLog) : nil
        }
    }
}

/// The last well-formed entry a scan read: its row, author, id and link point, in buffers reused
/// from row to row.
struct PreviousEntry {
    var exists = false
    var rowid: Int64 = 0
    var author = [UInt8](repeating: 0, count: 32)
    var id = [UInt8](repeating: 0, count: 32)
    var sequence: UInt64 = 0
    var timestamp = HLCTimestamp(wall: 0, counter: 0)

    var point: EntryVerifier.LinkPoint {
        EntryVerifier.LinkPoint(sequence: sequence, id: Digest(unchecked: id), timestamp: timestamp)
    }

    /// Takes the place of the entry before: `entry` is well-formed canonical bytes with this
    /// `layout`, `id` their SHA-256, `rowid` their row.
    mutating func update(bytes entry: UnsafeRawBufferPointer, layout: EntryLayout, id entryID: UnsafeRawBufferPointer, rowid: Int64) {
        guard entryID.count == 32 else { return }
        exists = true
        self.rowid = rowid
        author.withUnsafeMutableBytes { $0.copyMemory(from: entry.field(EntryLayout.authorOffset, 32)) }
        id.withUnsafeMutableBytes { $0.copyMemory(from: entryID) }
        sequence = layout.sequence
        timestamp = layout.timestamp
    }
}

extension UnsafeRawBufferPointer {
    /// `count` bytes from `offset` (the caller has checked they are inside).
    func field(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[offset..<offset + count])
    }

    /// True when the bytes equal `other` (memcmp).
    func equals(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        guard let base = baseAddress else { return other.isEmpty }
        return other.withUnsafeBytes { memcmp(base, $0.baseAddress!, count) == 0 }
    }
}
