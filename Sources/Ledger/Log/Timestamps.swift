import Foundation

/// Conversions between Unix milliseconds and ISO 8601 text (UTC), used at the edges.
public enum Timestamps {
    /// `2026-11-26T18:42:37.123Z`
    public static func iso8601(millis: UInt64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)) 
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
