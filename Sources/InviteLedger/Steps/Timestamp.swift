/// A point in time with millisecond precision, as the ledger stores it: milliseconds since
/// 1970-01-01T00:00:00Z.
///
///     let at = Timestamp(rfc3339: "2026-03-01T10:00:00.5+02:00")!
///     at.rfc3339                   // "2026-03-01T08:00:00.500Z"
///     at.milliseconds              // 1772352000500
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The earliest `at` a step may have: 1970-01-01T00:00:00Z. No cTrader record is older, and a
    /// year such as 0001 is a default value sent by mistake, not a time.
    public static let earliestStep = Timestamp(milliseconds: 0)

    /// How far after the recording machine's clock a step's `at` may be: 5 minutes, for clocks
    /// that disagree a little. A step dated later is refused; it cannot have happened yet.
    public static let futureTolerance: Int64 = 5 * 60_000

    public var description: String { rfc3339 }

    /// Parses RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, `T` and `Z`
    /// in either case. Digits after the milliseconds are dropped (truncated, not rounded). Years
    /// 0001-9999; leap seconds (`:60`) are refused.
    public init?(rfc3339 text: String) {
        var text = text
        guard let milliseconds = text.withUTF8({ Self.milliseconds(rfc3339: $0) }) else { return nil }
        self.milliseconds = milliseconds
    }

    /// The milliseconds of an RFC 3339 `date-time` in UTF-8, or nil when it is not one.
    static func milliseconds(rfc3339 bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45,
              let day = number(8..<10), bytes[10] == 84 || bytes[10] == 116,
              let hour = number(11..<13), bytes[13] == 58, let minute = number(14..<16), bytes[16] == 58,
              let second = number(17..<19)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var index = 19
        var millisecond = 0
        if bytes[index] == 46 {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if index - start < 3 {
                    millisecond = millisecond * 10 + Int(bytes[index] - 48)
                }
                index += 1
            }
            let digits = index - start
            guard digits >= 1 else { return nil }
            for _ in min(digits, 3)..<3 { millisecond *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offsetMinutes = 0
        switch bytes[index] {
        case 90, 122:
            index += 1
        case 43, 45:
            guard index + 6 == bytes.count, let offsetHour = number(index + 1..<index + 3), bytes[index + 3] == 58,
                  let offsetMinute = number(index + 4..<index + 6), offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (bytes[index] == 45 ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millisecond)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, always UTC and always three fraction digits.
    public var rfc3339: String {
        let (dayCount, millisecondOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let days = millisecondOfDay < 0 ? dayCount - 1 : dayCount
        let ms = millisecondOfDay < 0 ? millisecondOfDay + 86_400_000 : millisecondOfDay
        let (year, month, day) = Self.civilFromDays(Int(days))
        let hour = Int(ms / 3_600_000)
        let minute = Int(ms / 60_000 % 60)
        let second = Int(ms / 1000 % 60)
        let millisecond = Int(ms % 1000)
        guard (1...9999).contains(year) else {
            func pad(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millisecond, 3))Z"
        }
        // Written digit by digit into the string's own storage: this runs for every step.
        return String(unsafeUninitializedCapacity: 24) { text in
            var offset = 0
            // `width` digits of `value`, then the separator byte.
            func field(_ value: Int, _ width: Int, _ separator: UInt8) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    text[index] = UInt8(48 + value % 10)
                    value /= 10
                }
                text[offset + width] = separator
                offset += width + 1
            }
            field(year, 4, 45)  // -
            field(month, 2, 45)  // -
            field(day, 2, 84)  // T
            field(hour, 2, 58)  // :
            field(minute, 2, 58)  // :
            field(second, 2, 46)  // .
            field(millisecond, 3, 90)  // Z
            return offset
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
