import Foundation
import Ledger

@testable import ledgerd

/// The campaign every test node signs.
let testCampaign = "free-the-press"

/// A signer with made-up details, distinct for each `number`.
func testSigner(_ label: String, _ number: Int) -> SignerDetails {
    let mailbox = label.lowercased().filter { $0.isLetter || $0.isNumber }
    return SignerDetails(name: "\(label) Signer \(number)", email: "\(mailbox)\(number)@example.org", country: "NO", consentContact: number % 2 == 0)
}

/// Runs blocking library work (SyncClient, store writes) off the cooperative threads, as ledgerd does.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Blocking.run(work)
}

/// Joins a new field laptop at `path` to the HQ served at `hqURL`, as `ledgerctl init --join` does:
/// an invitation, the laptop's keys from the token, `POST /v1/join`, then HQ's log. The laptop's
/// peers.json is left empty, so that a ledgerd serving it syncs only when a test says so.
func joinLaptop(_ name: String, hq: LedgerNode, hqURL: URL, at path: String) async throws -> LedgerNode {
    let token = try hq.invite(name: name, url: hqURL.absoluteString)
    let laptop = try LedgerNode.createFromToken(at: path, token: token)
    try await offPool {
        _ = try laptop.join(token: token)
    }
    try PeerBook(folder: laptop.folder).remove(hqURL.absoluteString)
    return laptop
}

/// Signs `count` signatures on `node`, labelled `label`.
@discardableResult
func sign(_ count: Int, on node: LedgerNode, label: String) async throws -> [SigningReceipt] {
    try await offPool { try (1...count).map { try node.sign(campaign: testCampaign, signer: testSigner(label, $0), channel: .kiosk) } }
}

/// Syncs `node` with the peer at `url`, like ledgerd's loop does.
func sync(_ node: LedgerNode, with url: URL, batchSize: Int? = nil, progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
    let client = try await offPool { try SyncClient(node: node, peer: url, timeout: 10, batchSize: batchSize ?? SyncClient.defaultBatchSize) }
    return try await client.sync(progress: progress)
}

/// The entries of `author` that `store` holds.
func entries(of author: PublicKey, in store: LedgerStore) throws -> [Entry] {
    try store.entries(author: author, after: 0, limit: 100_000)
}
