import Foundation
import Ledger

/// What the campaign page shows, gathered from the read models.
struct CampaignView {
    var summary: CampaignSummary
    var version: CampaignVersion
    var counted: Int
    var comments: [CommentSummary]
    /// Paper lists of this campaign this node's kiosk offers for printing (``KioskController/offeredPaperLists(campaign:)``).
    var paperLists = 0

    /// The campaign text in the interface language when the campaign has it, else its first.
    func text(for language: KioskLanguage) -> (CampaignText, String)? {
        let body = version.body
        if let text = body.texts[language.rawValue] { return (text, language.rawValue) }
        if language == .nb, let text = body.texts["no"] ?? body.texts["nn"] { return (text, "nb") }
        guard let first = body.languages.first, let text = body.texts[first] else { return nil }
        return (text, first)
    }
}

/// The kiosk's pages, rendered as complete HTML documents.
enum KioskPages {
    /// 10000 as "10,000" in English and "10 000" (with a no-break space) in Norwegian.
    static func grouped(_ number: Int64, _ language: KioskLanguage) -> String {
        let digits = Array(String(number))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += language == .nb ? "\u{00A0}" : "," }
            out.append(digit)
        }
        return out
    }

    static func date(_ millis: UInt64) -> String {
        String(Timestamps.iso8601(millis: millis).prefix(10))
    }

    static func list(_ campaigns: [(CampaignSummary, CampaignView)], language: KioskLanguage) -> String {
        let t = language.text
        var items = ""
        for (summary, view) in campaigns {
            guard let (text, lang) = view.text(for: language) else { continue }
            items += """
                <li lang="\(HTML.escape(lang))"><h2>\(HTML.escape(text.title))</h2>
                <p>\(HTML.escape(text.summary))</p>
                <p class="meta">\(view.counted) \(t(.signatures))</p>
                <p><a class="button" href="/c/\(HTML.escape(summary.campaign))?lang=\(language.rawValue)">\(t(.readMore))</a></p></li>
                """
        }
        let body = "<h1>\(t(.openCampaigns))</h1>" + (items.isEmpty ? "<p>\(t(.noCampaigns))</p>" : "<ul class=\"campaigns\">\(items)</ul>")
        return HTML.page(title: t(.siteTitle), language: language, switchPath: "/", body: body)
    }

    /// The campaign page. An open campaign shows the signing form (with `form` typed, `errors`
    /// by their fields and a `notice` for the whole form in the error summary); a closed one says
    /// so, and when it closed while someone typed (`notice` ``KioskText/closedWhileTyping``) shows
    /// what they typed, read-only.
    static func campaign(_ view: CampaignView, language: KioskLanguage, form: SignForm = SignForm(), errors: [(String, KioskText)] = [],
                         notice: KioskText? = nil, token: String, kiosk: Bool, returnAfter: Int = 20) -> String {
        let t = language.text
        let id = view.summary.campaign
        guard let (text, lang) = view.text(for: language) else { return notFound(language: language) }
        var body = "<article lang=\"\(HTML.escape(lang))\"><h1>\(HTML.escape(text.title))</h1>"
        body += "<p class=\"meta\">\(t(.published)) \(date(view.summary.publishedAt))"
        if view.summary.updatedAt != view.summary.publishedAt { body += " · \(t(.updated)) \(date(view.summary.updatedAt))" }
        body += "</p>"
        body += "<div class=\"count\" role=\"status\"><strong id=\"count\">\(view.counted)</strong> \(t(.signatures))"
        if let goal = view.summary.goal, goal > 0 {
            body += " \(t(.goalOf)) \(grouped(goal, language))<br><progress max=\"\(goal)\" value=\"\(min(Int64(view.counted), goal))\">\(view.counted)/\(goal)</progress>"
        }
        body += "</div>"
        body += "<p class=\"summary\">\(HTML.escape(text.summary))</p>\(HTML.paragraphs(text.body))"
        body += "<h2>\(t(.demands))</h2><ul>" + text.demands.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
        // A text without a letter shows the letter of the campaign's first language: a signer must
        // see what they sign, even untranslated.
        let fallback = view.version.body.languages.first.flatMap { first in view.version.body.texts[first]?.letter.map { ($0, first) } }
        if let (letter, letterLanguage) = text.letter.map({ ($0, lang) }) ?? fallback {
            body += "<h2>\(t(.letterTo)) \(HTML.escape(letter.recipient))</h2><div class=\"letter\" lang=\"\(HTML.escape(letterLanguage))\">\(HTML.paragraphs(letter.text))</div>"
        }
        body += "</article>"
        if view.summary.isOpen(at: SystemClock().nowMillis()) {
            body += signForm(id: id, language: language, form: form, errors: errors, notice: notice, token: token,
                             returnAfter: kiosk ? returnAfter : nil)
        } else if notice == .closedWhileTyping {
            body += typedAfterClose(language: language, form: form)
        } else {
            body += "<section id=\"sign\"><h2>\(t(.closed))</h2><p>\(t(.closedText))</p></section>"
        }
        if let share = text.share, !share.isEmpty {
            let link = view.version.body.link.map { " <a href=\"\(HTML.escape($0))\">\(HTML.escape($0))</a>" } ?? ""
            body += "<section class=\"share\"><h2>\(t(.shareHeading))</h2><p>\(t(.shareText))</p><ul lang=\"\(HTML.escape(lang))\">"
                + share.map { "<li><p>\(HTML.escape($0))\(link)</p></li>" }.joined() + "</ul></section>"
        }
        body += "<section><h2>\(t(.recentComments))</h2>"
        if view.comments.isEmpty {
            body += "<p>\(t(.noComments))</p>"
        } else {
            body += "<ul class=\"comments\">" + view.comments.map {
                "<li><span class=\"who\">\(HTML.escape($0.displayName))</span> <span class=\"meta\">\(date($0.postedAt))</span><p>\(HTML.escape($0.text))</p></li>"
            }.joined() + "</ul>"
        }
        body += "</section>"
        body += "<p class=\"note\"><a href=\"/withdraw?lang=\(language.rawValue)\">\(t(.withdrawHeading))</a> · <a href=\"/check?lang=\(language.rawValue)\">\(t(.checkHeading))</a>"
            + (view.paperLists > 0 ? " · <a href=\"/paper?lang=\(language.rawValue)\">\(t(.paperHeading))</a>" : "") + "</p>"
        return HTML.page(title: text.title, language: language, switchPath: "/c/\(id)", skip: ("sign", .skipToForm), body: body)
    }

    /// The thank-you page with the receipt code. In kiosk mode (`returnAfter`) it returns to an
    /// empty form by itself, unless the signer asked for more time (`keep`): then it stays until
    /// they press Done.
    static func thanks(campaign id: String, title: String, receipt: String, language: KioskLanguage, returnAfter: Int?, keep: Bool = false) -> String {
        let t = language.text
        let back = "/c/\(id)?lang=\(language.rawValue)"
        let done = keep && returnAfter != nil
        let returning = done ? nil : returnAfter
        let body = """
            <h1>\(t(.thanksHeading))</h1>
            <p>\(t(.thanksText).replacingOccurrences(of: "{title}", with: "<em>\(HTML.escape(title))</em>"))</p>
            <h2>\(t(.receiptLabel))</h2>
            <p class="receipt" id="receipt">\(HTML.escape(receipt))</p>
            <p>\(t(.receiptExplain))</p>
            \(returning.map { "<p class=\"note\">\(t(.nextSigner(seconds: $0)))</p>" } ?? (done ? "<p class=\"note\">\(t(.doneText))</p>" : ""))
            <p><a class="button" href="\(HTML.escape(back))">\(t(done ? .doneButton : .backToCampaign))</a></p>
            """
        return HTML.page(title: t(.thanksHeading), language: language, switchPath: back,
                         refresh: returning.map { ($0, back) }, body: body)
    }

    /// The paper lists this node offers for printing, by campaign (title and lists).
    static func paper(_ offered: [(title: String, campaign: String, lists: [IssuedPaperList])], language: KioskLanguage) -> String {
        let t = language.text
        var body = "<h1>\(t(.paperHeading))</h1><p>\(t(.paperText))</p>"
        let any = offered.contains { !$0.lists.isEmpty }
        if !any { body += "<p>\(t(.paperNone))</p>" }
        for (title, campaign, lists) in offered where !lists.isEmpty {
            body += "<section><h2>\(HTML.escape(title))</h2><ul>"
            for list in lists {
                let href = "/paper/\(HTML.escape(campaign))/\(list.list)?lang=\(language.rawValue)"
                body += "<li>\(t(.paperList)) \(list.list) (\(list.rows) \(t(.paperRows))): <a href=\"\(href)\">\(t(.paperPrint))</a></li>"
            }
            body += "</ul></section>"
        }
        body += "<p><a href=\"/?lang=\(language.rawValue)\">\(t(.backToCampaign))</a></p>"
        return HTML.page(title: t(.paperHeading), language: language, switchPath: "/paper", body: body)
    }

    static func message(_ key: KioskText, language: KioskLanguage, back: String = "/") -> String {
        let t = language.text
        return HTML.page(title: t(key), language: language, switchPath: back,
                         body: "<h1>\(t(key))</h1><p><a href=\"\(HTML.escape(back))\">\(t(.backToCampaign))</a></p>")
    }

    static func notFound(language: KioskLanguage) -> String {
        message(.notFound, language: language)
    }
}
