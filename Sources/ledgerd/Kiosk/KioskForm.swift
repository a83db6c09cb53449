import Ledger

/// The signing form as submitted, and its validation into field errors.
struct SignForm: Sendable {
    var name = ""
    var email = ""
    var postcode = ""
    var country = ""
    var consent = false
    var displayName = ""
    var comment = ""
    var token = ""

    init() {}

    init(fields: [String: String]) {
        name = fields["name"] ?? ""
        email = fields["email"] ?? ""
        postcode = fields["postcode"] ?? ""
        country = fields["country"] ?? ""
        consent = fields["consent"] == "yes"
        displayName = fields["display_name"] ?? ""
        comment = fields["comment"] ?? ""
        token = fields["form"] ?? ""
    }

    /// Field name → error, in form order. The signer's details on success.
    func validate() -> (SignerDetails?, [(String, KioskText)]) {
        var errors: [(String, KioskText)] = []
        let details = SignerDetails(name: name, email: email, postcode: postcode, country: country, consentContact: consent)
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedName.isEmpty || trimmedName.count > 200 { errors.append(("name", .errName)) }
        let trimmedEmail = email.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedEmail.isEmpty || !SignerDetails.isPlausibleEmail(trimmedEmail) { errors.append(("email", .errEmail)) }
        let trimmedPostcode = postcode.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedPostcode.count > 16 || !trimmedPostcode.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }) {
            errors.append(("postcode", .errPostcode))
        }
        let trimmedCountry = country.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmedCountry.isEmpty && !(trimmedCountry.count == 2 && trimmedCountry.allSatisfy { $0.isASCII && $0.isLetter }) {
            errors.append(("country", .errCountry))
        }
        let trimmedComment = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmedComment.isEmpty {
            let shown = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
            if shown.isEmpty || shown.count > 80 { errors.append(("display_name", .errDisplayName)) }
            if trimmedComment.count > 2000 { errors.append(("comment", .errComment)) }
        }
        guard errors.isEmpty, let valid = try? details.validated() else {
            return (nil, errors.isEmpty ? [("name", .errName)] : errors)
        }
        return (valid, [])
    }
}

/// `application/x-www-form-urlencoded` bodies.
enum FormBody {
    static func parse(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first.map({ decode(String($0)) }) else { continue }
            out[key] = parts.count > 1 ? decode(String(parts[1])) : ""
        }
        return out
    }

    static func decode(_ text: String) -> String {
        let plus = text.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}

import Foundation
