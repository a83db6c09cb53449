import Crypto

/// The Merkle hash tree of RFC 6962 section 2.1, over leaf hashes given by index: the tree HQ
/// keeps over every entry it holds, in the order it accepted them (docs/TRANSPARENCY.md).
///
/// Leaf and interior hashes are domain separated as the RFC says:
/// `leaf = SHA-256(0x00 || data)`, `node = SHA-256(0x01 || left || right)`. Functions take a
/// `leaf(i)` accessor so the leaves can live in the store; they read each leaf once per call.
///
/// For example:
/// ```swift
/// let leaves = entries.map { MerkleTree.leafHash($0.bytes) }
/// let root = MerkleTree.root(size: leaves.count) { leaves[$0] }
/// let proof = MerkleTree.inclusionProof(index: 3, size: leaves.count) { leaves[$0] }
/// #expect(MerkleTree.verifyInclusion(leaf: leaves[3], index: 3, size: leaves.count, proof: proof, root: root))
/// ```
public enum MerkleTree {
    /// `SHA-256(0x00 || data)` (RFC 6962 section 2.1).
    public static func leafHash(_ data: [UInt8]) -> Digest {
        Digest.sha256([0x00] + data)
    }

    /// `SHA-256(0x01 || left || right)` (RFC 6962 section 2.1).
    public static func nodeHash(_ left: Digest, _ right: Digest) -> Digest {
        Digest.sha256([0x01] + left.bytes + right.bytes)
    }

    /// The hash of the empty tree: `SHA-256()` of nothing.
    public static let emptyRoot = Digest.sha256([UInt8]())

    /// The largest power of two smaller than `n` (n > 1): RFC 6962's split point `k`.
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The hash of a perfect subtree from leaf hashes: level 0 is leaf `index`, level `h` covers
    /// leaves `index * 2^h ..< (index + 1) * 2^h`.
    static func perfectNode(_ level: Int, _ index: Int, _ leaf: (Int) throws -> Digest) rethrows -> Digest {
        level == 0 ? try leaf(index) : nodeHash(try perfectNode(level - 1, 2 * index, leaf), try perfectNode(level - 1, 2 * index + 1, leaf))
    }

    /// MTH(D[start..<start+size]). Every subtree the RFC's recursion meets is either perfect and
    /// aligned (its size a power of two dividing its start) or split again, so `node(level, index)`
    /// (the hash of perfect subtree `index` at `level`) is all it needs: a store that keeps those
    /// hashes answers in O(log n) reads.
    static func subtreeRoot(start: Int, size: Int, _ node: (Int, Int) throws -> Digest) rethrows -> Digest {
        if size == 0 { return emptyRoot }
        if size & (size - 1) == 0 { return try node(size.trailingZeroBitCount, start / size) }
        let k = split(size)
        return nodeHash(try subtreeRoot(start: start, size: k, node), try subtreeRoot(start: start + k, size: size - k, node))
    }

    /// The root of the tree of the first `size` leaves.
    public static func root(size: Int, _ leaf: (Int) throws -> Digest) rethrows -> Digest {
        try root(size: size, node: { try perfectNode($0, $1, leaf) })
    }

    /// The root of the tree of the first `size` leaves, from perfect-subtree hashes
    /// (`node(level, index)`, level 0 being the leaves).
    public static func root(size: Int, node: (Int, Int) throws -> Digest) rethrows -> Digest {
        try subtreeRoot(start: 0, size: size, node)
    }

    /// The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves, leaf side
    /// first (RFC 6962 section 2.1.1, PATH(m, D[n])).
    /// Empty for an index outside the tree.
    public static func inclusionProof(index: Int, size: Int, _ leaf: (Int) throws -> Digest) rethrows -> [Digest] {
        try inclusionProof(index: index, size: size, node: { try perfectNode($0, $1, leaf) })
    }

    /// ``inclusionProof(index:size:_:)`` from perfect-subtree hashes.
    public static func inclusionProof(index: Int, size: Int, node: (Int, Int) throws -> Digest) rethrows -> [Digest] {
        guard index >= 0 && index < size else { return [] }
        func path(_ m: Int, start: Int, size: Int) throws -> [Digest] {
            if size <= 1 { return [] }
            let k = split(size)
            if m < k {
                return try path(m, start: start, size: k) + [subtreeRoot(start: start + k, size: size - k, node)]
            }
            return try path(m - k, start: start + k, size: size - k) + [subtreeRoot(start: start, size: k, node)]
        }
        return try path(index, start: 0, size: size)
    }

    /// The consistency proof from the tree of `old` leaves to the tree of `new` leaves
    /// (RFC 6962 section 2.1.2, PROOF(m, D[n])); empty when `old` is 0 or equals `new`.
    /// Empty too when `old` is not between 0 and `new`.
    public static func consistencyProof(old: Int, new: Int, _ leaf: (Int) throws -> Digest) rethrows -> [Digest] {
        try consistencyProof(old: old, new: new, node: { try perfectNode($0, $1, leaf) })
    }

    /// ``consistencyProof(old:new:_:)`` from perfect-subtree hashes.
    public static func consistencyProof(old: Int, new: Int, node: (Int, Int) throws -> Digest) rethrows -> [Digest] {
        if old <= 0 || old >= new { return [] }
        func subproof(_ m: Int, start: Int, size: Int, complete: Bool) throws -> [Digest] {
            if m == size { return complete ? [] : [try subtreeRoot(start: start, size: size, node)] }
            let k = split(size)
            if m <= k {
                return try subproof(m, start: start, size: k, complete: complete) + [subtreeRoot(start: start + k, size: size - k, node)]
            }
            return try subproof(m - k, start: start + k, size: size - k, complete: false) + [subtreeRoot(start: start, size: k, node)]
        }
        return try subproof(old, start: 0, size: new, complete: true)
    }

    /// Checks an inclusion proof (RFC 9162 section 2.1.3.2, the algorithm for RFC 6962 trees).
    public static func verifyInclusion(leaf: Digest, index: Int, size: Int, proof: [Digest], root: Digest) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Checks a consistency proof between two tree heads (RFC 9162 section 2.1.4.2).
    public static func verifyConsistency(old: Int, new: Int, oldRoot: Digest, newRoot: Digest, proof: [Digest]) -> Bool {
        guard old >= 0, old <= new else { return false }
        if old == new { return proof.isEmpty && oldRoot == newRoot }
        if old == 0 { return proof.isEmpty }
        var path = proof
        // When old is a power of two, the old root itself starts the path.
        if old & (old - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard !path.isEmpty else { return false }
        var fn = old - 1
        var sn = new - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}
