import Foundation

/// The date formats of S3: RFC 1123 in HTTP headers, ISO 8601 with milliseconds in XML,
/// and the compact `20130524T000000Z` of `x-amz-date`. Computed with integer calendar
/// arithmetic in UTC: no formatter objects (not Sendable) and no locale to go wrong.
public enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday

    /// `Sun, 06 Nov 1994 08:49:37 GMT`, for `Last-Modified` and `Date`.
    public static func rfc1123(_ date: Date) -> String {
        let c = Civil(date)
        let weekday = weekdays[((c.days % 7) + 7) % 7]
        return "\(weekday), \(pad(c.day, 2)) \(months[c.month - 1]) \(pad(c.year, 4)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)) GMT"
    }

    /// `2009-10-12T17:50:30.000Z`, for `LastModified` and `Initiated` in XML.
    public static func iso8601(_ date: Date) -> String {
        let c = Civil(date)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.millisecond, 3))Z"
    }

    /// `20130524T000000Z`, the `x-amz-date` form.
    public static func amzDate(_ date: Date) -> String {
        let c = Civil(date)
        return "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))Z"
    }

    /// `20130524`, the date of a SigV4 credential scope.
    public static func amzDay(_ date: Date) -> String {
        String(amzDate(date).prefix(8))
    }

    /// Parses `20130524T000000Z`; nil for anything else.
    public static func parseAmzDate(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 16, utf8[8] == UInt8(ascii: "T"), utf8[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard utf8[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(String(decoding: utf8[range], as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Parses the three HTTP date forms recipients must accept (RFC 9110 §5.6.7):
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`.
    public static func parseRFC1123(_ text: String) -> Date? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        let day: Int?, month: String, year: Int?, time: String
        switch tokens.count {
        case 6 where tokens[5] == "GMT" || tokens[5] == "UTC":
            (day, month, year, time) = (Int(tokens[1]), tokens[2], Int(tokens[3]), tokens[4])
        case 4 where tokens[3] == "GMT":
            let parts = tokens[1].split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, let short = Int(parts[2]), parts[2].count == 2 else { return nil }
            (day, month, year, time) = (Int(parts[0]), String(parts[1]), short < 70 ? 2000 + short : 1900 + short, tokens[2])
        case 5:
            (day, month, year, time) = (Int(tokens[2]), tokens[1], Int(tokens[4]), tokens[3])
        default:
            return nil
        }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard let day, let year, let monthIndex = months.firstIndex(of: month), clock.count == 3,
            let hour = clock[0], let minute = clock[1], let second = clock[2]
        else { return nil }
        return make(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second)
    }

    private static func make(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    fileprivate static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A UTC instant broken into calendar fields.
private struct Civil {
    var days: Int, year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    init(_ date: Date) {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        millisecond = milliseconds - seconds * 1000
        days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // The inverse of `daysFromCivil`.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}
