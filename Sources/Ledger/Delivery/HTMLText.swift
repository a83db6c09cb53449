/// Escaping for HTML made from people's input (the kiosk's pages, the delivery pack): `& < > " '`,
/// Unicode scalar by scalar (as a browser's tokenizer reads: a quote followed by a combining mark
/// is one Swift `Character` but still a quote to the browser). Control characters other than tab
/// and line breaks (NUL among them) become U+FFFD, as a browser would read NUL anyway.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
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
    public static func paragraphs(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { "<p>\(escape(String($0)))</p>" }.joined(separator: "\n")
    }
}
