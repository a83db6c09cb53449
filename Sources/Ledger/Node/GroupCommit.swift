import Foundation

/// Group commit for concurrent writers of one node (docs/STORE.md, "Group commit"): signers at a
/// kiosk or on the public page whose requests arrive together share one transaction and one
/// fsync, and each gets its entries (and so its receipt) only after that commit.
///
/// Leader and followers: the first caller to find no commit in progress becomes the leader and
/// appends every request queued so far, its own included, in one ``LedgerStore/appendBatch(_:signer:)``;
/// callers that arrive meanwhile wait, and the next of them leads the next group. A request's
/// entries stay together and in order (a signature and the comment that follows it), so a
/// comment's `signature` still names its own signature. When a group's append fails, each of
/// its requests is appended alone, so that one request's fault fails that request only.
///
/// For example:
/// ```swift
/// let entries = try groupCommit.append(items, signer: key, to: store)   // durable when it returns
/// ```
public final class GroupCommit: @unchecked Sendable {
    /// Most requests in one group: bounds a transaction's size and the wait of the last in it.
    public static let maxGroup = 256

    /// How long a group waits, in milliseconds, while another process holds the store's write
    /// lock (a long `ledgerctl import` or `rebuild`) before its requests fail as busy
    /// (``Swift/Error/isWriterBusy``): a person at the kiosk is told to try again in seconds,
    /// not after SQLite's 30.
    public static let busyWait: Int32 = 5_000

    private final class Request {
        let items: [Appendable]
        let signer: SigningKey
        var result: Result<[Entry], any Error>?
        init(_ items: [Appendable], signer: SigningKey) {
            self.items = items
            self.signer = signer
        }
    }

    private let condition = NSCondition()
    private var queue: [Request] = []
    private var leading = false
    private var groups = 0
    private var grouped = 0

    public init() {}

    /// Commits so far, requests in them, and requests waiting now (for the benchmark and tests):
    /// requests / groups is the mean group size.
    public var statistics: (groups: Int, requests: Int, waiting: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (groups, grouped, queue.count)
    }

    /// Appends `items` to `signer`'s log, in a group with whatever other requests are waiting,
    /// and returns this request's entries once the group's transaction has committed.
    public func append(_ items: [Appendable], signer: SigningKey, to store: LedgerStore) throws -> [Entry] {
        let request = Request(items, signer: signer)
        condition.lock()
        queue.append(request)
        while request.result == nil {
            if leading {
                condition.wait()
                continue
            }
            leading = true
            // One group, one log: only requests for the leader's key join it.
            let key = request.signer.publicKey
            var group: [Request] = []
            var rest: [Request] = []
            for waiting in queue {
                if group.count < Self.maxGroup && waiting.signer.publicKey == key { group.append(waiting) } else { rest.append(waiting) }
            }
            queue = rest
            groups += 1
            grouped += group.count
            condition.unlock()
            Self.commit(group, signer: request.signer, to: store)
            condition.lock()
            leading = false
            condition.broadcast()
        }
        condition.unlock()
        return try request.result!.get()
    }

    private static func commit(_ group: [Request], signer: SigningKey, to store: LedgerStore) {
        if group.count == 1 {
            group[0].result = Result { try store.appendBatch(group[0].items, signer: signer, busyWait: busyWait) }
            return
        }
        do {
            let entries = try store.appendBatch(group.flatMap(\.items), signer: signer, busyWait: busyWait)
            var start = 0
            for request in group {
                request.result = .success(Array(entries[start..<start + request.items.count]))
                start += request.items.count
            }
        } catch where error.isWriterBusy {
            // No request is at fault, and each alone would wait again: all fail at once.
            for request in group { request.result = .failure(error) }
        } catch {
            // One request may be at fault (a rule its entries break): each alone, so only it fails.
            for request in group { request.result = Result { try store.appendBatch(request.items, signer: signer, busyWait: busyWait) } }
        }
    }
}
