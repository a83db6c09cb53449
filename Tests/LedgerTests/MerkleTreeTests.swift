import Foundation
import Testing

@testable import Ledger

/// RFC 6962 Merkle trees, pinned by the Certificate Transparency reference vectors (the leaves
/// "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f).
@Suite("Merkle tree (RFC 6962)")
struct MerkleTreeTests {
    static let data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .map { Hex.decode($0) ?? [] }
    static let leaves = data.map(MerkleTree.leafHash)
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    func hashes(_ hex: [String]) -> [Digest] { hex.compactMap { Digest(hex: $0) } }

    @Test("roots of every size from 0 to 8 are the reference roots")
    func roots() {
        for size in 0...8 {
            #expect(MerkleTree.root(size: size) { Self.leaves[$0] }.hex == Self.roots[size], "size \(size)")
        }
    }

    @Test("inclusion proofs are the reference proofs, and verify")
    func inclusion() {
        let cases: [(Int, Int, [String])] = [
            (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
            (0, 1, []),
        ]
        for (index, size, expected) in cases {
            let proof = MerkleTree.inclusionProof(index: index, size: size) { Self.leaves[$0] }
            #expect(proof == hashes(expected), "\(index) in \(size)")
            let root = MerkleTree.root(size: size) { Self.leaves[$0] }
            #expect(MerkleTree.verifyInclusion(leaf: Self.leaves[index], index: index, size: size, proof: proof, root: root))
        }
    }

    @Test("consistency proofs are the reference proofs, and verify")
    func consistency() {
        let cases: [(Int, Int, [String])] = [
            (1, 1, []),
            (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
            (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        ]
        for (old, new, expected) in cases {
            let proof = MerkleTree.consistencyProof(old: old, new: new) { Self.leaves[$0] }
            #expect(proof == hashes(expected), "\(old) to \(new)")
            #expect(MerkleTree.verifyConsistency(old: old, new: new, oldRoot: Digest(hex: Self.roots[old]) ?? .zero,
                                                 newRoot: Digest(hex: Self.roots[new]) ?? .zero, proof: proof))
        }
    }

    @Test("every proof of every tree up to 40 leaves verifies, and any changed hash, index or size fails")
    func everyShape() {
        let many = (0..<40).map { MerkleTree.leafHash([UInt8($0), 7]) }
        for size in 1...40 {
            let root = MerkleTree.root(size: size) { many[$0] }
            for index in 0..<size {
                let proof = MerkleTree.inclusionProof(index: index, size: size) { many[$0] }
                #expect(MerkleTree.verifyInclusion(leaf: many[index], index: index, size: size, proof: proof, root: root))
                #expect(!MerkleTree.verifyInclusion(leaf: many[(index + 1) % 40], index: index, size: size, proof: proof, root: root))
                if size > 1 { #expect(!MerkleTree.verifyInclusion(leaf: many[index], index: (index + 1) % size, size: size, proof: proof, root: root)) }
                if var flipped = proof.first.map({ $0.bytes }) {
                    flipped[0] ^= 1
                    #expect(!MerkleTree.verifyInclusion(leaf: many[index], index: index, size: size,
                                                        proof: [Digest(unchecked: flipped)] + proof.dropFirst(), root: root))
                }
            }
            for old in 1...size {
                let oldRoot = MerkleTree.root(size: old) { many[$0] }
                let proof = MerkleTree.consistencyProof(old: old, new: size) { many[$0] }
                #expect(MerkleTree.verifyConsistency(old: old, new: size, oldRoot: oldRoot, newRoot: root, proof: proof), "\(old) to \(size)")
                if old < size {
                    #expect(!MerkleTree.verifyConsistency(old: old, new: size, oldRoot: MerkleTree.leafHash([99]), newRoot: root, proof: proof))
                }
            }
        }
    }
}

@Suite("Merkle tree from stored perfect subtrees")
struct MerkleTreeNodeTests {
    @Test("root and proofs built from perfect-subtree hashes equal those built from leaves")
    func nodesEqualLeaves() {
        let many = (0..<37).map { MerkleTree.leafHash([UInt8($0), 9]) }
        let node: (Int, Int) -> Digest = { level, index in MerkleTree.perfectNode(level, index) { many[$0] } }
        for size in 1...37 {
            #expect(MerkleTree.root(size: size, node: node) == MerkleTree.root(size: size) { many[$0] })
            for index in 0..<size {
                #expect(MerkleTree.inclusionProof(index: index, size: size, node: node)
                        == MerkleTree.inclusionProof(index: index, size: size) { many[$0] })
            }
            for old in 1...size {
                #expect(MerkleTree.consistencyProof(old: old, new: size, node: node)
                        == MerkleTree.consistencyProof(old: old, new: size) { many[$0] })
            }
        }
    }
}
