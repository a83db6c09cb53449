import Foundation
import Hummingbird
import Ledger
import Metrics
import NIOCore
import Prometheus

/// ledgerd's metrics (docs/OPERATIONS.md, "Metrics"): one Prometheus registry, fed two ways.
///
/// - Requests: Hummingbird's `MetricsMiddleware` records a count and a latency histogram per
///   route, method and status through swift-metrics, whose backend is this registry
///   (``bootstrap()``, once per process, in `ledgerd`'s main).
/// - The ledger: entries, signatures by campaign and state, forks, the tree, witnessing and each
///   peer's last sync are read from the store when `/metrics` is scraped.
///
/// The exposition is swift-prometheus's; no label value is personal data (campaign ids, peer
/// URLs, states).
final class LedgerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Makes this registry swift-metrics' backend for the whole process (request metrics).
    func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                                   .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                                   .seconds(2.5), .seconds(5), .seconds(10)]
        MetricsSystem.bootstrap(factory)
    }

    /// The signature states of docs/READMODELS.md, each reported (0 when none).
    static let states = ["counted", "duplicate", "withdrawn", "late", "unauthorised", "forked", "unchecked", "orphan"]

    /// Reads the ledger's figures into the registry's gauges.
    func refresh(node: LedgerNode, now: UInt64) throws {
        func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = [], _ value: Double) {
            let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
            let metric = labels.isEmpty ? registry.makeGauge(descriptor: descriptor) : registry.makeGauge(descriptor: descriptor, labels: labels)
            metric.set(value)
        }
        let store = node.store
        gauge("ledger_entries", "Entries this node holds on its authors' logs.", [], Double(try store.entryCount()))
        gauge("ledger_fork_entries", "Branch entries of forked logs this node holds.", [], Double(try store.forkEntryCount()))
        let forked = try store.forkedLogs()
        gauge("ledger_forked_logs", "Logs with a fork.", [], Double(forked.count))
        gauge("ledger_forked_held_entries", "Entries of forked logs held (not counted) until HQ adopts the fork.", [], Double(forked.reduce(0) { $0 + $1.held }))
        for campaign in try store.campaigns() {
            let counts = try store.signatureCounts(campaign: campaign.campaign)
            for state in Self.states {
                gauge("ledger_signatures", "Signatures by campaign and state (docs/READMODELS.md).",
                      [("campaign", campaign.campaign), ("state", state)], Double(counts[state] ?? 0))
            }
            gauge("ledger_campaign_open", "1 while the campaign is open.", [("campaign", campaign.campaign)], campaign.isOpen(at: now) ? 1 : 0)
        }
        if node.role == .hq, store.keepsMerkleTree {
            gauge("ledger_tree_size", "Leaves of HQ's Merkle tree (docs/FORMAT.md section 11).", [], Double(try store.treeSize()))
            gauge("ledger_tree_epoch", "The epoch of HQ's checkpoints.", [], Double(try store.treeEpoch()))
            if let newest = try store.newestCheckpoint() {
                gauge("ledger_checkpoint_size", "Tree size of the newest signed checkpoint.", [], Double(newest.size))
                gauge("ledger_checkpoint_cosignatures", "Witness cosignatures of the newest signed checkpoint.", [],
                      Double(try store.cosignatureLines(epoch: newest.epoch, size: newest.size).count))
            }
        } else {
            let witness = try node.witnessState()
            gauge("ledger_witness_alarm", "1 when HQ showed this laptop a rewritten history (docs/OPERATIONS.md).", [], witness.alarm == nil ? 0 : 1)
            if let size = witness.size { gauge("ledger_witnessed_checkpoint_size", "Tree size of the newest HQ checkpoint this node checked.", [], Double(size)) }
        }
        for (peer, state) in PeerBook(folder: node.folder).states() {
            let labels = [("peer", peer)]
            if let success = state.lastSuccess {
                gauge("ledger_peer_last_success_seconds", "POSIX time of the last successful sync with the peer.", labels, Double(success) / 1000)
                gauge("ledger_peer_since_success_seconds", "Seconds since the last successful sync with the peer.", labels,
                      Double(now > success ? now - success : 0) / 1000)
            }
            if let lag = state.lag { gauge("ledger_peer_lag_entries", "Entries the peer held that this node lacked after the last sync.", labels, Double(lag)) }
            gauge("ledger_peer_failures", "Failed syncs with the peer since its last success.", labels, Double(state.failures))
        }
    }
}

/// `GET /metrics`: the Prometheus text format. Answered only to loopback clients unless
/// `ledgerd --metrics-public` (HQ's page may be public; its figures are for the operators).
struct MetricsController {
    let node: LedgerNode
    let metrics: LedgerMetrics
    let public_: Bool
    let wallClock: any WallClock

    var endpoints: RouteCollection<LedgerRequestContext> {
        let routes = RouteCollection(context: LedgerRequestContext.self)
        routes.get("metrics", use: scrape)
        return routes
    }

    @Sendable func scrape(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        // The client's address: behind a trusted proxy the one it forwarded, not the proxy's own.
        if !public_, let client = context.clientAddress, !((try? SocketAddress(ipAddress: client, port: 0)).map(Self.isLoopback) ?? false) {
            throw ProblemError(status: .notFound, error: "metrics are served to this machine only (ledgerd --metrics-public serves them to every client)")
        }
        let text = try await Blocking.run { [node, metrics, wallClock] in
            try metrics.refresh(node: node, now: wallClock.nowMillis())
            return metrics.registry.emitToBuffer()
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4): return (v4.address.sin_addr.s_addr & 0xFF) == 127  // network byte order: first octet
        case .v6: return address.ipAddress == "::1" || (address.ipAddress?.hasPrefix("::ffff:127.") ?? false)
        case .unixDomainSocket: return true
        }
    }
}
