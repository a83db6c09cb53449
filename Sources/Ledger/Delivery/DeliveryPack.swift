import Foundation

/// The delivery pack (docs/OPERATIONS.md, "The delivery pack"): one printable HTML document for
/// the petition's target, with the letter, the demands, the count, how anyone can check it (HQ's
/// key and the signed tally statement), and the counted signatories by name and place only
/// (country and postcode area, never an address, e-mail or phone number).
///
/// For example:
/// ```swift
/// let html = try node.deliveryPack(campaign: "free-the-press", language: "en")
/// ```
public struct DeliveryPack: Sendable {
    public var title: String
    public var language: String
    public var text: CampaignText
    public var list: DeliveryList
    /// HQ's signed tally statement and checkpoint key, when this node keeps the tree (HQ).
    public var tally: String?
    public var key: String?

    /// The pack's own words, in the campaign's language where there is a translation.
    struct Words {
        var to, demands, count, countExplain, check, checkSteps, tallyHeading, signatories, name, place, generated: String

        static func of(_ language: String) -> Words {
            if language == "nb" {
                return Words(
                    to: "Til", demands: "Vi krever", count: "personer har skrevet under",
                    countExplain: "Tallet gjelder gyldige underskrifter, én per person, som ikke er trukket tilbake og kom før fristen.",
                    check: "Slik kan hvem som helst sjekke tallet",
                    checkSteps: "Arrangørene har signert tallet i en telleerklæring (under). Med arrangørenes offentlige nøkkel og en eksport av protokollen (be arrangørene om den) sjekker disse kommandoene signaturen og regner tallet ut på nytt:",
                    tallyHeading: "Telleerklæringen", signatories: "De som har skrevet under", name: "Navn", place: "Sted",
                    generated: "Laget")
            }
            return Words(
                to: "To", demands: "We demand", count: "people signed this petition",
                countExplain: "The number counts valid signatures, one per person, not withdrawn and made before the deadline.",
                check: "How anyone can check this number",
                checkSteps: "The organisers signed the number in a tally statement (below). With the organisers' public key and an export of the ledger (ask the organisers for it), these commands check the signature and count again:",
                tallyHeading: "The tally statement", signatories: "Signatories", name: "Name", place: "Place",
                generated: "Made")
        }
    }

    /// The whole document, with print CSS (A4, the list starting on a new page).
    public var html: String {
        let w = Words.of(language)
        let e = HTMLText.escape
        var body = "<header><h1>\(e(title))</h1>"
        if let letter = text.letter { body += "<p class=\"to\">\(w.to): \(e(letter.recipient))</p>" }
        body += "</header>"
        if let letter = text.letter { body += "<section class=\"letter\">\(HTMLText.paragraphs(letter.text))</section>" }
        body += "<section><h2>\(w.demands)</h2><ul>" + text.demands.map { "<li>\(e($0))</li>" }.joined() + "</ul></section>"
        body += "<section class=\"count\"><p><strong>\(list.header.counted)</strong> \(w.count).</p><p class=\"note\">\(w.countExplain) \(w.generated) \(e(list.header.generatedAt)).</p></section>"
        if let tally, let key {
            body += """
                <section class="check"><h2>\(w.check)</h2><p>\(w.checkSteps)</p>
                <pre>ledgerctl tally verify tally.txt --key '\(e(key))' --bundle ledger.bundle
                python3 tools/verify_transparency.py tally tally.txt --key '\(e(key))' --bundle ledger.bundle</pre>
                <h3>\(w.tallyHeading)</h3><pre class="tally">\(e(tally))</pre></section>
                """
        }
        body += "<section class=\"signatories\"><h2>\(w.signatories)</h2><table><thead><tr><th>#</th><th>\(w.name)</th><th>\(w.place)</th></tr></thead><tbody>"
        for (index, signatory) in list.signatures.enumerated() {
            let area = SignerDetails(name: signatory.name, postcode: signatory.postcode).postcodeArea
            let place = [signatory.country, area].compactMap { $0 }.joined(separator: " ")
            body += "<tr><td>\(index + 1)</td><td>\(e(signatory.name))</td><td>\(e(place))</td></tr>"
        }
        body += "</tbody></table></section>"
        return """
            <!doctype html>
            <html lang="\(e(language))">
            <head>
            <meta charset="utf-8">
            <title>\(e(title))</title>
            <style>
            @page { size: A4; margin: 18mm 16mm; }
            body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.4; color: #000; max-width: 46em; margin: 0 auto; }
            h1 { font-size: 20pt; margin-bottom: 0.2em; } h2 { font-size: 14pt; margin-top: 1.4em; }
            .to { font-style: italic; } .count p:first-child { font-size: 16pt; } .count strong { font-size: 24pt; }
            .note { font-size: 9pt; color: #333; }
            pre { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #999; padding: 0.5em; }
            .signatories { page-break-before: always; }
            table { border-collapse: collapse; width: 100%; font-size: 10pt; } thead { display: table-header-group; }
            th, td { text-align: left; padding: 2pt 6pt; border-bottom: 0.5pt solid #bbb; } tr { page-break-inside: avoid; }
            td:first-child, th:first-child { text-align: right; width: 3em; color: #555; }
            </style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }
}

extension LedgerNode {
    /// The delivery pack of a campaign (HQ only: it opens the sealed data), in `language` (one of
    /// the campaign's; by default its first).
    public func deliveryPack(campaign id: String, language: String? = nil, now: Date = Date()) throws -> DeliveryPack {
        let list = try delivery(campaign: id, now: now)
        guard let version = try store.campaignVersions(id).last else { throw NodeError.unknownCampaign(id) }
        let chosen = language ?? version.body.languages.first ?? "en"
        guard let text = version.body.texts[chosen] else {
            throw NodeError.ambiguous("campaign \(id) has no text in '\(chosen.prefix(8))' (it has \(version.body.languages.joined(separator: ", ")))")
        }
        var tally: String?
        var key: String?
        if isRootHQ, store.keepsMerkleTree {
            tally = try signTally(campaign: id).note
            key = try checkpointKey().vkey
        }
        return DeliveryPack(title: text.title, language: chosen, text: text, list: list, tally: tally, key: key)
    }
}
