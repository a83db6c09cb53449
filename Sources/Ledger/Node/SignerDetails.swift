import Crypto
import Foundation

/// What a signer tells us. The personal fields (name, e-mail, phone, address, full postcode) only
/// ever leave this value sealed to HQ; only coarse public facts (country, postcode area) and a
/// keyed pseudonym enter the log.
public struct SignerDetails: Codable, Sendable, Equatable {
    public var name: String
    public var email: String?
    public var phone: String?
    public var address: String?
    public var postcode: String?
    /// ISO 3166-1 alpha-2, any case on input.
    public var country: String?
    public var consentContact: Bool

    public init(name: String, email: String? = nil, phone: String? = nil, address: String? = nil,
                postcode: String? = nil, country: String? = nil, consentContact: Bool = false) {
        self.name = name
        self.email = email
        self.phone = phone
        self.address = address
        self.postcode = postcode
        self.country = country
        self.consentContact = consentContact
    }

    /// One invalid field: its name and what is wrong, never its value.
    public struct Problem: Sendable, Equatable {
        public var field: String
        public var reason: String
    }

    /// The details trimmed, with empty optional fields dropped and the country upper-cased.
    public var cleaned: SignerDetails {
        func clean(_ value: String?) -> String? {
            guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
            return trimmed
        }
        var out = self
        out.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        out.email = clean(email)
        out.phone = clean(phone)
        out.address = clean(address)
        out.postcode = clean(postcode)
        out.country = clean(country)?.uppercased()
        return out
    }

    /// Every invalid field of the cleaned details, in form order (the kiosk shows them all at once).
    public var problems: [Problem] {
        let out = cleaned
        var problems: [Problem] = []
        if out.name.isEmpty {
            problems.append(Problem(field: "name", reason: "is required"))
        } else if out.name.count > 200 {
            problems.append(Problem(field: "name", reason: "is longer than 200 characters"))
        }
        if let email = out.email, !SignerDetails.isPlausibleEmail(email) {
            problems.append(Problem(field: "email", reason: "is not a valid e-mail address (expected name@example.org)"))
        }
        if let phone = out.phone, !phone.allSatisfy({ $0.isNumber || " +-()".contains($0) }) || phone.count > 32 {
            problems.append(Problem(field: "phone", reason: "may hold only digits, spaces, +, -, ( and )"))
        }
        if let postcode = out.postcode, postcode.count > 16 || !postcode.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }) {
            problems.append(Problem(field: "postcode", reason: "may hold only the letters A-Z, digits, spaces and dashes (at most 16)"))
        }
        if let country = out.country, !(country.count == 2 && country.allSatisfy({ $0.isASCII && $0.isLetter })) {
            problems.append(Problem(field: "country", reason: "must be a two-letter ISO 3166 code such as NO or GB"))
        }
        if let address = out.address, address.count > 500 {
            problems.append(Problem(field: "address", reason: "is longer than 500 characters"))
        }
        return problems
    }

    /// The cleaned details, or the first problem as an error that names the field, never its value.
    public func validated() throws -> SignerDetails {
        if let problem = problems.first { throw NodeError.invalidSigner(field: problem.field, reason: problem.reason) }
        return cleaned
    }

    /// A deliberately simple check: one `@`, a non-empty local part, a dotted domain, no spaces.
    public static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, email.count <= 254 else { return false }
        let domain = parts[1]
        guard !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }
    }

    /// The first two characters of the postcode, upper case: a coarse area that is safe to publish.
    public var postcodeArea: String? {
        guard let postcode else { return nil }
        let compact = postcode.uppercased().filter { $0.isLetter || $0.isNumber }
        return compact.isEmpty ? nil : String(compact.prefix(2))
    }

    /// The normalised identity the pseudonym is computed from (docs/PRIVACY.md):
    /// `campaign:` + campaign id + `\n`, then `email:` + lower-cased trimmed e-mail, or else
    /// `name:` + lower-cased name with single spaces + `|` + postcode upper-cased without spaces.
    /// The campaign id makes references of one person unlinkable across campaigns.
    public func identityForPseudonym(campaign: String) -> String {
        let prefix = "campaign:" + campaign + "\n"
        if let email { return prefix + "email:" + email.lowercased() }
        let name = self.name.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        let postcode = (self.postcode ?? "").uppercased().filter { !$0.isWhitespace }
        return prefix + "name:" + name + "|" + postcode
    }

    /// `HMAC-SHA-256(key, identityForPseudonym(campaign:))`: the same person signing the same
    /// campaign gives the same reference on every node that holds the ledger's pseudonym key;
    /// the log alone reveals nothing, and two campaigns' references cannot be linked.
    public func pseudonym(key: [UInt8], campaign: String) -> Digest {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(identityForPseudonym(campaign: campaign).utf8), using: SymmetricKey(data: key))
        return Digest(unchecked: Array(mac))
    }

    /// The plaintext that is sealed: the canonical JSON of these details.
    public func sealedPlaintext() throws -> [UInt8] {
        try CanonicalJSON.encode(self)
    }
}
