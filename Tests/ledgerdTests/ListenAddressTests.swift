import ArgumentParser
import Testing

@testable import ledgerd

@Suite("--listen HOST:PORT")
struct ListenAddressTests {
    @Test("parses host and port", arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("0.0.0.0:0", "0.0.0.0", 0),
        ("localhost:65535", "localhost", 65535),
        ("[::1]:8080", "::1", 8080),
        ("[::]:1", "::", 1),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
        #expect(address.description == text)
    }

    @Test("rejects a malformed address with a ValidationError", arguments: [
        "", "8080", "127.0.0.1", ":8080", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:99999999999",
        "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:8o", "::1:8080", "[::1]8080", "[::1]:", "[]:80",
        "http://127.0.0.1:80", "my host:80",
    ])
    func rejects(text: String) {
        #expect(throws: ValidationError.self) { try ListenAddress(parsing: text) }
    }

    @Test("builds the URL with the bound port, in brackets for IPv6")
    func url() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:0").url(port: 4321) == "http://127.0.0.1:4321")
        #expect(try ListenAddress(parsing: "[::1]:0").url(port: 4321) == "http://[::1]:4321")
    }

    @Test("defaults to 127.0.0.1:8080")
    func defaultAddress() {
        #expect(ListenAddress.default.description == "127.0.0.1:8080")
    }
}
