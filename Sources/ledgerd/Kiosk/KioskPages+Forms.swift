import Ledger

/// The kiosk's forms: signing, withdrawing, and the error summary they share.
///
/// A server-side error takes the focus with no JavaScript: each form posts to its own URL with
/// `#errors`, and the answer's error summary (`id="errors" tabindex="-1"`, at the top of the
/// form) is that fragment's target, which the browser scrolls to and focuses. Each field error in
/// the summary links to its field.
extension KioskPages {
    /// The error summary: a notice for the whole form and the field errors as links, or nothing.
    static func errorSummary(notice: KioskText?, errors: [(String, KioskText)], language: KioskLanguage) -> String {
        guard notice != nil || !errors.isEmpty else { return "" }
        let t = language.text
        var html = "<div class=\"alert\" id=\"errors\" tabindex=\"-1\" role=\"alert\">"
        if let notice { html += "<p>\(t(notice))</p>" }
        if !errors.isEmpty {
            html += "<p>\(t(.errorsHeading))</p><ul>"
            html += errors.map { "<li><a href=\"#\(HTML.escape($0.0))\">\(t($0.1))</a></li>" }.joined()
            html += "</ul>"
        }
        return html + "</div>"
    }

    /// One labelled text field with its error; read-only (and out of any form) after a close.
    private static func input(_ field: String, _ label: KioskText, type: String, value: String, required: Bool, error: KioskText?,
                              language: KioskLanguage, readOnly: Bool = false, extra: String = "") -> String {
        let t = language.text
        let describedBy = error == nil ? "" : " aria-describedby=\"\(field)-error\" aria-invalid=\"true\""
        let state = readOnly ? " readonly" : (required ? " required" : "")
        return """
            <div class="field\(error == nil ? "" : " invalid")"><label for="\(field)">\(t(label))\(required ? " *" : "")</label>
            <input id="\(field)" name="\(field)" type="\(type)" value="\(HTML.escape(value))" autocomplete="off"\(state)\(describedBy)\(extra)>
            \(error.map { "<p class=\"error\" id=\"\(field)-error\">\(t($0))</p>" } ?? "")</div>
            """
    }

    /// The fields of the signing form, filled in with `form`.
    private static func signFields(_ form: SignForm, errors: [(String, KioskText)], language: KioskLanguage, readOnly: Bool) -> String {
        let t = language.text
        func error(_ field: String) -> KioskText? { errors.first { $0.0 == field }?.1 }
        var html = input("name", .name, type: "text", value: form.name, required: true, error: error("name"), language: language, readOnly: readOnly, extra: " maxlength=\"200\"")
        html += input("email", .email, type: "email", value: form.email, required: true, error: error("email"), language: language, readOnly: readOnly, extra: " inputmode=\"email\" maxlength=\"254\"")
        html += input("postcode", .postcode, type: "text", value: form.postcode, required: false, error: error("postcode"), language: language, readOnly: readOnly, extra: " maxlength=\"16\"")
        html += input("country", .country, type: "text", value: form.country, required: false, error: error("country"), language: language, readOnly: readOnly, extra: " maxlength=\"2\" size=\"2\"")
        html += "<div class=\"field check\"><input id=\"consent\" name=\"consent\" type=\"checkbox\" value=\"yes\"\(form.consent ? " checked" : "")\(readOnly ? " disabled" : "")><label for=\"consent\">\(t(.consent))</label></div>"
        html += "<fieldset><legend>\(t(.commentOptional))</legend>"
        html += input("display_name", .displayName, type: "text", value: form.displayName, required: false, error: error("display_name"), language: language, readOnly: readOnly, extra: " maxlength=\"80\"")
        let commentError = error("comment")
        html += "<div class=\"field\(commentError == nil ? "" : " invalid")\"><label for=\"comment\">\(t(.comment))</label><textarea id=\"comment\" name=\"comment\" maxlength=\"2000\" autocomplete=\"off\"\(readOnly ? " readonly" : "")\(commentError == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"comment-error\"")>\(HTML.escape(form.comment))</textarea>"
        html += commentError.map { "<p class=\"error\" id=\"comment-error\">\(t($0))</p>" } ?? ""
        html += "</div></fieldset>"
        return html
    }

    /// In kiosk mode, the box that turns off the next page's return to an empty form after
    /// `seconds` (WCAG 2.2.1, "Timing Adjustable": a time limit the user can turn off before
    /// meeting it), or nothing.
    static func keepBox(_ text: KioskText?, checked: Bool, language: KioskLanguage) -> String {
        guard let text else { return "" }
        return "<div class=\"field check\"><input id=\"keep\" name=\"keep\" type=\"checkbox\" value=\"yes\"\(checked ? " checked" : "")><label for=\"keep\">\(language.text(text))</label></div>"
    }

    /// The signing form, with the error summary at its top; in kiosk mode (`returnAfter`) with the box
    /// that keeps the thank-you page on screen.
    static func signForm(id: String, language: KioskLanguage, form: SignForm, errors: [(String, KioskText)], notice: KioskText?, token: String,
                         returnAfter: Int? = nil) -> String {
        let t = language.text
        var html = "<section id=\"sign\"><h2>\(t(.signHeading))</h2>"
        html += "<form method=\"post\" action=\"/c/\(HTML.escape(id))/sign?lang=\(language.rawValue)#errors\" autocomplete=\"off\">"
        html += errorSummary(notice: notice, errors: errors, language: language)
        html += "<input type=\"hidden\" name=\"form\" value=\"\(HTML.escape(token))\">"
        html += "<p class=\"note\">\(t(.requiredHint))</p>"
        html += signFields(form, errors: errors, language: language, readOnly: false)
        html += "<p class=\"note\">\(t(.privacyNote))</p>"
        html += keepBox(returnAfter.map { .keepReceipt(seconds: $0) }, checked: form.keep, language: language)
        html += "<button type=\"submit\">\(t(.signButton))</button></form></section>"
        return html
    }

    /// A campaign that closed while someone typed: it says nothing was recorded, and shows what
    /// they typed, read-only, so that nothing is lost from view (a comment can be copied).
    static func typedAfterClose(language: KioskLanguage, form: SignForm) -> String {
        let t = language.text
        var html = "<section id=\"sign\"><h2>\(t(.closed))</h2>"
        html += "<div class=\"alert\" id=\"errors\" tabindex=\"-1\" role=\"alert\"><p>\(t(.closedWhileTyping))</p><p>\(t(.typedNotStored))</p></div>"
        html += "<div class=\"typed\">" + signFields(form, errors: [], language: language, readOnly: true) + "</div>"
        return html + "<p>\(t(.closedText))</p></section>"
    }

    /// The receipt code field, as typed, with its error.
    static func receiptInput(code: String, error: KioskText?, language: KioskLanguage) -> String {
        input("receipt", .receiptCode, type: "text", value: code, required: true, error: error, language: language,
              extra: " autocapitalize=\"characters\" spellcheck=\"false\"")
    }

    /// The withdrawal form: the receipt code as typed, its error, and a notice for the whole form;
    /// in kiosk mode (`returnAfter`) the box that keeps the "withdrawn" page on screen.
    static func withdraw(language: KioskLanguage, code: String, error: KioskText?, notice: KioskText? = nil, token: String, erase: Bool = false,
                         returnAfter: Int? = nil, keep: Bool = false) -> String {
        let t = language.text
        let errors = error.map { [("receipt", $0)] } ?? []
        let body = """
            <h1>\(t(.withdrawHeading))</h1>
            <p>\(t(.withdrawText))</p>
            <form id="withdraw" method="post" action="/withdraw?lang=\(language.rawValue)#errors" autocomplete="off">
            \(errorSummary(notice: notice, errors: errors, language: language))
            <input type="hidden" name="form" value="\(HTML.escape(token))">
            \(receiptInput(code: code, error: error, language: language))
            <div class="field check"><input id="erase" name="erase" type="checkbox" value="yes"\(erase ? " checked" : "")><label for="erase">\(t(.eraseToo))</label></div>
            \(keepBox(returnAfter.map { .keepWithdrawn(seconds: $0) }, checked: keep, language: language))
            <button type="submit">\(t(.withdrawButton))</button>
            </form>
            """
        return HTML.page(title: t(.withdrawHeading), language: language, switchPath: "/withdraw", skip: ("withdraw", .skipToWithdraw), body: body)
    }

    /// After a withdrawal: a link back to the campaign's form (or the list of campaigns), and in
    /// kiosk mode back to an empty form by itself.
    ///
    /// - Parameters:
    ///   - keep: the signer asked for more time (kiosk mode): no return by itself, and a Done button.
    static func withdrawn(language: KioskLanguage, campaign: String?, returnAfter: Int?, erased: Bool = false, keep: Bool = false) -> String {
        let t = language.text
        let back = campaign.map { "/c/\($0)?lang=\(language.rawValue)" }
        let done = keep && returnAfter != nil
        let link = back.map { "<a class=\"button\" href=\"\(HTML.escape($0))\">\(t(done ? .doneButton : .backToCampaign))</a>" }
            ?? "<a href=\"/?lang=\(language.rawValue)\">\(t(.openCampaigns))</a>"
        return HTML.page(title: t(.withdrawnHeading), language: language, switchPath: "/withdraw",
                         refresh: done ? nil : back.flatMap { url in returnAfter.map { ($0, url) } },
                         body: "<h1>\(t(.withdrawnHeading))</h1><p>\(t(.withdrawnText))</p><p>\(t(.withdrawnCommentHidden))</p>"
                            + (erased ? "<p>\(t(.withdrawnErased))</p>" : "") + (done && back != nil ? "<p class=\"note\">\(t(.doneText))</p>" : "")
                            + "<p>\(link)</p>")
    }
}
