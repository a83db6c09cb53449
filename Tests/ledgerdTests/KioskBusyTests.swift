import CSQLite
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@testable import ledgerd

/// Another program (a long `ledgerctl import` or `rebuild`) holds the store's write lock: the
/// kiosk answers within seconds that the device is busy, keeps what was typed, and records
/// nothing; once the lock is gone the same form goes through (docs/KIOSK.md, "When the device is busy").
@Suite("Kiosk while another program writes")
struct KioskBusyTests {
    /// A second connection to the store's file that holds SQLite's write lock until `release()`.
    final class WriteLock {
        private var handle: OpaquePointer?

        init(path: String) throws {
            guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
                  sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else {
                sqlite3_close_v2(handle)
                throw CancellationError()
            }
        }

        func release() {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            sqlite3_close_v2(handle)
            handle = nil
        }

        deinit { if handle != nil { release() } }
    }

    @Test("signing while the writer is held: 503 with Retry-After and the busy notice in the signer's language, what was typed kept, nothing stored; then the form works")
    func signingWhileBusy() async throws {
        try await KioskTest.withNode { node in
            try await KioskTest.app(node, kiosk: "c1").test(.router) { client in
                let page = try await client.execute(uri: "/c/c1?lang=nb", method: .get) { KioskTest.text($0) }
                let token = try #require(KioskTest.token(in: page))
                let fields = ["form": token, "name": "Kari Nordmann", "email": "kari@example.org", "postcode": "0150", "country": "NO"]
                let lock = try WriteLock(path: node.store.path)
                let (status, retry, busy) = try await client.execute(uri: "/c/c1/sign?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                                     body: KioskTest.form(fields)) { ($0.status, $0.headers[.retryAfter], KioskTest.text($0)) }
                lock.release()
                #expect(status == .serviceUnavailable)
                #expect(retry == "\(KioskController<LedgerRequestContext>.busyRetryAfter)")
                expectQuietly(busy.contains("opptatt med en annen oppgave"))
                expectQuietly(KioskTest.value(of: "name", in: busy) == "Kari Nordmann")
                expectQuietly(KioskTest.receipt(in: busy) == nil)
                #expect(try KioskTest.counted(node) == 0)

                // The token was given back: the same form, sent again, is recorded.
                let (again, thanks) = try await client.execute(uri: "/c/c1/sign?lang=nb", method: .post, headers: KioskTest.formHeaders,
                                                               body: KioskTest.form(fields)) { ($0.status, KioskTest.text($0)) }
                #expect(again == .ok)
                expectQuietly(KioskTest.receipt(in: thanks) != nil)
                #expect(try KioskTest.counted(node) == 1)
            }
        }
    }

    @Test("withdrawing while the writer is held: 503 with the busy notice, the code kept; then it goes through")
    func withdrawingWhileBusy() async throws {
        try await KioskTest.withNode { node in
            let signed = try node.sign(campaign: "c1", signer: SignerDetails(name: "Kari Nordmann", email: "kari@example.org"), channel: .kiosk)
            try await KioskTest.app(node).test(.router) { client in
                let page = try await client.execute(uri: "/withdraw?lang=en", method: .get) { KioskTest.text($0) }
                let token = try #require(KioskTest.token(in: page))
                let fields = ["form": token, "receipt": signed.code.description]
                let lock = try WriteLock(path: node.store.path)
                let (status, busy) = try await client.execute(uri: "/withdraw?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                              body: KioskTest.form(fields)) { ($0.status, KioskTest.text($0)) }
                lock.release()
                #expect(status == .serviceUnavailable)
                expectQuietly(busy.contains("busy with another task"))
                expectQuietly(KioskTest.value(of: "receipt", in: busy) == signed.code.description)
                #expect(try KioskTest.counted(node) == 1)
                let done = try await client.execute(uri: "/withdraw?lang=en", method: .post, headers: KioskTest.formHeaders,
                                                    body: KioskTest.form(fields)) { $0.status }
                #expect(done == .ok)
                #expect(try KioskTest.counted(node) == 0)
            }
        }
    }
}
