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

    /// Field name → error, in form order, and the signer's details when there is none. The
    /// field rules are the library's (`SignerDetails.problems`); the kiosk adds that an e-mail is
    /// required and checks the optional comment.
    func validate() -> (SignerDetails?, [(String, KioskText)]) {
        let details = SignerDetails(name: name, email: email, postcode: postcode, country: country, consentContact: consent)
        var errors: [(String, KioskText)] = details.problems.compactMap { problem in
            switch problem.field {
            case "name": return ("name", .errName)
            case "email": return ("email", .errEmail)
            case "postcode": return ("postcode", .errPostcode)
            case "country": return ("country", .errCountry)
            default: return nil
            }
        }
        if details.cleaned.email == nil { errors.insert(("email", .errEmail), at: errors.firstIndex { $0.0 != "name" } ?? errors.endIndex) }
        let trimmedComment = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmedComment.isEmpty {
            let shown = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
            if shown.isEmpty || shown.count > 80 { errors.append(("display_name", .errDisplayName)) }
            if trimmedComment.count > 2000 { errors.append(("comment", .errComment)) }
        }
        return errors.isEmpty ? (details.cleaned, []) : (nil, errors)
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
