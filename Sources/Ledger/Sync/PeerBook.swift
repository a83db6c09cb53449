import Foundation

/// The peers a node syncs with: `peers.json` in the data folder (docs/PROTOCOL.md, "Peers"),
/// and what happened at each one's last sync, `peers-state.json`.
///
/// For example `peers.json`:
/// ```json
/// { "peers": ["http://hq.example.org:8080", "http://192.168.1.20:8080"] }
/// ```
public struct PeerBook: Sendable {
    public let folder: NodeFolder

    public init(folder: NodeFolder) {
        self.folder = folder
    }

    struct File: Codable {
        var peers: [String]
    }

    /// The state of one peer after the last attempt.
    public struct State: Codable, Sendable, Equatable {
        public var peer: String
        public var lastAttempt: UInt64?
        public var lastSuccess: UInt64?
        public var lastError: String?
        public var failures: Int = 0
        public var lag: Int?
        public var lastReport: SyncReport?

        public init(peer: String) {
            self.peer = peer
        }
    }

    var path: String { folder.path + "/peers.json" }
    var statePath: String { folder.path + "/peers-state.json" }

    /// The configured peers, in file order.
    public func peers() throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        do {
            return try StrictJSON.decode(File.self, from: data).peers
        } catch {
            throw NodeError.ambiguous("\(path) is not valid: expected {\"peers\": [\"http://host:port\", ...]}")
        }
    }

    /// Adds a peer URL (normalised, without a trailing slash) unless present.
    public func add(_ url: String) throws {
        let normalised = try PeerBook.normalise(url)
        var list = try peers()
        guard !list.contains(normalised) else { return }
        list.append(normalised)
        try write(File(peers: list))
    }

    /// Removes a peer.
    public func remove(_ url: String) throws {
        let normalised = try PeerBook.normalise(url)
        try write(File(peers: try peers().filter { $0 != normalised }))
    }

    private func write(_ file: File) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try PrivateFile.write(try encoder.encode(file), to: path)
    }

    /// Checks and normalises a peer URL: http or https with a host.
    public static func normalise(_ url: String) throws -> String {
        var text = url.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix("/") { text.removeLast() }
        guard let parsed = URL(string: text), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw NodeError.ambiguous("peer '\(url)' is not an http(s) URL like http://192.168.1.20:8080")
        }
        return text
    }

    /// The last known state of every peer that has one.
    public func states() -> [String: State] {
        guard let data = FileManager.default.contents(atPath: statePath),
              let list = try? StrictJSON.decode([State].self, from: data) else { return [:] }
        return Dictionary(list.map { ($0.peer, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Records the outcome of a sync attempt.
    public func record(peer: String, report: SyncReport?, error: String?, now: UInt64) throws {
        var all = states()
        var state = all[peer] ?? State(peer: peer)
        state.lastAttempt = now
        if let report {
            state.lastSuccess = now
            state.lastError = nil
            state.failures = 0
            state.lag = report.lag
            state.lastReport = report
        } else {
            state.lastError = error
            state.failures += 1
        }
        all[peer] = state
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try PrivateFile.write(try encoder.encode(all.values.sorted { $0.peer < $1.peer }), to: statePath)
    }
}
