import ArgumentParser
import Foundation
import Ledger
import Logging

/// The Ledger daemon: serves one node's HTTP API and syncs with its peers until SIGINT or SIGTERM.
///
/// For example:
/// ```
/// ledgerd                                   # the node in ./ledger-data, on 127.0.0.1:8080
/// ledgerd --data /srv/ledger --listen 0.0.0.0:8080
/// ledgerd --data laptop --peer http://hq.local:8080 --sync-interval 60
/// ```
@main
struct Ledgerd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerd",
        abstract: "Serve a Ledger node over HTTP.",
        discussion: """
            The data folder is --data, else $LEDGER_DATA, else ./ledger-data. It must hold a node: \
            ledgerd creates none ('ledgerctl init --hq' makes HQ, 'ledgerctl init --join' a laptop; \
            'make run' does the first on a fresh checkout). It serves the sync protocol \
            (docs/PROTOCOL.md) and syncs with the peers in peers.json and --peer: once with each at \
            start, then every --sync-interval seconds, waiting twice as long after each failure (up to \
            5 minutes). Logs go to stderr, one line per request and per sync. SIGINT (Ctrl-C) or \
            SIGTERM stops the daemon after the requests in flight.
            Exit status: 0 stopped by a signal, 2 usage error, 3 any other failure (no node in the \
            data folder, damaged data folder, address in use, ...).
            """,
        version: LedgerVersion.string
    )

    @Option(name: .long, help: ArgumentHelp("The node's data folder.", valueName: "DIR"))
    var data: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The address to serve on; port 0 picks a free port (default: \(ListenAddress.default)).", valueName: "HOST:PORT"),
        transform: ListenAddress.init(parsing:))
    var listen: ListenAddress?

    @Option(
        name: .customLong("peer"),
        help: ArgumentHelp("A peer to sync with, besides those in peers.json; repeat for more.", valueName: "URL"),
        transform: Ledgerd.peerURL(parsing:))
    var peers: [String] = []

    @Option(
        name: .customLong("sync-interval"),
        help: ArgumentHelp("Seconds between syncs with each peer (default: 30).", valueName: "SECONDS"))
    var syncInterval: Double?

    @Option(
        name: .customLong("peer-timeout"),
        help: ArgumentHelp("Seconds a request to a peer may stay silent before that sync gives up (default: 30).", valueName: "SECONDS"))
    var peerTimeout: Double?

    @Option(
        name: .customLong("kiosk"),
        help: ArgumentHelp("Kiosk mode: the front page is this campaign, and after a signature the page returns to an empty form.", valueName: "CAMPAIGN"))
    var kioskCampaign: String?

    @Option(
        name: .customLong("kiosk-listen"),
        help: ArgumentHelp("Also serve the kiosk pages (only those) on this address, e.g. 0.0.0.0:8081 for a tablet on the stall's network.", valueName: "HOST:PORT"),
        transform: ListenAddress.init(parsing:))
    var kioskListen: ListenAddress?

    @Flag(
        name: .customLong("metrics-public"),
        help: "Serve GET /metrics to every client (default: to this machine only). Behind a reverse proxy every client looks local: restrict /metrics there.")
    var metricsPublic = false

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default: info).", valueName: "LEVEL"),
        transform: Ledgerd.logLevel(parsing:))
    var logLevel: Logger.Level?

    /// --data, else $LEDGER_DATA, else ./ledger-data (the same rule as ledgerctl).
    var dataPath: String {
        if let data { return data }
        if let env = ProcessInfo.processInfo.environment["LEDGER_DATA"], !env.isEmpty { return env }
        return "ledger-data"
    }

    func validate() throws {
        if let syncInterval, !(syncInterval.isFinite && syncInterval >= 0.1 && syncInterval <= 86_400) {
            throw ValidationError("--sync-interval must be a number of seconds from 0.1 to 86400")
        }
        if let peerTimeout, !(peerTimeout.isFinite && peerTimeout >= 1 && peerTimeout <= 3_600) {
            throw ValidationError("--peer-timeout must be a number of seconds from 1 to 3600")
        }
    }

    /// Opens the node, serves it and syncs with its peers until a shutdown signal.
    func run() async throws {
        var logger = Logger(label: "ledgerd")
        logger.logLevel = logLevel ?? .info
        let listen = listen ?? .default
        let node = try LedgerNode.openForDaemon(at: dataPath, logger: logger)
        let loop = SyncLoop(node: node, flagPeers: peers, backoff: Backoff(interval: .milliseconds(Int64((syncInterval ?? 30) * 1000))), logger: logger,
                            requestTimeout: peerTimeout ?? PeerSync.defaultRequestTimeout)
        if await loop.currentPeers().isEmpty { loop.localWritesAllowed.set() }  // no startup sync to wait for
        let loopTask = BackgroundTask()
        let retentionTask = BackgroundTask()
        let retention = RetentionLoop(node: node, logger: logger)
        let started = StartupFlag()
        if let kioskCampaign, try node.store.campaign(kioskCampaign) == nil {
            logger.warning("Kiosk campaign '\(kioskCampaign)' is not in this node's ledger yet; the page says so until it arrives")
        }
        let kiosk = KioskController<LedgerRequestContext>(node: node, kioskCampaign: kioskCampaign)
        let metrics = LedgerMetrics()
        metrics.bootstrap()
        let app = buildApplication(node: node, listen: listen, logger: logger, localWrites: loop.localWritesAllowed, kiosk: kiosk,
                                   metrics: metrics, metricsPublic: metricsPublic) { _ in
            started.set()
            loopTask.start { await loop.run() }
            retentionTask.start { await retention.run() }
        }
        do {
            if let kioskListen {
                let kioskApp = buildKioskApplication(kiosk: kiosk, localWrites: loop.localWritesAllowed, listen: kioskListen, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await kioskApp.runService() }
                    group.addTask { try await app.runService() }
                    // Both stop on the same signals; the first to end (or fail) ends the other.
                    try await group.next()
                    group.cancelAll()
                }
            } else {
                try await app.runService()
            }
        } catch {
            await loopTask.stop()
            await retentionTask.stop()
            // Before the server is up, the only thing that fails is binding the address.
            if !started.isSet { throw DaemonError.cannotListen(address: listen, reason: "\(error)") }
            throw error
        }
        await loopTask.stop()
        await retentionTask.stop()
        logger.info("Stopped")
    }

    static func peerURL(parsing text: String) throws -> String {
        do {
            return try PeerBook.normalise(text)
        } catch {
            throw ValidationError("expected an http(s) URL such as http://192.168.1.20:8080")
        }
    }

    static func logLevel(parsing text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}
