import Foundation
import Ledger
import Logging

/// `ledgerd --config FILE`: the daemon's settings as a JSON object, for service managers
/// (docs/OPERATIONS.md, "Configuration"). Every member is optional; a flag given on the
/// command line overrides the file. Unknown members and repeated members are refused, so a
/// misspelt setting never passes silently.
///
/// For example:
/// ```json
/// {"data": "/var/lib/ledger/node", "listen": "0.0.0.0:8080", "logFormat": "json", "metricsPublic": false}
/// ```
struct DaemonConfig: Decodable, Equatable {
    var data: String?
    var listen: String?
    var peers: [String]?
    var syncInterval: Double?
    var peerTimeout: Double?
    var kiosk: String?
    var kioskListen: String?
    var logLevel: String?
    var logFormat: String?
    var metricsPublic: Bool?
    var trustedProxies: [String]?

    static let members: Set<String> = ["data", "listen", "peers", "syncInterval", "peerTimeout", "kiosk", "kioskListen", "logLevel",
                                       "logFormat", "metricsPublic", "trustedProxies"]

    /// Reads and checks the file; errors name the file and the member, never a value.
    static func load(path: String) throws -> DaemonConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw DaemonError.config(path: path, reason: "it cannot be read") }
        return try parse(Array(data), path: path)
    }

    static func parse(_ bytes: [UInt8], path: String) throws -> DaemonConfig {
        let object: [String: Any]
        do {
            try StrictJSON.validate(bytes)
            guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw DaemonError.config(path: path, reason: "it is not a JSON object")
            }
            object = parsed
        } catch let error as DaemonError {
            throw error
        } catch let error as StrictJSON.Failure {
            throw DaemonError.config(path: path, reason: "it is not valid JSON (\(error))")
        } catch {
            throw DaemonError.config(path: path, reason: "it is not valid JSON")
        }
        if let unknown = object.keys.sorted().first(where: { !members.contains($0) }) {
            throw DaemonError.config(path: path, reason: "unknown setting '\(unknown.prefix(40))' (known: \(members.sorted().joined(separator: ", ")))")
        }
        do {
            return try JSONDecoder().decode(DaemonConfig.self, from: Data(bytes))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let member = context.codingPath.first?.stringValue ?? "?"
            throw DaemonError.config(path: path, reason: "'\(member)' has the wrong type")
        } catch {
            throw DaemonError.config(path: path, reason: "it does not fit the settings")
        }
    }
}

/// How log lines are written: `text` (swift-log's stream format) or `json` (one object per line).
enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}

/// One JSON object per log line on stderr, for log shippers: `time` (ISO 8601, UTC,
/// milliseconds), `level`, `label`, `message`, and the metadata as string members under
/// `metadata`. Like every ledgerd log line it never holds a signer's personal data.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private static let lock = NSLock()

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
        Self.lock.lock()
        FileHandle.standardError.write(Data(line.utf8))
        Self.lock.unlock()
    }

    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var object: [String: Any] = [
            "time": Timestamps.iso8601(millis: UInt64(max(0, (time.timeIntervalSince1970 * 1000).rounded()))),
            "level": level.rawValue, "label": label, "message": message,
        ]
        if !metadata.isEmpty { object["metadata"] = metadata.mapValues { "\($0)" } }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
