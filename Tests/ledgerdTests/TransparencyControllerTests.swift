import Foundation
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

@Suite("GET /checkpoint")
struct TransparencyControllerTests {
    @Test("HQ serves a checkpoint that verifies with its key, growing with the tree; the same size gives the same note")
    func servesCheckpoint() async throws {
        try await withTemporaryDirectory { directory in
            let node = try makeHQNode(in: directory)
            let key = try node.checkpointKey()
            let app = buildApplication(node: node, logger: quietLogger())
            try await app.test(.router) { client in
                var first = ""
                try await client.execute(uri: "/checkpoint", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                    first = String(decoding: response.body.readableBytesView, as: UTF8.self)
                }
                let (checkpoint, _) = try Checkpoint.verify(note: first, key: key)
                #expect(checkpoint.size == 2 && checkpoint.epoch == 1)
                try await client.execute(uri: "/checkpoint", method: .get) { response in
                    #expect(String(decoding: response.body.readableBytesView, as: UTF8.self) == first)
                }
                _ = try node.sign(campaign: "free-the-press", signer: SignerDetails(name: "Kari", email: "kari@example.org"))
                try await client.execute(uri: "/checkpoint", method: .get) { response in
                    let (later, _) = try Checkpoint.verify(note: String(decoding: response.body.readableBytesView, as: UTF8.self), key: key)
                    #expect(later.size == 3)
                    let proof = try node.store.consistencyProof(old: 2, new: 3)
                    #expect(MerkleTree.verifyConsistency(old: 2, new: 3, oldRoot: checkpoint.root, newRoot: later.root, proof: proof))
                }
            }
        }
    }

    @Test("a node that is not HQ answers 404 with a reason")
    func notHQ() async throws {
        try await withTemporaryDirectory { directory in
            let hq = try makeHQNode(in: directory)
            let bundle = try hq.exportBundle(to: directory.appendingPathComponent("hq.bundle").path)
            let (observer, _) = try LedgerNode.createObserver(at: directory.appendingPathComponent("observer").path, bundle: bundle)
            let app = buildApplication(node: observer, logger: quietLogger())
            try await app.test(.router) { client in
                try await client.execute(uri: "/checkpoint", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(String(decoding: response.body.readableBytesView, as: UTF8.self).contains("only HQ signs checkpoints"))
                }
            }
        }
    }
}
