/// The JSON bodies of the sync protocol (docs/PROTOCOL.md). Entries and payloads travel as
/// base64 of their exact bytes.

/// `GET /v1/heads`: the head of every log the node holds.
public struct HeadsResponse: Codable, Sendable, Equatable {
    public var ledger: String
    public var heads: [LogHead]

    public init(ledger: String, heads: [LogHead]) {
        self.ledger = ledger
        self.heads = heads
    }
}

/// `POST /v1/entries/fetch`: entries after a sequence number, per author.
public struct FetchRequest: Codable, Sendable, Equatable {
    public struct From: Codable, Sendable, Equatable {
        public var author: String
        /// Entries with a sequence number above this one (0 for the whole log).
        public var after: UInt64

        public init(author: String, after: UInt64) {
            self.author = author
            self.after = after
        }
    }

    public var from: [From]
    /// At most this many entries in the answer (the server caps it at ``SyncLimits/maxBatchEntries``).
    public var limit: Int

    public init(from: [From], limit: Int) {
        self.from = from
        self.limit = limit
    }
}

/// `POST /v1/entries/chain`: entries of one author from `head` back along their links, newest
/// first (how a node fetches a branch of a forked log).
public struct ChainRequest: Codable, Sendable, Equatable {
    public var author: String
    public var head: String
    /// At most this many entries (capped at ``SyncLimits/maxBatchEntries``).
    public var limit: Int

    public init(author: String, head: String, limit: Int) {
        self.author = author
        self.head = head
        self.limit = limit
    }
}

/// Entries, in log order per author (`POST /v1/entries/fetch` answer, `POST /v1/entries` request).
public struct EntryBatch: Codable, Sendable, Equatable {
    public var entries: [String]
    /// In a fetch answer: true when the limit cut the answer short.
    public var more: Bool?

    public init(entries: [String], more: Bool? = nil) {
        self.entries = entries
        self.more = more
    }
}

/// What a push stored (`POST /v1/entries` and `POST /v1/payloads` answers).
public struct PushResult: Codable, Sendable, Equatable {
    /// Entries (or payloads) stored now.
    public var added: Int
    /// Already held.
    public var known: Int
    /// Of `added`, branch entries of forked logs.
    public var forks: Int
    /// Refused and not stored (branch entries over the bounds).
    public var refused: Int
    /// Of `added`, entries past their author's revocation: kept as evidence, not counted.
    public var unauthorised: Int?

    public init(added: Int, known: Int, forks: Int, refused: Int, unauthorised: Int? = nil) {
        self.added = added
        self.known = known
        self.forks = forks
        self.refused = refused
        self.unauthorised = unauthorised
    }
}

/// Payload digests (`GET /v1/payloads/wanted` answer, `POST /v1/payloads/fetch` request).
public struct DigestList: Codable, Sendable, Equatable {
    public var digests: [String]

    public init(digests: [String]) {
        self.digests = digests
    }
}

/// Sealed payloads (`POST /v1/payloads/fetch` answer, `POST /v1/payloads` request).
public struct PayloadBatch: Codable, Sendable, Equatable {
    public var payloads: [String]

    public init(payloads: [String]) {
        self.payloads = payloads
    }
}

/// The error body of every 4xx/5xx answer.
public struct ProblemResponse: Codable, Sendable, Equatable {
    public var error: String
    /// The entry at fault, when there is one.
    public var fault: EntryFault?

    public init(error: String, fault: EntryFault? = nil) {
        self.error = error
        self.fault = fault
    }
}

/// Limits both sides enforce.
public enum SyncLimits {
    /// Largest request body accepted, in bytes (16 MiB).
    public static let maxBodyBytes = 16 << 20
    /// Largest answer body a client reads, in bytes (32 MiB): peers cut their answers of entries
    /// and payloads to stay under ``maxBodyBytes``, and a client stops reading an answer that
    /// passes this, or declares more in `Content-Length`.
    public static let maxAnswerBytes = 2 * maxBodyBytes

    /// Bytes that `count` bytes take as one item of a JSON batch: base64 text, its quotes and a
    /// comma. What both sides add up to cut a batch or an answer under a limit.
    static func itemBytes(_ count: Int) -> Int { (count + 2) / 3 * 4 + 3 }
    /// Most entries in one batch.
    public static let maxBatchEntries = 2_000
    /// Most logs named in one `POST /v1/entries/fetch`.
    public static let maxFetchLogs = 1_000
    /// Most payloads in one batch.
    public static let maxBatchPayloads = 500
    /// Largest clock difference accepted on a signed request, in milliseconds (5 minutes).
    public static let maxRequestSkew: UInt64 = 300_000
}

/// `POST /v1/witness` request: the newest checkpoint of HQ's the witness holds (nil the first time).
public struct WitnessRequest: Codable, Sendable, Equatable {
    public var checkpoint: String?

    public init(checkpoint: String?) {
        self.checkpoint = checkpoint
    }
}

/// `POST /v1/witness` answer: HQ's newest checkpoint and the consistency proof from the one the
/// witness sent (empty when it sent none, or when the epochs differ).
public struct WitnessResponse: Codable, Sendable, Equatable {
    public var checkpoint: String
    /// Base64 hashes.
    public var consistency: [String]

    public init(checkpoint: String, consistency: [String]) {
        self.checkpoint = checkpoint
        self.consistency = consistency
    }
}

/// `POST /v1/witness/cosign` request: a checkpoint's text (as HQ signed it) and the witness's
/// cosignature line for it.
public struct CosignRequest: Codable, Sendable, Equatable {
    public var checkpoint: String
    public var cosignature: String

    public init(checkpoint: String, cosignature: String) {
        self.checkpoint = checkpoint
        self.cosignature = cosignature
    }
}

/// `POST /v1/witness/cosign` answer.
public struct CosignResponse: Codable, Sendable, Equatable {
    public var stored: Bool

    public init(stored: Bool) {
        self.stored = stored
    }
}
