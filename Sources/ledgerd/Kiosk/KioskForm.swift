import Ledger

/// The signing form as submitted, and its validation into field errors.
struct SignForm: Sendable {
    /// The form's fields in page order, with their ids (the same as their names).
    static let fieldOrder = ["name", "email", "postcode", "country", "display_name", "comment"]

    var name = ""
    var email = ""
    var postcode = ""
    var country = ""
    var consent = false
    var displayName = ""
    var comment = ""
    /// Kiosk mode: keep the thank-you page on screen until the signer presses Done, instead of
    /// returning to an empty form by itself (WCAG 2.2.1: a time limit the signer can turn off).
    var keep = false
    var token = ""
    /// Fields whose bytes were not UTF-8; their values hold U+FFFD where the bytes were.
    var malformed: Set<String> = []

    init() {}

    init(_ fields: FormFields) {
        let values = fields.values
        name = values["name"] ?? ""
        email = values["email"] ?? ""
        postcode = values["postcode"] ?? ""
        country = values["country"] ?? ""
        consent = values["consent"] == "yes"
        displayName = values["display_name"] ?? ""
        comment = values["comment"] ?? ""
        keep = values["keep"] == "yes"
        token = values["form"] ?? ""
        malformed = fields.malformed
    }

    /// What identifies this submission for the double-submit check: every field but the token.
    var submission: [(String, String)] {
        [("name", name), ("email", email), ("postcode", postcode), ("country", country), ("consent", consent ? "yes" : ""),
         ("display_name", displayName), ("comment", comment), ("malformed", malformed.sorted().joined(separator: ","))]
    }

    /// The comment left with the signature, if any (a display name alone is no comment).
    var signerComment: SignerComment? {
        comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : SignerComment(displayName: displayName, text: comment)
    }

    /// Field errors in form order, at most one per field, and the signer's details and comment
    /// when there is none. The rules are the library's (`SignerDetails.problems`,
    /// `SignerComment.problems`, limits in bytes); the kiosk adds that an e-mail is required and
    /// that text which was not UTF-8 cannot be stored.
    func validate() -> (SignerDetails?, SignerComment?, [(String, KioskText)]) {
        let details = SignerDetails(name: name, email: email, postcode: postcode, country: country, consentContact: consent)
        var found: [String: KioskText] = [:]
        for problem in details.problems {
            found[problem.field] = Self.text(field: problem.field, kind: problem.kind)
        }
        if details.cleaned.email == nil { found["email"] = .errEmail }
        let note = signerComment
        for problem in note?.problems ?? [] {
            let field = problem.field == "display name" ? "display_name" : problem.field
            found[field] = Self.text(field: field, kind: problem.kind)
        }
        for field in malformed { found[field] = .errUnstorable }
        let errors = Self.fieldOrder.compactMap { field in found[field].map { (field, $0) } }
        return errors.isEmpty ? (details.cleaned, note?.cleaned, []) : (nil, nil, errors)
    }

    /// The message for a problem with a field, in the kiosk's words.
    static func text(field: String, kind: SignerDetails.Problem.Kind) -> KioskText {
        switch (field, kind) {
        case (_, .unstorable): return .errUnstorable
        case ("name", .tooLong): return .errNameLong
        case ("name", _): return .errName
        case ("email", .tooLong): return .errTooLong
        case ("email", _): return .errEmail
        case ("postcode", .tooLong): return .errTooLong
        case ("postcode", _): return .errPostcode
        case ("country", _): return .errCountry
        case ("display_name", .tooLong): return .errDisplayNameLong
        case ("display_name", _): return .errDisplayName
        case ("comment", _): return .errComment
        default: return .errTooLong
        }
    }
}

/// The fields of an `application/x-www-form-urlencoded` body.
struct FormFields: Sendable {
    var values: [String: String] = [:]
    /// Names of the fields whose bytes (after percent-decoding) were not UTF-8.
    var malformed: Set<String> = []
}

/// `application/x-www-form-urlencoded` bodies, decoded byte by byte (WHATWG URL, "urlencoded
/// parser"): `+` is a space, `%XX` a byte, anything else itself. A value whose bytes are not
/// UTF-8 (`%FF`, a lone `%C3`, an encoded surrogate, raw bytes) is marked malformed and kept with
/// U+FFFD in their place, never as literal text; a name that is not UTF-8 is dropped.
enum FormBody {
    static func parse(_ body: [UInt8]) -> FormFields {
        var fields = FormFields()
        for pair in body.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first, let name = String(validating: decode(rawName), as: UTF8.self) else { continue }
            let bytes = parts.count > 1 ? decode(parts[1]) : []
            if let value = String(validating: bytes, as: UTF8.self) {
                fields.values[name] = value
                fields.malformed.remove(name)
            } else {
                fields.values[name] = String(decoding: bytes, as: UTF8.self)
                fields.malformed.insert(name)
            }
        }
        return fields
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                      let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
