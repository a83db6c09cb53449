import Ledger

/// Escaping and the page frame of the kiosk. Every value that came from a person or the log goes
/// through ``escape(_:)``; nothing is echoed back unescaped.
enum HTML {
    /// Escapes `& < > " '` per Unicode scalar (the library's ``HTMLText/escape(_:)``).
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// Text with line breaks kept as paragraphs.
    static func paragraphs(_ text: String) -> String { HTMLText.paragraphs(text) }

    /// A complete page: language, title, stylesheet, a skip link as the first tab stop, the
    /// language switch, and an optional refresh.
    ///
    /// - Parameters:
    ///   - skip: the id the skip link goes to and its text (the page's form), or nil for `#main`.
    static func page(title: String, language: KioskLanguage, switchPath: String, skip: (id: String, text: KioskText)? = nil,
                     refresh: (seconds: Int, url: String)? = nil, body: String) -> String {
        // The switch link replaces any `lang` the path already carries.
        let parts = switchPath.split(separator: "?", maxSplits: 1)
        let kept = parts.count > 1 ? parts[1].split(separator: "&").filter { !$0.hasPrefix("lang=") }.joined(separator: "&") : ""
        let switchPath = String(parts.first ?? "/") + (kept.isEmpty ? "" : "?" + kept)
        let separator = switchPath.contains("?") ? "&" : "?"
        let refreshTag = refresh.map { "<meta http-equiv=\"refresh\" content=\"\($0.seconds);url=\(escape($0.url))\">" } ?? ""
        let skip = skip ?? ("main", .skipToContent)
        return """
            <!doctype html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="same-origin">
            \(refreshTag)
            <title>\(escape(title))</title>
            <link rel="stylesheet" href="/kiosk.css">
            </head>
            <body>
            <a class="skip" href="#\(escape(skip.id))">\(escape(language.text(skip.text)))</a>
            <header class="top">
            <a class="home" href="/?lang=\(language.rawValue)">\(escape(language.text(.siteTitle)))</a>
            <nav aria-label="\(escape(language.text(.languageSwitch)))"><a lang="\(language.other.rawValue)" hreflang="\(language.other.rawValue)" href="\(escape(switchPath + separator + "lang=" + language.other.rawValue))">\(language.other.nativeName)</a></nav>
            </header>
            <main id="main">
            \(body)
            </main>
            </body>
            </html>
            """
    }
}
