import Foundation
import Ledger

/// The sync request handlers, as ledgerd serves them (Sources/ledgerd/Controllers/SyncController.swift):
/// the request is authenticated (`SyncService.authenticate`, i.e. `RequestVerifier.verify`
/// against the node's ledger and trust policy: the `sync-auth` target), then the body is decoded
/// with `JSONDecoder` like `SignedRequest.decode` does (a failure there is ledgerd's 400), then
/// the library's `SyncService` method runs against a real store.
///
/// In the handler targets the input is the request body (the query string for `sync-wanted`) of
/// a request from the fixture's enrolled field laptop (see ``authenticateEveryRequest``).
///
/// Rules, for every handler: a request is answered or refused with a `SyncError` (a 4xx; anything
/// else would be ledgerd's 500), and a refused request stores nothing.
enum SyncTargets {
    static let fetch = FuzzTarget(name: "sync-fetch", summary: "POST /v1/entries/fetch: SyncService.fetch") { body in
        handle("POST", "/v1/entries/fetch", body: body, as: FetchRequest.self) { service, request in
            let batch = try service.fetch(request)
            require(batch.entries.count <= SyncLimits.maxBatchEntries, "a fetch answers at most maxBatchEntries entries")
            let asked = Dictionary(request.from.compactMap { from in PublicKey(hex: from.author).map { ($0.hex, from.after) } },
                                   uniquingKeysWith: min)
            for text in batch.entries {
                let entry = Data(base64Encoded: text).flatMap { try? Entry(bytes: Array($0)) }
                require(entry.map { $0.sequence > (asked[$0.author.hex] ?? .max) } == true, "a fetch answers entries of the logs asked, after `after`")
            }
        }
    }

    static let push = FuzzTarget(name: "sync-push", summary: "POST /v1/entries: SyncService.push") { body in
        handle("POST", "/v1/entries", body: body, as: EntryBatch.self, mayStore: true) { service, batch in
            let result = try service.push(batch)
            // `forks` and `unauthorised` are parts of `added` (PushResult).
            require(result.added + result.known + result.refused <= batch.entries.count, "a push counts each entry once")
            require(result.forks <= result.added && (result.unauthorised ?? 0) <= result.added, "forks and unauthorised entries are counted in added")
        }
    }

    static let wanted = FuzzTarget(name: "sync-wanted", summary: "GET /v1/payloads/wanted?QUERY: SyncService.wantedPayloads") { query in
        let text = String(decoding: query, as: UTF8.self)
        let path = "/v1/payloads/wanted" + (text.isEmpty ? "" : "?" + text)
        handle("GET", path, body: []) { service in
            // Like Hummingbird's `uri.queryParameters.get("after")`: percent-decoded, first value.
            let after = URLComponents(string: path)?.queryItems?.first { $0.name == "after" }?.value.flatMap { Digest(hex: $0) }
            let list = try service.wantedPayloads(after: after)
            require(list.digests.count <= SyncLimits.maxBatchPayloads, "wanted answers at most maxBatchPayloads digests")
            require(list.digests == list.digests.sorted() && list.digests.allSatisfy { after == nil || $0 > after!.hex },
                    "wanted digests are in order, above after")
        }
    }

    static let fetchPayloads = FuzzTarget(name: "sync-fetch-payloads", summary: "POST /v1/payloads/fetch: SyncService.fetchPayloads") { body in
        handle("POST", "/v1/payloads/fetch", body: body, as: DigestList.self) { service, request in
            let batch = try service.fetchPayloads(request)
            require(batch.payloads.count <= request.digests.count, "fetchPayloads answers at most what was asked")
        }
    }

    static let pushPayloads = FuzzTarget(name: "sync-push-payloads", summary: "POST /v1/payloads: SyncService.pushPayloads") { body in
        handle("POST", "/v1/payloads", body: body, as: PayloadBatch.self, mayStore: true) { service, batch in
            let result = try service.pushPayloads(batch)
            require(result.added + result.known == batch.payloads.count, "a payload push counts each payload once")
        }
    }

    /// `sync-auth`: a whole request as text: `METHOD PATH`, header lines `Name: value`, an empty
    /// line, the body. The headers are used as they are (the seeds hold requests signed at the
    /// fixture's time).
    ///
    /// Rules: only an enrolled, unrevoked node of this ledger gets in, and the same request a
    /// second time is refused as a replay.
    static let auth = FuzzTarget(name: "sync-auth", summary: "signed request headers: RequestVerifier.verify") { bytes in
        let request = RawRequest(bytes)
        let service = SyncBench.shared.service()
        let lookup = { (name: String) in request.header(name) }
        let sender: RequestVerifier.Sender
        do {
            sender = try service.authenticate(header: lookup, method: request.method, path: request.path, body: request.body)
        } catch let error as SyncError {
            require((400..<500).contains(error.status), "a refused request is a 4xx")
            return
        } catch {
            require(false, "authenticate throws only SyncError, not \(type(of: error))")
            return
        }
        let admitted = [Fixture.hq, Fixture.field, Fixture.observer].map(\.publicKey)
        require(admitted.contains(sender.node), "only an enrolled, unrevoked node is admitted")
        do {
            _ = try service.authenticate(header: lookup, method: request.method, path: request.path, body: request.body)
            require(false, "a replayed request is refused")
        } catch SyncError.unauthorised(.replayed) {
        } catch {
            require(false, "a replayed request is refused as a replay, not \(error)")
        }
    }

    /// Signing and verifying each request (two Ed25519 operations) took half the time of the
    /// handler targets and cannot change what a handler does with the body: a valid signature
    /// only admits the request, and `sync-auth` fuzzes the verification itself. So the handler
    /// targets check once that the field laptop's requests are admitted, and then call the
    /// handlers directly; `LEDGER_FUZZ_AUTHENTICATE=every` signs and verifies every input as
    /// ledgerd does.
    static let authenticateEveryRequest = ProcessInfo.processInfo.environment["LEDGER_FUZZ_AUTHENTICATE"] == "every"

    /// Signs a request as the field laptop and authenticates it as ledgerd does; it must be admitted.
    static func authenticate(_ service: SyncService, _ method: String, _ path: String, body: [UInt8]) {
        let headers = must(try RequestAuth.headers(key: Fixture.field, ledger: Fixture.ledger, method: method, path: path, body: body, now: Fixture.now))
        do {
            _ = try service.authenticate(header: { name in headers.first { $0.key.lowercased() == name.lowercased() }?.value },
                                         method: method, path: path, body: body)
        } catch {
            require(false, "a request signed by an enrolled field laptop is admitted (\(error))")
        }
    }

    /// Decodes a request's body as `Body` and runs `work`, checking the rules above.
    private static func handle<Body: Decodable>(_ method: String, _ path: String, body: [UInt8], as type: Body.Type,
                                                mayStore: Bool = false, _ work: (SyncService, Body) throws -> Void) {
        handle(method, path, body: body, mayStore: mayStore) { service in
            guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)) else { return }  // ledgerd: 400
            try work(service, decoded)
        }
    }

    private static func handle(_ method: String, _ path: String, body: [UInt8], mayStore: Bool = false, _ work: (SyncService) throws -> Void) {
        let bench = SyncBench.shared
        let service = bench.service()
        if authenticateEveryRequest { authenticate(service, method, path, body: body) }
        do {
            try work(service)
            if mayStore, bench.counts(service.node.store) != bench.templateCounts { bench.storeMayHaveChanged() }
        } catch let error as SyncError {
            require((400..<500).contains(error.status), "a refused request is a 4xx, not \(error.status)")
            if mayStore {
                require(bench.counts(service.node.store) == bench.templateCounts, "a refused request stores nothing")
            }
        } catch {
            require(false, "a handler throws only SyncError (ledgerd answers 500 otherwise), not \(type(of: error)): \(error)")
        }
    }
}

/// A request written as text, for `sync-auth`: `METHOD PATH\nName: value\n...\n\nbody`.
struct RawRequest {
    var method = ""
    var path = ""
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    init(_ bytes: [UInt8]) {
        var lines = bytes[...]
        func nextLine() -> String? {
            guard !lines.isEmpty else { return nil }
            let end = lines.firstIndex(of: 0x0a) ?? lines.endIndex
            let line = String(decoding: lines[lines.startIndex..<end], as: UTF8.self)
            lines = end < lines.endIndex ? lines[(end + 1)...] : lines[lines.endIndex...]
            return line
        }
        let requestLine = (nextLine() ?? "").split(separator: " ", maxSplits: 1)
        method = requestLine.first.map(String.init) ?? ""
        path = requestLine.count > 1 ? String(requestLine[1]) : ""
        while let line = nextLine(), !line.isEmpty {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            headers.append((String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
        }
        body = Array(lines)
    }

    /// Like ledgerd's `HTTPFields.value(named:)`: any case, repeated fields joined by ", ".
    func header(_ name: String) -> String? {
        let values = headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The text form of a request.
    static func text(method: String, path: String, headers: [(String, String)], body: [UInt8]) -> [UInt8] {
        let head = ([method + " " + path] + headers.map { "\($0.0): \($0.1)" }).joined(separator: "\n") + "\n\n"
        return Array(head.utf8) + body
    }
}
