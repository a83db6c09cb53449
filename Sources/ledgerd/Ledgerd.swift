import ArgumentParser
import Foundation
import Ledger
import Logging
import ServiceLifecycle

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

    @Option(name: .long, help: ArgumentHelp("A JSON file of settings (docs/OPERATIONS.md, \"Configuration\"); flags override it.", valueName: "FILE"))
    var config: String?

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
        help: "Serve GET /metrics to every client (default: to this machine only; behind a reverse proxy, give --trusted-proxy, or every client looks local).")
    var metricsPublic = false

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp("The IP address of a reverse proxy in front of ledgerd whose X-Forwarded-For names the client (rate limits, /metrics); repeat for more.", valueName: "ADDRESS"))
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp("text (default) or json: one JSON object per line, for log shippers.", valueName: "FORMAT"))
    var logFormat: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default: info).", valueName: "LEVEL"),
        transform: Ledgerd.logLevel(parsing:))
    var logLevel: Logger.Level?

    /// --data, else the config file's, else $LEDGER_DATA, else ./ledger-data (ledgerctl's rule).
    func dataPath(_ file: DaemonConfig) -> String {
        if let data = data ?? file.data { return data }
        if let env = ProcessInfo.processInfo.environment["LEDGER_DATA"], !env.isEmpty { return env }
        return "ledger-data"
    }

    /// The --config file's settings (none without --config).
    func loadConfig() throws -> DaemonConfig {
        guard let config else { return DaemonConfig() }
        return try DaemonConfig.load(path: config)
    }

    /// The log format: --log-format, else the config file's, else text.
    func format(_ file: DaemonConfig) throws -> LogFormat {
        guard let text = logFormat ?? file.logFormat else { return .text }
        guard let format = LogFormat(rawValue: text) else { throw ValidationError("the log format is text or json") }
        return format
    }

    /// The settings in force: each flag, else the file's value (checked as the flag would be).
    struct Settings {
        var listen: ListenAddress
        var peers: [String]
        var syncInterval: Double
        var peerTimeout: Double
        var kiosk: String?
        var kioskListen: ListenAddress?
        var logLevel: Logger.Level
        var metricsPublic: Bool
        var trustedProxies: TrustedProxies
    }

    func settings(_ file: DaemonConfig) throws -> Settings {
        let path = config ?? ""
        func checked<T>(_ name: String, _ parse: () throws -> T) throws -> T {
            do { return try parse() } catch { throw DaemonError.config(path: path, reason: "'\(name)': \(Self.message(for: error))") }
        }
        let interval = try syncInterval ?? file.syncInterval.map { value in
            try checked("syncInterval") { () throws -> Double in
                guard value.isFinite, value >= 0.1, value <= 86_400 else { throw ValidationError("must be a number of seconds from 0.1 to 86400") }
                return value
            }
        } ?? 30
        let timeout = try peerTimeout ?? file.peerTimeout.map { value in
            try checked("peerTimeout") { () throws -> Double in
                guard value.isFinite, value >= 1, value <= 3_600 else { throw ValidationError("must be a number of seconds from 1 to 3600") }
                return value
            }
        } ?? PeerSync.defaultRequestTimeout
        return Settings(
            listen: try listen ?? file.listen.map { text in try checked("listen") { try ListenAddress(parsing: text) } } ?? .default,
            peers: peers + (try (file.peers ?? []).map { text in try checked("peers") { try Self.peerURL(parsing: text) } }),
            syncInterval: interval,
            peerTimeout: timeout,
            kiosk: kioskCampaign ?? file.kiosk,
            kioskListen: try kioskListen ?? file.kioskListen.map { text in try checked("kioskListen") { try ListenAddress(parsing: text) } },
            logLevel: try logLevel ?? file.logLevel.map { text in try checked("logLevel") { try Self.logLevel(parsing: text) } } ?? .info,
            metricsPublic: metricsPublic || (file.metricsPublic ?? false),
            trustedProxies: try TrustedProxies(parsing: trustedProxies)
                .union(try checked("trustedProxies") { try TrustedProxies(parsing: file.trustedProxies ?? []) }))
    }

    func validate() throws {
        if let syncInterval, !(syncInterval.isFinite && syncInterval >= 0.1 && syncInterval <= 86_400) {
            throw ValidationError("--sync-interval must be a number of seconds from 0.1 to 86400")
        }
        if let peerTimeout, !(peerTimeout.isFinite && peerTimeout >= 1 && peerTimeout <= 3_600) {
            throw ValidationError("--peer-timeout must be a number of seconds from 1 to 3600")
        }
        do {
            _ = try TrustedProxies(parsing: trustedProxies)
        } catch let error as ValidationError {
            throw ValidationError("--trusted-proxy: \(error.message)")
        }
    }

    /// Opens the node, serves it and syncs with its peers until a shutdown signal.
    func run() async throws {
        try await run(config: loadConfig())
    }

    func run(config file: DaemonConfig) async throws {
        let settings = try settings(file)
        var logger = Logger(label: "ledgerd")
        logger.logLevel = settings.logLevel
        let listen = settings.listen
        let kioskCampaign = settings.kiosk
        let kioskListen = settings.kioskListen
        // Under systemd (Type=notify): what it is doing until it serves, then READY=1.
        let notifier = SystemdNotifier()
        notifier.send("STATUS=Opening the node (after an upgrade this may rebuild the read models)")
        let node = try LedgerNode.openForDaemon(at: dataPath(file), logger: logger)
        let loop = SyncLoop(node: node, flagPeers: settings.peers, backoff: Backoff(interval: .milliseconds(Int64(settings.syncInterval * 1000))), logger: logger,
                            requestTimeout: settings.peerTimeout)
        if await loop.currentPeers().isEmpty { loop.localWritesAllowed.set() }  // no startup sync to wait for
        let retention = RetentionLoop(node: node, logger: logger)
        // HQ's pass after arrivals, before anything is served: a run that stopped between a
        // push's commit and its pass (kill -9, power loss) left erasures or signer references due.
        notifier.send("STATUS=Finishing the work due after earlier arrivals")
        await retention.catchUp()
        let started = StartupFlag()
        if let kioskCampaign, try node.store.campaign(kioskCampaign) == nil {
            logger.warning("Kiosk campaign '\(kioskCampaign)' is not in this node's ledger yet; the page says so until it arrives")
        }
        let kiosk = KioskController<LedgerRequestContext>(node: node, kioskCampaign: kioskCampaign)
        let metrics = LedgerMetrics()
        metrics.bootstrap()
        let app = buildApplication(node: node, listen: listen, logger: logger, localWrites: loop.localWritesAllowed, kiosk: kiosk,
                                   metrics: metrics, metricsPublic: settings.metricsPublic, trustedProxies: settings.trustedProxies) { url in
            started.set()
            notifier.send("READY=1\nSTATUS=Serving \(url)")
        }
        // One ServiceGroup, the Hummingbird way: the HTTP servers and the background loops. SIGTERM
        // or SIGINT shuts them down gracefully, in reverse order: the loops first (cancelled between
        // or within transactional rounds), then the kiosk listener and the main server, which finish
        // the requests they are serving. A server that fails ends the group.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: app)]
        if let kioskListen {
            services.append(.init(service: buildKioskApplication(kiosk: kiosk, localWrites: loop.localWritesAllowed, listen: kioskListen, logger: logger,
                                                                  trustedProxies: settings.trustedProxies)))
        }
        services.append(.init(service: LoopService(name: "sync", after: started) { await loop.run() }, successTerminationBehavior: .ignore))
        services.append(.init(service: LoopService(name: "retention", after: started) { await retention.run() }, successTerminationBehavior: .ignore))
        services.append(.init(service: StoppingNotice(notifier: notifier), successTerminationBehavior: .ignore))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
        do {
            try await group.run()
        } catch {
            // Before the server is up, the only thing that fails is binding the address.
            if !started.isSet { throw DaemonError.cannotListen(address: listen, reason: "\(error)") }
            throw error
        }
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
