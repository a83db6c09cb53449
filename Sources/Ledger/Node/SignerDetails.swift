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

    /// The most bytes (UTF-8) each field may hold. Bytes, not characters: one character can be
    /// many bytes (a letter with combining accents, an emoji sequence), and what must fit is the
    /// sealed payload and the entry. Each limit is at least three times the form's `maxlength`
    /// (which counts UTF-16 units, at most 3 bytes each), so a browser never reaches it.
    public enum Limits {
        public static let name = 600
        public static let email = 254
        /// The part of an e-mail address before the `@` (RFC 5321).
        public static let emailLocalPart = 64
        public static let phone = 32
        public static let address = 1500
        public static let postcode = 16
    }

    /// One invalid field: its name and what is wrong, never its value.
    public struct Problem: Sendable, Equatable {
        /// What kind of problem, for a message in the signer's language.
        public enum Kind: Sendable, Equatable {
            /// A required field is empty.
            case missing
            /// More than `maxBytes` bytes of UTF-8.
            case tooLong(maxBytes: Int)
            /// A character that cannot be stored: NUL or another control character.
            case unstorable
            /// Not in the field's form (an e-mail address, a country code, ...).
            case invalid
        }

        public var field: String
        public var reason: String
        public var kind: Kind

        public init(field: String, reason: String, kind: Kind) {
            self.field = field
            self.reason = reason
            self.kind = kind
        }

        static func tooLong(_ field: String, _ maxBytes: Int) -> Problem {
            Problem(field: field, reason: "is longer than \(maxBytes) bytes", kind: .tooLong(maxBytes: maxBytes))
        }

        static func unstorable(_ field: String) -> Problem {
            Problem(field: field, reason: "contains a control character (such as NUL) that cannot be stored", kind: .unstorable)
        }
    }

    /// True when `text` holds a control character (Unicode category Cc: NUL, C0, DEL, C1) other
    /// than those in `allowed`.
    static func hasControl(_ text: String, allowing allowed: Set<Unicode.Scalar> = []) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && !allowed.contains($0) }
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

    /// Every invalid field of the cleaned details, at most one per field, in form order (the kiosk
    /// shows them all at once). Limits are in bytes (``Limits``); control characters are refused
    /// in every field.
    public var problems: [Problem] { Self.problems(of: cleaned) }

    /// ``problems`` of details already ``cleaned``.
    private static func problems(of out: SignerDetails) -> [Problem] {
        var problems: [Problem] = []
        func check(_ field: String, _ value: String?, limit: Int, rule: (String) -> Problem?) {
            guard let value else { return }
            if SignerDetails.hasControl(value) {
                problems.append(.unstorable(field))
            } else if value.utf8.count > limit {
                problems.append(.tooLong(field, limit))
            } else if let problem = rule(value) {
                problems.append(problem)
            }
        }
        check("name", out.name, limit: Limits.name) {
            $0.isEmpty ? Problem(field: "name", reason: "is required", kind: .missing) : nil
        }
        check("email", out.email, limit: Limits.email) {
            SignerDetails.isPlausibleEmail($0) ? nil
                : Problem(field: "email", reason: "is not a valid e-mail address (expected name@example.org)", kind: .invalid)
        }
        check("phone", out.phone, limit: Limits.phone) {
            $0.allSatisfy({ $0.isNumber || " +-()".contains($0) }) ? nil
                : Problem(field: "phone", reason: "may hold only digits, spaces, +, -, ( and )", kind: .invalid)
        }
        check("postcode", out.postcode, limit: Limits.postcode) {
            $0.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }) ? nil
                : Problem(field: "postcode", reason: "may hold only the letters A-Z, digits, spaces and dashes (at most 16)", kind: .invalid)
        }
        check("country", out.country, limit: .max) {
            $0.utf8.count == 2 && $0.allSatisfy({ $0.isASCII && $0.isLetter }) ? nil
                : Problem(field: "country", reason: "must be a two-letter ISO 3166 code such as NO or GB", kind: .invalid)
        }
        check("address", out.address, limit: Limits.address) { _ in nil }
        return problems
    }

    /// The cleaned details, or the first problem as an error that names the field, never its value.
    public func validated() throws -> SignerDetails {
        let out = cleaned
        if let problem = Self.problems(of: out).first { throw NodeError.invalidSigner(field: problem.field, reason: problem.reason) }
        return out
    }

    /// A deliberately simple check: one `@`, a non-empty local part, a dotted domain, no spaces.
    public static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= Limits.emailLocalPart, email.utf8.count <= Limits.email else { return false }
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

/// A public comment a signer leaves with their signature (or that is posted alone): the display
/// name they chose and the text. Limits are in bytes of UTF-8, so that a comment always fits
/// an entry (docs/FORMAT.md: a body holds at most 65,536 bytes; even if every byte were escaped
/// in the canonical JSON, name and text take at most 2 × (240 + 6000) bytes).
public struct SignerComment: Sendable, Equatable {
    /// Three times the form's `maxlength` of 80 (UTF-16 units, at most 3 bytes each).
    public static let maxDisplayNameBytes = 240
    /// Three times the form's `maxlength` of 2000.
    public static let maxTextBytes = 6000

    public var displayName: String
    public var text: String

    public init(displayName: String, text: String) {
        self.displayName = displayName
        self.text = text
    }

    /// Both trimmed of white space and line breaks at the ends.
    public var cleaned: SignerComment {
        SignerComment(displayName: displayName.trimmingCharacters(in: .whitespacesAndNewlines),
                      text: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// What is wrong with the cleaned comment, at most one problem per field (`display name`,
    /// `comment`), never naming the value. The text may hold tabs and line breaks; neither may
    /// hold another control character.
    public var problems: [SignerDetails.Problem] {
        let out = cleaned
        var problems: [SignerDetails.Problem] = []
        if out.displayName.isEmpty {
            problems.append(.init(field: "display name", reason: "is required with a comment", kind: .missing))
        } else if SignerDetails.hasControl(out.displayName) {
            problems.append(.unstorable("display name"))
        } else if out.displayName.utf8.count > Self.maxDisplayNameBytes {
            problems.append(.tooLong("display name", Self.maxDisplayNameBytes))
        }
        if out.text.isEmpty {
            problems.append(.init(field: "comment", reason: "is empty", kind: .missing))
        } else if SignerDetails.hasControl(out.text, allowing: ["\t", "\n", "\r"]) {
            problems.append(.unstorable("comment"))
        } else if out.text.utf8.count > Self.maxTextBytes {
            problems.append(.tooLong("comment", Self.maxTextBytes))
        }
        return problems
    }

    /// The cleaned comment, or the first problem as an error that names the field, never its value.
    public func validated() throws -> SignerComment {
        if let problem = problems.first { throw NodeError.invalidSigner(field: problem.field, reason: problem.reason) }
        return cleaned
    }
}
