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

    /// "1 second", "20 seconds"; "1 sekund", "20 sekunder".
    func seconds(_ count: Int) -> String {
        switch self {
        case .en: return count == 1 ? "1 second" : "\(count) seconds"
        case .nb: return count == 1 ? "1 sekund" : "\(count) sekunder"
        }
    }

    func text(_ key: KioskText) -> String {
        let text = self == .en ? key.english : key.norwegian
        switch key {
        case .tooManySignatures(let wait), .tooManyWithdrawals(let wait), .tooManyChecks(let wait):
            return text.replacingOccurrences(of: "{wait}", with: seconds(wait))
        case .nextSigner(let after), .keepReceipt(let after), .keepWithdrawn(let after):
            return text.replacingOccurrences(of: "{seconds}", with: seconds(after))
        default:
            return text
        }
    }
}

/// Every interface string of the kiosk. A text with `{wait}` or `{seconds}` takes ``KioskLanguage/seconds(_:)``.
enum KioskText: Sendable, Equatable {
    case siteTitle, openCampaigns, noCampaigns, readMore, published, updated, signatures, goalOf, demands, letterTo
    case signHeading, name, email, postcode, country, consent, commentOptional, displayName, comment, signButton
    case requiredHint, closed, closedText, recentComments, noComments
    case thanksHeading, thanksText, receiptLabel, receiptExplain, nextSigner(seconds: Int), backToCampaign
    case keepReceipt(seconds: Int), keepWithdrawn(seconds: Int), doneText, doneButton
    case withdrawHeading, withdrawText, receiptCode, withdrawButton, withdrawnHeading, withdrawnText
    case eraseToo, withdrawnCommentHidden, withdrawnErased
    case errorsHeading, expiredForm, crossSite, formAlreadySent, stillRecording, recordFailed, closedWhileTyping, typedNotStored
    case laptopForked, laptopCatchingUp, laptopBusy, alreadyRecorded
    case withdrawFormAlreadySent, stillWithdrawing, withdrawFailed
    case tooManySignatures(wait: Int), tooManyWithdrawals(wait: Int)
    case unknownCampaign, notFound, privacyNote, skipToForm, skipToWithdraw, skipToContent, languageSwitch
    case errName, errNameLong, errEmail, errPostcode, errCountry, errTooLong, errUnstorable, errDisplayName, errDisplayNameLong, errComment
    case errReceipt, errReceiptNotHere, errReceiptNotAtHQ, errAlreadyWithdrawn
    case checkHeading, checkText, checkButton, checkCounted, checkRecorded, checkWithdrawn, checkErased, checkProof, checkProofButton
    case checkNoProofHere, errCheckUnknown, tooManyChecks(wait: Int), skipToCheck
    case shareHeading, shareText, paperHeading, paperText, paperNone, paperList, paperRows, paperPrint

    var english: String {
        switch self {
        case .siteTitle: return "Sign for human rights"
        case .openCampaigns: return "Open campaigns"
        case .noCampaigns: return "There are no open campaigns right now. Organisers: publish one at HQ with ledgerctl campaign publish FILE (an example: docs/examples/free-the-press.json)."
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
        case .thanksText: return "Your signature is recorded for the campaign {title}."
        case .receiptLabel: return "Your receipt code"
        case .receiptExplain: return "Keep this code: you need it to withdraw your signature later."
        case .nextSigner: return "This page returns to an empty form for the next person in {seconds}."
        case .keepReceipt: return "I need more time: keep my receipt code on screen until I press Done (otherwise it shows for {seconds})"
        case .keepWithdrawn: return "I need more time: keep the next page on screen until I press Done (otherwise it shows for {seconds})"
        case .doneText: return "Press Done when you are ready: the page then returns to an empty form for the next person."
        case .doneButton: return "Done"
        case .backToCampaign: return "Back to the campaign"
        case .withdrawHeading: return "Withdraw your signature"
        case .withdrawText: return "Enter the receipt code you were given when you signed."
        case .receiptCode: return "Receipt code"
        case .withdrawButton: return "Withdraw my signature"
        case .withdrawnHeading: return "Your signature has been withdrawn"
        case .withdrawnText: return "It no longer counts. You can sign again at any time."
        case .eraseToo: return "Also erase my name and contact details: the organisation deletes them from every device."
        case .withdrawnCommentHidden: return "If you left a comment with your signature, it is no longer shown."
        case .withdrawnErased: return "Your name and contact details will be erased from every device as soon as this device has synced with headquarters."
        case .errorsHeading: return "Please correct the marked fields."
        case .expiredForm: return "This form had expired, so nothing was recorded. Please check what you typed and send it again."
        case .crossSite: return "This form was sent from another site and was refused. Nothing was recorded."
        case .formAlreadySent: return "This form was already sent, so nothing was recorded from it now. Please check what you typed and press Sign again."
        case .stillRecording: return "Your signature is still being recorded. Please do not sign again: wait a moment and reload this page."
        case .recordFailed: return "Something went wrong and nothing was recorded. Please press Sign again."
        case .laptopForked: return "This laptop cannot record signatures now, and nothing was recorded. A copy of its data was used on another machine too. Signatures already recorded here are kept and will count. Volunteer: please run 'ledgerctl device rekey' when HQ can be reached, or use a paper list meanwhile."
        case .alreadyRecorded: return "This form was sent before, and that signature is recorded. For the signer's privacy its receipt code is shown only once. Nothing new was recorded."
        case .laptopCatchingUp: return "This laptop was restored from a backup and must sync with HQ before it records signatures. Nothing was recorded. Volunteer: connect to HQ and run 'ledgerctl sync', or use a paper list meanwhile."
        case .laptopBusy: return "This device is busy with another task (an import or a rebuild of its records), so nothing was recorded. Please wait a moment and try again."
        case .closedWhileTyping: return "This campaign closed before your signature was sent. Nothing was recorded."
        case .typedNotStored: return "What you typed is shown below. It was not stored."
        case .withdrawFormAlreadySent: return "This form was already sent, so nothing was done with it now. Please check the code and press Withdraw again."
        case .stillWithdrawing: return "Your withdrawal is still being recorded. Please wait a moment and reload this page."
        case .withdrawFailed: return "Something went wrong and the signature was not withdrawn. Please try again."
        case .tooManySignatures: return "Too many signatures from this device just now. Nothing was recorded. Please wait {wait} and press Sign again."
        case .tooManyWithdrawals: return "Too many withdrawal attempts from this device just now. Please wait {wait} and try again."
        case .unknownCampaign: return "There is no such campaign."
        case .notFound: return "Page not found."
        case .privacyNote: return "Your name, e-mail and postcode are encrypted so that only the organisation's headquarters can read them. This device cannot."
        case .skipToForm: return "Skip to the signing form"
        case .skipToWithdraw: return "Skip to the form"
        case .skipToContent: return "Skip to the content"
        case .languageSwitch: return "Language"
        case .errName: return "Please enter your name."
        case .errNameLong: return "Your name is too long for this form (at most 200 characters)."
        case .errEmail: return "Please enter a valid e-mail address, like name@example.org."
        case .errPostcode: return "A postcode has only letters, digits, spaces and dashes."
        case .errCountry: return "Please use a two-letter country code, like NO."
        case .errTooLong: return "This is too long for this form. Please shorten it."
        case .errUnstorable: return "This field contains characters that cannot be stored (such as invisible control characters). Please type it again."
        case .errDisplayName: return "Please enter the name to show with your comment."
        case .errDisplayNameLong: return "The name shown with your comment is too long (at most 80 characters)."
        case .errComment: return "Your comment is too long: please shorten it (at most 2000 characters)."
        case .errReceipt: return "A receipt code has 16 letters and digits, like 7K2M‑Q9XD‑3HPA‑W4TZ."
        case .errReceiptNotHere: return "This laptop has not received that signature yet. It may have been recorded on another laptop: withdraw it there, or at HQ, or try again after this laptop has synced. If you are not sure of the code, please check it."
        case .errReceiptNotAtHQ: return "HQ has not received that signature yet. It may still be on the laptop where it was recorded: withdraw it there, or try again after that laptop has synced. If you are not sure of the code, please check it."
        case .errAlreadyWithdrawn: return "This signature was already withdrawn."
        case .checkHeading: return "Check my signature"
        case .checkText: return "Enter the receipt code you were given when you signed. You will see what has become of your signature, and nothing about anyone else's."
        case .checkButton: return "Check"
        case .checkCounted: return "Your signature is recorded and counted."
        case .checkRecorded: return "Your signature is recorded in the ledger. It is not counted at the moment: it may not yet have been checked at HQ, or it was made after the campaign closed, or the same person's signature is already counted."
        case .checkWithdrawn: return "Your signature was withdrawn: it no longer counts."
        case .checkErased: return "Your name and contact details have been erased."
        case .checkProof: return "You can download a proof that your signature is in the ledger's signed history. Anyone can check it with the ledger's public key (ledgerctl receipt verify, or tools/verify_transparency.py). It contains no name or contact details."
        case .checkProofButton: return "Download the proof"
        case .checkNoProofHere: return "The proof that your signature is in the ledger's signed history is given at HQ's page once this device has synced."
        case .errCheckUnknown: return "No signature with this code has reached this device yet. It may still be on the laptop where it was recorded: try again after that laptop has synced. If you are not sure of the code, please check it."
        case .tooManyChecks: return "Too many receipt codes were tried from this device just now. Please wait {wait} and try again."
        case .skipToCheck: return "Skip to the form"
        case .shareHeading: return "Share this campaign"
        case .shareText: return "Suggested words for social media or a message to friends:"
        case .paperHeading: return "Paper lists"
        case .paperText: return "Numbered signature lists issued to this stall, for a notice board, a canteen or a club meeting. Print each list once, and bring it back even if it is not full: it is typed in with the number and check code printed on it."
        case .paperNone: return "No paper lists have been issued to this device. HQ issues and prints them with ledgerctl paper print."
        case .paperList: return "List"
        case .paperRows: return "rows"
        case .paperPrint: return "Open for printing"
        }
    }

    var norwegian: String {
        switch self {
        case .siteTitle: return "Skriv under for menneskerettighetene"
        case .openCampaigns: return "Åpne aksjoner"
        case .noCampaigns: return "Det er ingen åpne aksjoner akkurat nå. Arrangører: publiser en hos HQ med ledgerctl campaign publish FIL (et eksempel: docs/examples/free-the-press.json)."
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
        case .thanksText: return "Underskriften din er registrert for aksjonen {title}."
        case .receiptLabel: return "Kvitteringskoden din"
        case .receiptExplain: return "Ta vare på koden: du trenger den for å trekke underskriften tilbake senere."
        case .nextSigner: return "Om {seconds} viser siden et tomt skjema for neste person."
        case .keepReceipt: return "Jeg trenger mer tid: la kvitteringskoden stå på skjermen til jeg trykker Ferdig (ellers vises den i {seconds})"
        case .keepWithdrawn: return "Jeg trenger mer tid: la neste side stå på skjermen til jeg trykker Ferdig (ellers vises den i {seconds})"
        case .doneText: return "Trykk Ferdig når du er klar: da viser siden et tomt skjema for neste person."
        case .doneButton: return "Ferdig"
        case .backToCampaign: return "Tilbake til aksjonen"
        case .withdrawHeading: return "Trekk tilbake underskriften din"
        case .withdrawText: return "Skriv inn kvitteringskoden du fikk da du skrev under."
        case .receiptCode: return "Kvitteringskode"
        case .withdrawButton: return "Trekk tilbake underskriften"
        case .withdrawnHeading: return "Underskriften din er trukket tilbake"
        case .withdrawnText: return "Den telles ikke lenger. Du kan skrive under igjen når som helst."
        case .eraseToo: return "Slett også navnet mitt og kontaktopplysningene mine: organisasjonen sletter dem fra alle maskiner."
        case .withdrawnCommentHidden: return "Hvis du skrev en kommentar sammen med underskriften, vises den ikke lenger."
        case .withdrawnErased: return "Navnet ditt og kontaktopplysningene dine slettes fra alle maskiner så snart denne maskinen har synkronisert med hovedkontoret."
        case .errorsHeading: return "Rett opp feltene som er merket."
        case .expiredForm: return "Skjemaet var utløpt, så ingenting ble registrert. Sjekk det du skrev, og send det på nytt."
        case .crossSite: return "Skjemaet ble sendt fra et annet nettsted og ble avvist. Ingenting ble registrert."
        case .formAlreadySent: return "Skjemaet er allerede sendt, så ingenting ble registrert fra det nå. Sjekk det du skrev, og trykk Skriv under igjen."
        case .stillRecording: return "Underskriften din blir fortsatt registrert. Ikke skriv under på nytt: vent litt og last inn siden på nytt."
        case .recordFailed: return "Noe gikk galt, og ingenting ble registrert. Trykk Skriv under igjen."
        case .laptopForked: return "Denne maskinen kan ikke registrere underskrifter nå, og ingenting ble registrert. En kopi av dataene er også brukt på en annen maskin. Underskrifter som allerede er registrert her, beholdes og blir talt. Frivillig: kjør 'ledgerctl device rekey' når hovedkontoret kan nås, eller bruk en papirliste så lenge."
        case .alreadyRecorded: return "Dette skjemaet er sendt før, og den underskriften er registrert. Av hensyn til den som skrev under, vises kvitteringskoden bare én gang. Ingenting nytt ble registrert."
        case .laptopCatchingUp: return "Denne maskinen er gjenopprettet fra en sikkerhetskopi og må synkronisere med hovedkontoret før den registrerer underskrifter. Ingenting ble registrert. Frivillig: koble til hovedkontoret og kjør 'ledgerctl sync', eller bruk en papirliste så lenge."
        case .laptopBusy: return "Denne enheten er opptatt med en annen oppgave (en import eller en gjenoppbygging av registrene), så ingenting ble registrert. Vent litt og prøv igjen."
        case .closedWhileTyping: return "Denne aksjonen ble avsluttet før underskriften din ble sendt. Ingenting ble registrert."
        case .typedNotStored: return "Det du skrev, vises nedenfor. Det ble ikke lagret."
        case .withdrawFormAlreadySent: return "Skjemaet er allerede sendt, så ingenting ble gjort med det nå. Sjekk koden, og trykk Trekk tilbake igjen."
        case .stillWithdrawing: return "Tilbaketrekkingen blir fortsatt registrert. Vent litt og last inn siden på nytt."
        case .withdrawFailed: return "Noe gikk galt, og underskriften ble ikke trukket tilbake. Prøv igjen."
        case .tooManySignatures: return "For mange underskrifter fra denne enheten akkurat nå. Ingenting ble registrert. Vent {wait} og trykk Skriv under igjen."
        case .tooManyWithdrawals: return "For mange forsøk på å trekke tilbake fra denne enheten akkurat nå. Vent {wait} og prøv igjen."
        case .unknownCampaign: return "Aksjonen finnes ikke."
        case .notFound: return "Fant ikke siden."
        case .privacyNote: return "Navn, e-post og postnummer krypteres slik at bare organisasjonens hovedkontor kan lese dem. Denne enheten kan ikke."
        case .skipToForm: return "Gå til skjemaet"
        case .skipToWithdraw: return "Gå til skjemaet"
        case .skipToContent: return "Gå til innholdet"
        case .languageSwitch: return "Språk"
        case .errName: return "Skriv inn navnet ditt."
        case .errNameLong: return "Navnet er for langt for skjemaet (høyst 200 tegn)."
        case .errEmail: return "Skriv inn en gyldig e-postadresse, som navn@eksempel.no."
        case .errPostcode: return "Et postnummer har bare bokstaver, sifre, mellomrom og bindestrek."
        case .errCountry: return "Bruk en landkode med to bokstaver, som NO."
        case .errTooLong: return "Dette er for langt for skjemaet. Gjør det kortere."
        case .errUnstorable: return "Feltet inneholder tegn som ikke kan lagres (for eksempel usynlige kontrolltegn). Skriv det inn på nytt."
        case .errDisplayName: return "Skriv inn navnet som skal vises med kommentaren."
        case .errDisplayNameLong: return "Navnet som vises med kommentaren er for langt (høyst 80 tegn)."
        case .errComment: return "Kommentaren er for lang: gjør den kortere (høyst 2000 tegn)."
        case .errReceipt: return "En kvitteringskode har 16 bokstaver og sifre, som 7K2M‑Q9XD‑3HPA‑W4TZ."
        case .errReceiptNotHere: return "Denne PC-en har ikke fått den underskriften ennå. Den kan være registrert på en annen PC: trekk den tilbake der eller hos hovedkontoret, eller prøv igjen når denne PC-en har synkronisert. Er du usikker på koden, sjekk den."
        case .errReceiptNotAtHQ: return "Hovedkontoret har ikke fått den underskriften ennå. Den kan fortsatt ligge på PC-en der den ble registrert: trekk den tilbake der, eller prøv igjen når den PC-en har synkronisert. Er du usikker på koden, sjekk den."
        case .errAlreadyWithdrawn: return "Denne underskriften er allerede trukket tilbake."
        case .checkHeading: return "Sjekk underskriften min"
        case .checkText: return "Skriv inn kvitteringskoden du fikk da du skrev under. Du ser hva som har skjedd med underskriften din, og ingenting om andres."
        case .checkButton: return "Sjekk"
        case .checkCounted: return "Underskriften din er registrert og telles."
        case .checkRecorded: return "Underskriften din er registrert i protokollen. Den telles ikke akkurat nå: den er kanskje ikke sjekket hos hovedkontoret ennå, eller den kom etter at aksjonen stengte, eller den samme personens underskrift telles allerede."
        case .checkWithdrawn: return "Underskriften din er trukket tilbake og telles ikke lenger."
        case .checkErased: return "Navnet ditt og kontaktopplysningene dine er slettet."
        case .checkProof: return "Du kan laste ned et bevis for at underskriften din står i protokollens signerte historikk. Alle kan sjekke det med protokollens offentlige nøkkel (ledgerctl receipt verify eller tools/verify_transparency.py). Det inneholder verken navn eller kontaktopplysninger."
        case .checkProofButton: return "Last ned beviset"
        case .checkNoProofHere: return "Beviset for at underskriften din står i protokollens signerte historikk fås på hovedkontorets side når denne maskinen har synkronisert."
        case .errCheckUnknown: return "Ingen underskrift med denne koden har nådd denne maskinen ennå. Den kan fortsatt ligge på PC-en der den ble registrert: prøv igjen når den PC-en har synkronisert. Er du usikker på koden, sjekk den."
        case .tooManyChecks: return "For mange kvitteringskoder ble prøvd fra denne enheten akkurat nå. Vent {wait} og prøv igjen."
        case .skipToCheck: return "Hopp til skjemaet"
        case .shareHeading: return "Del kampanjen"
        case .shareText: return "Forslag til tekst for sosiale medier eller en melding til venner:"
        case .paperHeading: return "Papirlister"
        case .paperText: return "Nummererte underskriftslister utstedt til denne standen, for en oppslagstavle, en kantine eller et klubbmøte. Skriv ut hver liste én gang, og lever den tilbake også om den ikke er full: den skrives inn med nummeret og kontrollkoden som står på den."
        case .paperNone: return "Ingen papirlister er utstedt til denne maskinen. Hovedkontoret utsteder og skriver dem ut med ledgerctl paper print."
        case .paperList: return "Liste"
        case .paperRows: return "rader"
        case .paperPrint: return "Åpne for utskrift"
        }
    }
}
