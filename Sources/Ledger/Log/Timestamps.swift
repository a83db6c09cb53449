import Foundation

/// Conversions between Unix milliseconds and ISO 8601 text (UTC), used at the edges.
public enum Timestamps {
    /// `2026-11-26T18:42:37.123Z`
    public static func iso8601(millis: UInt64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)) 
    }

    /// The UTC date of `millis` as `YYYY-MM-DD`: the first ten characters of ``iso8601(millis:)``,
    /// computed directly for years up to 9999 (the projector writes one per signature; the
    /// formatter costs more than the rest of the row). Later years take the formatter's answer.
    public static func day(millis: UInt64) -> String {
        guard millis < 253_402_300_800_000 else { return String(iso8601(millis: millis).prefix(10)) }
        // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
        let z = Int64(millis / 86_400_000) + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var out = [UInt8](repeating: 0x30, count: 10)
        func put(_ value: Int64, at end: Int, digits: Int) {
            var rest = value
            for index in stride(from: end, to: end - digits, by: -1) {
                out[index] = 0x30 + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(year, at: 3, digits: 4)
        out[4] = 0x2D
        put(month, at: 6, digits: 2)
        out[7] = 0x2D
        put(day, at: 9, digits: 2)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `2027-03-01`, `2027-03-01T12:00:00Z` or with fractional seconds; nil otherwise.
    public static func parse(_ text: String) -> UInt64? {
        let strategies: [Date.ISO8601FormatStyle] = [
            .iso8601,
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
            Date.ISO8601FormatStyle().year().month().day(),
        ]
        for strategy in strategies {
            if let date = try? strategy.parse(text) {
                let millis = date.timeIntervalSince1970 * 1000
                guard millis >= 0 else { return nil }
                return UInt64(millis.rounded())
            }
        }
        return nil
    }
}
