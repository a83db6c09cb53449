/// Escaping and the page frame of the kiosk. Every value that came from a person or the log goes
/// through ``escape(_:)``; nothing is echoed back unescaped.
enum HTML {
    /// Escapes `& < > " '` for text and quoted attribute values, Unicode scalar by scalar (as a
    /// browser's tokenizer reads): a quote followed by a combining mark is one Swift `Character`
    /// but still a quote to the browser. Control characters other than tab and line breaks
    /// (NUL among them) become U+FFFD, as a browser would read NUL anyway.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "\t", "\n", "\r": out.append(scalar)
            default:
                out.append(scalar.properties.generalCategory == .control ? "\u{FFFD}" : scalar)
            }
        }
        return String(out)
    }

    /// Text with line breaks kept as paragraphs.
    static func paragraphs(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { "<p>\(escape(String($0)))</p>" }.joined(separator: "\n")
    }

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
