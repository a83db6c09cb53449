import Hummingbird
import Ledger
import Logging

/// Builds ledgerd's HTTP application for `node`: the routes, one log line per request, and a
/// `Serving http://HOST:PORT` log line once the address is bound (with the real port when
/// `listen` asks for port 0). `Ledgerd.run()` serves it; the tests drive it with `app.test(.router)`.
///
/// For example:
/// ```swift
/// let app = buildApplication(node: try LedgerNode.open(at: "ledger-data"), logger: Logger(label: "ledgerd"))
/// try await app.runService()
/// ```
///
/// - Parameters:
///   - localWrites: set once local writes (the kiosk's) may begin; nil when they may at once.
///   - onServing: called with the server's base URL once it accepts connections.
func buildApplication(
    node: LedgerNode,
    listen: ListenAddress = .default,
    logger: Logger,
    localWrites: StartupFlag? = nil,
    kiosk: KioskController<LedgerRequestContext>? = nil,
    metrics: LedgerMetrics? = nil,
    metricsPublic: Bool = false,
    trustedProxies: TrustedProxies = .none,
    onServing: @escaping @Sendable (String) -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(node: node, kiosk: kiosk, localWrites: localWrites, metrics: metrics, metricsPublic: metricsPublic,
                            trustedProxies: trustedProxies),
        configuration: ApplicationConfiguration(address: listen.bindAddress, serverName: "ledgerd"),
        onServerRunning: { channel in
            let url = listen.url(port: channel.localAddress?.port ?? listen.port)
            logger.info("Serving \(url)")
            onServing(url)
        },
        logger: logger
    )
}

/// The routes of ledgerd, behind the request log. `wallClock` judges the time of signed requests;
/// `localWrites`, when given, holds back the kiosk's writes until it is set (``LocalWritesGate``);
/// `trustedProxies` are the reverse proxies whose `X-Forwarded-For` names the client (``ClientAddressMiddleware``).
///
/// `answerBudget`, when given, cuts the sync API's answers of entries and payloads smaller than
/// ``SyncService/answerBudget``'s default (tests of the clients that ask again).
func buildRouter(node: LedgerNode, wallClock: any WallClock = SystemClock(), kiosk: KioskController<LedgerRequestContext>? = nil,
                 localWrites: StartupFlag? = nil, metrics: LedgerMetrics? = nil, metricsPublic: Bool = false,
                 trustedProxies: TrustedProxies = .none, answerBudget: Int? = nil) -> Router<LedgerRequestContext> {
    let router = Router(context: LedgerRequestContext.self)
    router.add(middleware: RequestLogMiddleware())  // first, so that it also logs 404s
    router.add(middleware: ClientAddressMiddleware(trusted: trustedProxies))
    if let metrics {
        // Requests per route, method and status, and their latency (swift-metrics, bootstrapped to `metrics`).
        router.add(middleware: MetricsMiddleware())
        router.addRoutes(MetricsController(node: node, metrics: metrics, public_: metricsPublic, wallClock: wallClock).endpoints)
    }
    if let localWrites { router.add(middleware: LocalWritesGate(open: localWrites)) }
    router.addRoutes(HealthController(store: node.store).endpoints)
    router.addRoutes(TransparencyController(node: node).endpoints)
    let verifier = RequestVerifier(store: node.store)  // one nonce memory for every signed route, kept across restarts
    var service = SyncService(node: node, verifier: verifier, wallClock: wallClock)
    if let answerBudget { service.answerBudget = answerBudget }
    router.addRoutes(InfoController(service: service).endpoints, atPath: "/v1")
    router.addRoutes(SyncController(service: service).endpoints, atPath: "/v1")
    router.addRoutes(RekeyController(service: service).endpoints, atPath: "/v1")
    router.addRoutes(JoinController(node: node, verifier: verifier, wallClock: wallClock).endpoints, atPath: "/v1")
    router.addRoutes((kiosk ?? KioskController(node: node, kioskCampaign: nil)).endpoints)
    return router
}

/// The kiosk pages alone, for `--kiosk-listen` (a tablet on the stall's network reaches the
/// signing page, not the sync API). Shares the main listener's kiosk: one rate limit, one set of
/// form tokens.
func buildKioskApplication(
    kiosk: KioskController<LedgerRequestContext>,
    localWrites: StartupFlag?,
    listen: ListenAddress,
    logger: Logger,
    trustedProxies: TrustedProxies = .none
) -> some ApplicationProtocol {
    let router = Router(context: LedgerRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ClientAddressMiddleware(trusted: trustedProxies))
    if let localWrites { router.add(middleware: LocalWritesGate(open: localWrites)) }
    router.addRoutes(kiosk.endpoints)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(address: listen.bindAddress, serverName: "ledgerd-kiosk"),
        onServerRunning: { channel in
            logger.info("Serving the kiosk on \(listen.url(port: channel.localAddress?.port ?? listen.port))")
        },
        logger: logger
    )
}
