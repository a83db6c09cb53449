import Foundation

/// Printable paper signature lists (docs/PAPER.md, "Printing lists"): one HTML document with print
/// CSS, each list starting on a new A4 page, with the campaign's title and demands, a short privacy
/// notice, the list number with its check code, and numbered rows for name, e-mail, postcode,
/// contact consent and signature. It holds no personal data: the rows are blank.
///
/// For example:
/// ```swift
/// let lists = try hq.issuePaperLists(campaign: "free-the-press", count: 3, rows: 20)
/// let html = try hq.paperListDocument(campaign: "free-the-press", lists: lists).html
/// ```
public struct PaperListDocument: Sendable {
    public var organisation: String
    public var title: String
    public var language: String
    public var text: CampaignText
    public var lists: [IssuedPaperList]
    /// Days after the close that signers' data is kept, when the campaign says.
    public var retentionDays: Int64?
    public var deadline: String?

    /// The print CSS: A4 landscape, each list on a new page, rows 8 mm high.
    public static let css = """
        @page { size: A4 landscape; margin: 12mm 12mm; }
        body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.3; color: #000; margin: 0; }
        .list { page-break-after: always; } .list:last-child { page-break-after: auto; }
        header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1.5pt solid #000; }
        h1 { font-size: 16pt; margin: 0 0 0.2em; } .number { font-size: 13pt; font-weight: bold; margin: 0; white-space: nowrap; }
        .note { font-size: 8pt; color: #222; margin: 0.3em 0; } .demands { margin: 0.4em 0; }
        table { border-collapse: collapse; width: 100%; margin-top: 0.4em; } thead { display: table-header-group; }
        .repeat th { font-size: 8pt; font-weight: normal; text-align: right; border: none; color: #444; }
        th, td { border: 0.75pt solid #555; padding: 0 4pt; text-align: left; } tr { page-break-inside: avoid; }
        tbody td { height: 8mm; } td:first-child, th:first-child { width: 2.2em; text-align: right; color: #444; }
        th:nth-child(2) { width: 24%; } th:nth-child(3) { width: 24%; } th:nth-child(4) { width: 9%; } th:nth-child(5) { width: 9%; }
        @media screen { body { max-width: 80em; margin: 1em auto; } .list { border-bottom: 2px dashed #999; padding-bottom: 2em; margin-bottom: 2em; } }

        """

    /// The lists' own words, in the campaign's language where there is a translation.
    struct Words {
        var list, check, demands, name, email, postcode, contact, signature, privacy, retention, deadline, returnTo: String

        static func of(_ language: String) -> Words {
            if language == "nb" || language == "no" || language == "nn" {
                return Words(
                    list: "Liste", check: "kontrollkode", demands: "Vi krever", name: "Navn", email: "E-post", postcode: "Postnummer",
                    contact: "Kontakt meg (✓)", signature: "Underskrift",
                    privacy: "Personvern: {org} bruker navn, e-post og postnummer bare til denne underskriftskampanjen. Opplysningene forsegles når listen skrives inn, og bare {org} kan lese dem. Mottakeren av kampanjen får bare navn og sted (land og postområde). Du kan trekke underskriften eller be om sletting når som helst. Vi kontakter deg bare hvis du har krysset av.",
                    retention: "Opplysningene slettes {days} dager etter at kampanjen er avsluttet.",
                    deadline: "Frist", returnTo: "Lever listen til {org}, også om den ikke er full.")
            }
            return Words(
                list: "List", check: "check code", demands: "We demand", name: "Name", email: "E-mail", postcode: "Postcode",
                contact: "Contact me (✓)", signature: "Signature",
                privacy: "Privacy: {org} uses your name, e-mail and postcode for this petition only. They are sealed when the list is typed in, and only {org} can read them. The petition's target receives your name and place (country and postcode area) only. You can withdraw your signature or ask for your data to be erased at any time. We contact you only if you tick the box.",
                retention: "Your data is erased {days} days after the campaign closes.",
                deadline: "Deadline", returnTo: "Return this list to {org}, even if it is not full.")
        }
    }

    /// The whole document: one section per list, each on its own page(s); the list number and
    /// check code head every page (a repeated table header).
    public var html: String { html(stylesheet: nil) }

    /// The document with its CSS inline (`stylesheet` nil), or linked from `stylesheet` (for a page
    /// served under a content security policy without inline styles, as the kiosk's).
    public func html(stylesheet: String?) -> String {
        let w = Words.of(language)
        let e = HTMLText.escape
        let org = e(organisation)
        var privacy = w.privacy.replacingOccurrences(of: "{org}", with: org)
        if let retentionDays { privacy += " " + w.retention.replacingOccurrences(of: "{days}", with: String(retentionDays)) }
        var sections = ""
        for list in lists {
            let number = "\(w.list) \(list.list) · \(w.check) \(e(list.check))"
            sections += "<section class=\"list\"><header><h1>\(e(title))</h1><p class=\"number\">\(number)</p></header>"
            sections += "<p class=\"demands\"><strong>\(w.demands):</strong> " + text.demands.map(e).joined(separator: " · ") + "</p>"
            if let deadline { sections += "<p class=\"note\">\(w.deadline): \(e(String(deadline.prefix(10))))</p>" }
            sections += "<p class=\"note\">\(privacy)</p>"
            sections += "<table><thead><tr class=\"repeat\"><th colspan=\"6\">\(e(title)) · \(number)</th></tr>"
            sections += "<tr><th>#</th><th>\(w.name)</th><th>\(w.email)</th><th>\(w.postcode)</th><th>\(w.contact)</th><th>\(w.signature)</th></tr></thead><tbody>"
            for row in 1...max(1, list.rows) {
                sections += "<tr><td>\(row)</td><td></td><td></td><td></td><td></td><td></td></tr>"
            }
            sections += "</tbody></table><p class=\"note return\">\(w.returnTo.replacingOccurrences(of: "{org}", with: org)) \(number)</p></section>"
        }
        return """
            <!doctype html>
            <html lang="\(e(language))">
            <head>
            <meta charset="utf-8">
            <title>\(e(title)) · \(w.list) \(lists.map { String($0.list) }.joined(separator: ", "))</title>
            \(stylesheet.map { "<link rel=\"stylesheet\" href=\"\(e($0))\">" } ?? "<style>\n\(Self.css)</style>")
            </head>
            <body>
            <main>
            \(sections)
            </main>
            </body>
            </html>

            """
    }
}

extension LedgerNode {
    /// The printable document of issued lists of a campaign, in `language` (one of the campaign's;
    /// by default its first).
    public func paperListDocument(campaign id: String, lists: [IssuedPaperList], language: String? = nil) throws -> PaperListDocument {
        guard let version = try store.campaignVersions(id).last else { throw NodeError.unknownCampaign(id) }
        let chosen = language ?? version.body.languages.first ?? "en"
        guard let text = version.body.texts[chosen] else {
            throw NodeError.ambiguous("campaign \(id) has no text in '\(chosen.prefix(8))' (it has \(version.body.languages.joined(separator: ", ")))")
        }
        let organisation = try store.ledgerID.flatMap { try store.entry(id: $0) }.map { try $0.decodeBody(LedgerCreated.self).name }
            ?? "the organisers"
        return PaperListDocument(organisation: organisation, title: text.title, language: chosen, text: text, lists: lists,
                                 retentionDays: version.body.retentionDays, deadline: version.body.deadline)
    }
}
