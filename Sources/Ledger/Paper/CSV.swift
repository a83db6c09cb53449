/// A small RFC 4180 reader: comma-separated, `"`-quoted fields (with `""` for a quote), CRLF or LF.
enum CSV {
    /// A parsed record and the 1-based line it starts on.
    struct Record: Equatable {
        var line: Int
        var fields: [String]
    }

    enum ParseError: Error, Equatable {
        case unterminatedQuote(line: Int)
    }

    static func parse(_ text: String) throws -> [Record] {
        var records: [Record] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var iterator = Array(text.unicodeScalars)[...]
        var afterQuote = false
        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
        }
        while let scalar = iterator.popFirst() {
            if inQuotes {
                if scalar == "\"" {
                    if iterator.first == "\"" {
                        field.unicodeScalars.append("\"")
                        iterator = iterator.dropFirst()
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r" where iterator.first == "\n":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
                afterQuote = false
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ParseError.unterminatedQuote(line: recordLine) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
