import Foundation

/// A node: its data folder, its store and its own signing key. The one place the CLI and the
/// daemon go through to write entries.
///
/// For example:
/// ```swift
/// let hq = try LedgerNode.createHQ(at: "/srv/ledger", name: "Amnesty Norway")
/// let campaign = try hq.publish(CampaignFile.load(path: "free-the-press.json"))
/// ```
public final class LedgerNode: @unchecked Sendable {
    public static let nodeKeyFile = "node.key"
    public static let sealingKeyFile = "sealing.key"
    public static let pseudonymKeyFile = "pseudonym.key"

    public let folder: NodeFolder
    public let store: LedgerStore
    public let key: SigningKey
    public let role: Role
    /// Concurrent signings share transactions (``GroupCommit``).
    public let groupCommit = GroupCommit()
    /// Keys every signing needs, read once (a key file and the genesis entry's body were read
    /// again for each signature: a tenth of a kiosk signing's CPU, docs/PERFORMANCE.md). Neither
    /// changes while the node is open: the key files are written when the node is created, and
    /// the genesis entry is immutable.
    private let keys = KeyCache()

    init(folder: NodeFolder, store: LedgerStore, key: SigningKey, role: Role) {
        self.folder = folder
        self.store = store
        self.key = key
        self.role = role
    }

    /// The ledger id.
    public var ledgerID: Digest {
        get throws {
            if let id = store.ledgerID { return id }
            if let expected = try store.setting("expected.ledger").flatMap(Digest.init(hex:)) { return expected }
            throw StoreError.notInitialised(path: store.path)
        }
    }

    /// True once the node holds its ledger's genesis entry (a joining laptop does not, until it
    /// first syncs with HQ or imports HQ's bundle).
    public var hasLedger: Bool { store.ledgerID != nil }

    /// Creates a standalone HQ node: keys (mode 0600) and the genesis entry.
    ///
    /// Set-up is all or nothing: the node is built in a staging folder beside `path` and moved
    /// into place only when it is complete (see ``createStaged(at:wallClock:_:)``).
    public static func createHQ(at path: String, name: String, wallClock: any WallClock = SystemClock()) throws -> LedgerNode {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw NodeError.invalidSigner(field: "name", reason: "the ledger name must be 1 to 200 characters")
        }
        return try createStaged(at: path, wallClock: wallClock) { folder in
            try folder.create()
            let key = SigningKey()
            let sealing = SealingPrivateKey()
            var pseudonym = [UInt8](repeating: 0, count: 32)
            var random = SystemRandomNumberGenerator()
            for index in pseudonym.indices { pseudonym[index] = random.next() }
            try folder.writeKey(nodeKeyFile, key.seed)
            try folder.writeKey(sealingKeyFile, sealing.raw)
            try folder.writeKey(pseudonymKeyFile, pseudonym)
            let store = try LedgerStore.open(at: folder.storePath, create: true, wallClock: wallClock)
            try folder.restrictStoreFiles()
            _ = try store.createLedger(name: trimmed, signer: key, sealingKey: sealing.publicKey)
            try store.setSetting("role", Role.hq.rawValue)
            try store.setSetting("node", key.publicKey.hex)
        }
    }

    /// Creates a node all or nothing: `build` fills a staging folder beside `path` (a hidden
    /// sibling, so the rename stays on one file system), and only when it returned is the result
    /// moved into place and opened. When anything fails, everything this call created is removed
    /// (the staging folder, and folders it made above `path`) and what existed before is left as
    /// it was: an existing empty folder, or files of the user's in it. `build` must not keep the
    /// store open past its return.
    ///
    /// Refuses a folder that holds a node, or the keys of a set-up interrupted before this rule.
    static func createStaged(at path: String, wallClock: any WallClock, _ build: (NodeFolder) throws -> Void) throws -> LedgerNode {
        // Absolute, so that the staging folder's parent is never "" for a relative path.
        let target = NodeFolder(path: URL(fileURLWithPath: path).standardizedFileURL.path)
        let manager = FileManager.default
        if target.exists { throw NodeError.alreadyInitialised(path: target.path) }
        if manager.fileExists(atPath: target.keysPath) { throw NodeError.interruptedSetup(path: target.path) }
        let parent = (target.path as NSString).deletingLastPathComponent
        // Folders this call creates above the target, deepest first: removed again on failure.
        var madeAbove: [String] = []
        var ancestor = parent
        while !ancestor.isEmpty, ancestor != "/", !manager.fileExists(atPath: ancestor) {
            madeAbove.append(ancestor)
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        let staging = (parent as NSString).appendingPathComponent(
            ".\((target.path as NSString).lastPathComponent).setup-\(UUID().uuidString.prefix(8))")
        var placed = false
        defer {
            try? manager.removeItem(atPath: staging)
            if !placed {
                // rmdir semantics: only folders left empty go, never anything someone else put there.
                for folder in madeAbove { _ = rmdir(folder) }
            }
        }
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try build(NodeFolder(path: staging))
            if manager.fileExists(atPath: target.path) {
                try moveContents(of: staging, into: target.path)
            } else {
                try manager.moveItem(atPath: staging, toPath: target.path)
            }
        } catch let error as NSError where error.domain == NSCocoaErrorDomain {
            // FileManager's errors as one readable line, with the folder as context.
            throw NodeError.ambiguous("cannot create a node in \(target.path): \(fileSystemReason(error)); choose a writable folder with --data DIR")
        }
        placed = true
        return try open(at: target.path, wallClock: wallClock)
    }

    /// "Not a directory" rather than Foundation's "The operation could not be completed. ...".
    private static func fileSystemReason(_ error: NSError) -> String {
        if let underlying = error.userInfo[NSUnderlyingErrorKey].flatMap({ $0 as? any Error }).map({ $0 as NSError }),
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        let file = (error.userInfo[NSFilePathErrorKey] as? String).map { " (\($0))" } ?? ""
        return "the file system refused it\(file)"
    }

    /// Moves every item of a staged node into an existing folder, the store last (a folder counts
    /// as a node once it holds `ledger.sqlite`). Never overwrites: an item that already exists stops
    /// the move, and what was moved is taken back out.
    private static func moveContents(of staging: String, into target: String) throws {
        let manager = FileManager.default
        let store = (NodeFolder(path: staging).storePath as NSString).lastPathComponent
        let items = try manager.contentsOfDirectory(atPath: staging).sorted { a, b in
            (a == store ? 1 : 0, a) < (b == store ? 1 : 0, b)
        }
        var moved: [String] = []
        do {
            for item in items {
                try manager.moveItem(atPath: staging + "/" + item, toPath: target + "/" + item)
                moved.append(item)
            }
        } catch {
            for item in moved.reversed() { try? manager.removeItem(atPath: target + "/" + item) }
            throw error
        }
    }

    /// Creates an observer node holding a verified copy of a bundle: an auditor's or a fresh mirror.
    public static func createObserver(at path: String, bundle: LedgerBundle, wallClock: any WallClock = SystemClock()) throws -> (LedgerNode, IngestReport) {
        let folder = NodeFolder(path: path)
        if folder.exists { throw NodeError.alreadyInitialised(path: path) }
        // Verify into a store first; create the keys only once the bundle checked out.
        let staging = path + ".importing-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let report: IngestReport
        do {
            let store = try LedgerStore.open(at: staging + "/ledger.sqlite", create: true, wallClock: wallClock)
            report = try store.ingest(bundle.entries + bundle.forks, payloads: bundle.payloads, verification: .full)
            if let adopted = store.ledgerID, adopted != bundle.ledger {
                throw BundleError.headerMismatch(header: bundle.ledger, genesis: adopted)
            }
        }
        try folder.create()
        let key = SigningKey()
        try folder.writeKey(nodeKeyFile, key.seed)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: staging + "/ledger.sqlite" + suffix) {
            try FileManager.default.moveItem(atPath: staging + "/ledger.sqlite" + suffix, toPath: folder.storePath + suffix)
        }
        let store = try LedgerStore.open(at: folder.storePath, wallClock: wallClock)
        try folder.restrictStoreFiles()
        try store.setSetting("role", Role.observer.rawValue)
        try store.setSetting("node", key.publicKey.hex)
        return (LedgerNode(folder: folder, store: store, key: key, role: .observer), report)
    }

    /// Opens an existing node. Fails with a clear error for a missing folder, a damaged database
    /// or a key that does not belong to the store.
    public static func open(at path: String, wallClock: any WallClock = SystemClock()) throws -> LedgerNode {
        let folder = NodeFolder(path: path)
        guard folder.exists else { throw NodeError.noNode(path: folder.path) }
        let store = try LedgerStore.open(at: folder.storePath, wallClock: wallClock)
        let expected = try store.setting("expected.ledger")
        guard store.ledgerID != nil || expected != nil else {
            throw StoreError.notInitialised(path: folder.storePath)
        }
        guard let seed = try folder.readKey(nodeKeyFile) else {
            throw NodeError.keyFile(path: folder.keysPath + "/" + nodeKeyFile, reason: "it is missing")
        }
        var key = try SigningKey(seed: seed)
        if let recorded = try store.setting("node"), recorded != key.publicKey.hex {
            // A re-keying interrupted between recording the new key and moving its file: finish it.
            guard let next = try folder.readKey(nextKeyFile).map(SigningKey.init(seed:)), next.publicKey.hex == recorded else {
                throw NodeError.keyMismatch(path: folder.keysPath + "/" + nodeKeyFile)
            }
            try FileManager.default.removeItem(atPath: folder.keysPath + "/" + nodeKeyFile)
            try FileManager.default.moveItem(atPath: folder.keysPath + "/" + nextKeyFile, toPath: folder.keysPath + "/" + nodeKeyFile)
            key = next
        }
        let role = try store.setting("role").flatMap(Role.init(rawValue:)) ?? .observer
        if role != .hq { try folder.shredKey(pseudonymKeyFile) }  // an earlier version gave laptops the key
        if role == .hq, store.ledgerID != nil { try store.enableTree() }  // HQ keeps the Merkle tree (FORMAT.md section 11)
        return LedgerNode(folder: folder, store: store, key: key, role: role)
    }

    /// HQ's sealing public key, from the genesis entry.
    public func sealingPublicKey() throws -> SealingPublicKey {
        let genesis = try ledgerID
        if let known = keys.sealing(for: genesis) { return known }
        let key = try readSealingPublicKey(genesis: genesis)
        keys.remember(sealing: key, for: genesis)
        return key
    }

    private func readSealingPublicKey(genesis: Digest) throws -> SealingPublicKey {
        guard let entry = try store.entry(id: genesis) else { throw StoreError.notInitialised(path: store.path) }
        let body = try entry.decodeBody(LedgerCreated.self)
        guard let key = SealingPublicKey(hex: body.sealingKey) else {
            throw StoreError.rejected(EntryFault(.invalidBody, entry: entry, detail: "sealingKey is malformed"))
        }
        return key
    }

    /// HQ's sealing private key; only HQ's data folder has it.
    public func sealingPrivateKey() throws -> SealingPrivateKey? {
        try folder.readKey(Self.sealingKeyFile).map { try SealingPrivateKey(raw: $0) }
    }

    /// The pseudonym key, when this node holds it: HQ only (field laptops do not, so a stolen one
    /// cannot test a guessed e-mail address, docs/PRIVACY.md).
    func heldPseudonymKey() throws -> [UInt8]? {
        guard role == .hq else { return nil }
        if let known = keys.pseudonym { return known }
        // A missing file is not remembered: it is read again next time.
        guard let key = try folder.readKey(Self.pseudonymKeyFile) else { return nil }
        keys.pseudonym = key
        return key
    }

    func pseudonymKey() throws -> [UInt8] {
        guard let key = try folder.readKey(Self.pseudonymKeyFile) else {
            throw NodeError.keyFile(path: folder.keysPath + "/" + Self.pseudonymKeyFile, reason: "it is missing; this node cannot record signatures")
        }
        return key
    }
}

/// ``LedgerNode``'s keys read once, behind a lock (signers call from many threads).
private final class KeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var sealingKey: (genesis: Digest, key: SealingPublicKey)?
    private var pseudonymKey: [UInt8]?

    func sealing(for genesis: Digest) -> SealingPublicKey? {
        lock.withLock { sealingKey.flatMap { $0.genesis == genesis ? $0.key : nil } }
    }

    func remember(sealing key: SealingPublicKey, for genesis: Digest) {
        lock.withLock { sealingKey = (genesis, key) }
    }

    var pseudonym: [UInt8]? {
        get { lock.withLock { pseudonymKey } }
        set { lock.withLock { pseudonymKey = newValue } }
    }
}
