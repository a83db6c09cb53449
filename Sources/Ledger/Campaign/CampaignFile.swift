import Foundation

/// The hand-written campaign file that `ledgerctl campaign publish` reads (docs/CAMPAIGNS.md).
///
/// For example:
/// ```json
/// { "id": "free-the-press", "goal": 10000, "deadline": "2027-03-01",
///   "languages": ["en"],
///   "texts": { "en": { "title": "Free the press", "summary": "...", "body": "...",
///                      "demands": ["Release all jailed journalists"],
///                      "letter": { "recipient": "Minister of Justice", "text": "Dear Minister, ..." } } } }
/// ```
public struct CampaignFile: Codable, Sendable {
    public var id: String
    public var languages: [String]
    public var texts: [String: CampaignText]
    public var goal: Int64?
    public var deadline: String?
    /// Days after the campaign closes that signers' personal data is kept (docs/PRIVACY.md).
    public var retentionDays: Int64?
    /// The campaign's web address (`https://…`), shown with the share texts.
    public var link: String?

    /// Reads and checks a campaign file; errors name the field at fault.
    public static func load(path: String) throws -> CampaignPublished {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NodeError.invalidCampaignFile(path: path, reason: "cannot read the file (does it exist?)")
        }
        return try parse(data, path: path)
    }

    /// Checks the bytes of a campaign file; `path` only names the file in errors.
    ///
    /// For example:
    /// ```swift
    /// let body = try CampaignFile.parse(Data(text.utf8), path: "free-the-press.json")
    /// ```
    public static func parse(_ data: Data, path: String) throws -> CampaignPublished {
        let file: CampaignFile
        do {
            try StrictJSON.validate(data)
            if let unknown = try unknownField(in: data) {
                throw NodeError.invalidCampaignFile(path: path, reason: "unknown field '\(unknown)' (a typo? see docs/CAMPAIGNS.md)")
            }
            file = try JSONDecoder().decode(CampaignFile.self, from: data)
        } catch let error as NodeError {
            throw error
        } catch let error as StrictJSON.Failure {
            throw NodeError.invalidCampaignFile(path: path, reason: "\(error)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw NodeError.invalidCampaignFile(path: path, reason: "missing field '\(fieldPath(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw NodeError.invalidCampaignFile(path: path, reason: "field '\(fieldPath(context.codingPath))' has the wrong type")
        } catch {
            throw NodeError.invalidCampaignFile(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        return try file.validated(path: path)
    }

    static let topFields: Set<String> = ["id", "languages", "texts", "goal", "deadline", "retentionDays", "link"]
    static let textFields: Set<String> = ["title", "summary", "body", "demands", "letter", "share"]
    static let letterFields: Set<String> = ["recipient", "text"]

    /// The first field the format does not define, as a dotted path; nil when there is none.
    static func unknownField(in data: Data) throws -> String? {
        guard case .object(let top) = try JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        for key in top.keys.sorted() where !topFields.contains(key) { return key }
        guard case .object(let texts)? = top["texts"] else { return nil }
        for (language, text) in texts.sorted(by: { $0.key < $1.key }) {
            guard case .object(let fields) = text else { continue }
            for key in fields.keys.sorted() where !textFields.contains(key) { return "texts.\(language).\(key)" }
            if case .object(let letter)? = fields["letter"] {
                for key in letter.keys.sorted() where !letterFields.contains(key) { return "texts.\(language).letter.\(key)" }
            }
        }
        return nil
    }

    private static func fieldPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    /// Checks the fields and returns the body to publish.
    public func validated(path: String) throws -> CampaignPublished {
        func fail(_ reason: String) -> NodeError { .invalidCampaignFile(path: path, reason: reason) }
        guard CampaignFile.isValidID(id) else {
            throw fail("'id' must be 1 to 64 characters of a-z, 0-9 and '-', for example free-the-press")
        }
        for language in languages {
            guard let text = texts[language] else { continue }
            if text.title.trimmingCharacters(in: .whitespaces).isEmpty { throw fail("'texts.\(language).title' is empty") }
            if text.summary.trimmingCharacters(in: .whitespaces).isEmpty { throw fail("'texts.\(language).summary' is empty") }
            if text.demands.isEmpty { throw fail("'texts.\(language).demands' must list at least one demand") }
        }
        var deadlineText: String?
        if let deadline {
            guard let millis = Timestamps.parse(deadline), Timestamps.iso8601(millis: millis).hasPrefix(String(deadline.prefix(10))) else {
                throw fail("'deadline' must be a date like 2027-03-01 or 2027-03-01T12:00:00Z")
            }
            deadlineText = Timestamps.iso8601(millis: millis)
        }
        let body = CampaignPublished(campaign: id, languages: languages, texts: texts, goal: goal, deadline: deadlineText, retentionDays: retentionDays,
                                     link: link)
        // The format's rules (docs/FORMAT.md section 4) live in BodyRules; here only what to tell the editor.
        if let problem = BodyRules.problem(in: body) {
            switch problem.rule {
            case .campaignID: throw fail("'id' must be 1 to 64 characters of a-z, 0-9 and '-', not starting with '-', for example free-the-press")
            case .languages:
                if languages.isEmpty { throw fail("'languages' must list at least one language, for example [\"en\"]") }
                if let bad = languages.first(where: { !BodyRules.isLanguage($0) }) {
                    throw fail("language code '\(bad)' must be 2 to 16 of the ASCII letters, digits and '-', like en or nb")
                }
                throw fail("'languages' must list each language of 'texts' exactly once")
            case .goal: throw fail("'goal' must be a positive number of signatures")
            case .retentionDays: throw fail("'retentionDays' must be a number of days from 1 to 36500 (how long after the close signers' data is kept)")
            case .deadline: throw fail("'deadline' must be a date like 2027-03-01 or 2027-03-01T12:00:00Z")
            case .link: throw fail("'link' must be the campaign's web address starting with https://, without spaces (at most \(CampaignPublished.maxLinkBytes) characters)")
            case .share:
                let language = texts.keys.sorted().first { key in
                    texts[key]?.share.map { !(1...CampaignText.maxShareTexts).contains($0.count) || $0.contains { !BodyRules.isShareText($0) } } ?? false
                } ?? "LANG"
                throw fail("'texts.\(language).share' must list 1 to \(CampaignText.maxShareTexts) texts of 1 to \(CampaignText.maxShareBytes) bytes each, without control characters other than line breaks")
            default: throw fail(problem.description)
            }
        }
        return body
    }

    /// Language codes: 2 to 16 ASCII letters, digits and `-` (``BodyRules/isLanguage(_:)``).
    public static func isValidLanguage(_ code: String) -> Bool { BodyRules.isLanguage(code) }

    /// Campaign ids: 1 to 64 characters of `a-z`, `0-9` and `-`, not starting with `-` (``BodyRules/isCampaignID(_:)``).
    public static func isValidID(_ id: String) -> Bool { BodyRules.isCampaignID(id) }
}
