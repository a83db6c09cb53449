/// The kiosk's interface languages and their strings (campaign texts come from the campaign).
enum KioskLanguage: String, CaseIterable, Sendable {
    case nb, en

    /// The language a browser asks for in `Accept-Language` (q-values respected), else English;
    /// an explicit `?lang=` wins.
    static func choose(query: String?, acceptLanguage: String?) -> KioskLanguage {
        if let query, let language = KioskLanguage(rawValue: query) { return language }
        guard let acceptLanguage else { return .en }
        var best: (KioskLanguage, Double)?
        for part in acceptLanguage.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = pieces.first else { continue }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            let language: KioskLanguage? = switch primary {
            case "nb", "no", "nn": .nb
            case "en": .en
            default: nil
            }
            if let language, q > (best?.1 ?? 0) { best = (language, q) }
        }
        return best?.0 ?? .en
    }

    var other: KioskLanguage { self == .nb ? .en : .nb }
    var nativeName: String { self == .nb ? "Norsk" : "English" }

    func text(_ key: KioskText) -> String {
        switch self {
        case .en: return key.english
        case .nb: return key.norwegian
        }
    }
}

/// Every interface string of the kiosk.
enum KioskText {
    case siteTitle, openCampaigns, noCampaigns, readMore, published, updated, signatures, goalOf, demands, letterTo
    case signHeading, name, email, postcode, country, consent, commentOptional, displayName, comment, signButton
    case requiredHint, closed, closedText, recentComments, noComments
    case thanksHeading, thanksText, receiptLabel, receiptExplain, nextSigner, backToCampaign
    case withdrawHeading, withdrawText, receiptCode, withdrawButton, withdrawnHeading, withdrawnText
    case errorsHeading, tooMany, expiredForm, unknownCampaign, notFound, privacyNote, skipToForm, languageSwitch
    case errName, errEmail, errPostcode, errCountry, errDisplayName, errComment, errReceipt, errUnknownReceipt, errAlreadyWithdrawn

    var english: String {
        switch self {
        case .siteTitle: return "Sign for human rights"
        case .openCampaigns: return "Open campaigns"
        case .noCampaigns: return "There are no open campaigns right now."
        case .readMore: return "Read and sign"
        case .published: return "Published"
        case .updated: return "Updated"
        case .signatures: return "signatures"
        case .goalOf: return "of the goal of"
        case .demands: return "We demand"
        case .letterTo: return "Letter to"
        case .signHeading: return "Sign the petition"
        case .name: return "Full name"
        case .email: return "E-mail"
        case .postcode: return "Postcode"
        case .country: return "Country (two letters, e.g. NO)"
        case .consent: return "You may contact me about this campaign"
        case .commentOptional: return "Leave a comment (optional)"
        case .displayName: return "Name shown with your comment"
        case .comment: return "Comment"
        case .signButton: return "Sign"
        case .requiredHint: return "Fields marked * are required."
        case .closed: return "This campaign is closed"
        case .closedText: return "The action is over. Thank you to everyone who signed."
        case .recentComments: return "What signers say"
        case .noComments: return "No comments yet."
        case .thanksHeading: return "Thank you for signing!"
        case .thanksText: return "Your signature for {title} has been recorded."
        case .receiptLabel: return "Your receipt code"
        case .receiptExplain: return "Keep this code. It proves your signature was counted, and you can use it to withdraw your signature at any time."
        case .nextSigner: return "This page returns to an empty form for the next person in a few seconds."
        case .backToCampaign: return "Back to the campaign"
        case .withdrawHeading: return "Withdraw your signature"
        case .withdrawText: return "Enter the receipt code you were given when you signed."
        case .receiptCode: return "Receipt code"
        case .withdrawButton: return "Withdraw my signature"
        case .withdrawnHeading: return "Your signature has been withdrawn"
        case .withdrawnText: return "It no longer counts. You can sign again at any time."
        case .errorsHeading: return "Please correct the marked fields."
        case .tooMany: return "Too many signatures from this device just now. Please wait a minute and try again."
        case .expiredForm: return "This form has expired. Please fill it in again."
        case .unknownCampaign: return "There is no such campaign."
        case .notFound: return "Page not found."
        case .privacyNote: return "Your name, e-mail and postcode are encrypted so that only the organisation's headquarters can read them. This device cannot."
        case .skipToForm: return "Skip to the signing form"
        case .languageSwitch: return "Language"
        case .errName: return "Please enter your name."
        case .errEmail: return "Please enter a valid e-mail address, like name@example.org."
        case .errPostcode: return "A postcode has only letters, digits, spaces and dashes."
        case .errCountry: return "Please use a two-letter country code, like NO."
        case .errDisplayName: return "Please enter the name to show with your comment (at most 80 characters)."
        case .errComment: return "A comment can be at most 2000 characters."
        case .errReceipt: return "A receipt code has 16 letters and digits, like 7K2M‑Q9XD‑3HPA‑W4TZ."
        case .errUnknownReceipt: return "No signature has this receipt code. Please check it."
        case .errAlreadyWithdrawn: return "This signature was already withdrawn."
        }
    }

    var norwegian: String {
        switch self {
        case .siteTitle: return "Skriv under for menneskerettighetene"
        case .openCampaigns: return "Åpne aksjoner"
        case .noCampaigns: return "Det er ingen åpne aksjoner akkurat nå."
        case .readMore: return "Les og skriv under"
        case .published: return "Publisert"
        case .updated: return "Oppdatert"
        case .signatures: return "underskrifter"
        case .goalOf: return "av målet på"
        case .demands: return "Vi krever"
        case .letterTo: return "Brev til"
        case .signHeading: return "Skriv under"
        case .name: return "Fullt navn"
        case .email: return "E-post"
        case .postcode: return "Postnummer"
        case .country: return "Land (to bokstaver, f.eks. NO)"
        case .consent: return "Dere kan kontakte meg om denne aksjonen"
        case .commentOptional: return "Legg igjen en kommentar (valgfritt)"
        case .displayName: return "Navn som vises med kommentaren"
        case .comment: return "Kommentar"
        case .signButton: return "Skriv under"
        case .requiredHint: return "Felt merket * må fylles ut."
        case .closed: return "Denne aksjonen er avsluttet"
        case .closedText: return "Aksjonen er over. Takk til alle som skrev under."
        case .recentComments: return "Dette sier de som har skrevet under"
        case .noComments: return "Ingen kommentarer ennå."
        case .thanksHeading: return "Takk for at du skrev under!"
        case .thanksText: return "Underskriften din for {title} er registrert."
        case .receiptLabel: return "Kvitteringskoden din"
        case .receiptExplain: return "Ta vare på koden. Den viser at underskriften din ble talt, og med den kan du trekke underskriften tilbake når som helst."
        case .nextSigner: return "Om noen sekunder viser siden et tomt skjema for neste person."
        case .backToCampaign: return "Tilbake til aksjonen"
        case .withdrawHeading: return "Trekk tilbake underskriften din"
        case .withdrawText: return "Skriv inn kvitteringskoden du fikk da du skrev under."
        case .receiptCode: return "Kvitteringskode"
        case .withdrawButton: return "Trekk tilbake underskriften"
        case .withdrawnHeading: return "Underskriften din er trukket tilbake"
        case .withdrawnText: return "Den telles ikke lenger. Du kan skrive under igjen når som helst."
        case .errorsHeading: return "Rett opp feltene som er merket."
        case .tooMany: return "For mange underskrifter fra denne enheten akkurat nå. Vent et minutt og prøv igjen."
        case .expiredForm: return "Skjemaet er utløpt. Fyll det ut på nytt."
        case .unknownCampaign: return "Aksjonen finnes ikke."
        case .notFound: return "Fant ikke siden."
        case .privacyNote: return "Navn, e-post og postnummer krypteres slik at bare organisasjonens hovedkontor kan lese dem. Denne enheten kan ikke."
        case .skipToForm: return "Gå til skjemaet"
        case .languageSwitch: return "Språk"
        case .errName: return "Skriv inn navnet ditt."
        case .errEmail: return "Skriv inn en gyldig e-postadresse, som navn@eksempel.no."
        case .errPostcode: return "Et postnummer har bare bokstaver, sifre, mellomrom og bindestrek."
        case .errCountry: return "Bruk en landkode med to bokstaver, som NO."
        case .errDisplayName: return "Skriv inn navnet som skal vises med kommentaren (høyst 80 tegn)."
        case .errComment: return "En kommentar kan ha høyst 2000 tegn."
        case .errReceipt: return "En kvitteringskode har 16 bokstaver og sifre, som 7K2M‑Q9XD‑3HPA‑W4TZ."
        case .errUnknownReceipt: return "Ingen underskrift har denne kvitteringskoden. Sjekk koden."
        case .errAlreadyWithdrawn: return "Denne underskriften er allerede trukket tilbake."
        }
    }
}
