/// Calendar arithmetic on Unix seconds (UTC), with allocation-free parsers for the date
/// spellings the event formats use.
public enum CalendarTime {
    /// Seconds in a day.
    public static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Unix seconds at midnight UTC of a date.
    public static func seconds(year: Int, month: Int, day: Int) -> Int64 {
        days(year: year, month: month, day: day) * secondsPerDay
    }

    /// The civil date of a day count since 1970-01-01.
    public static func date(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    /// The civil date (UTC) of Unix seconds.
    public static func date(seconds: Int64) -> (year: Int, month: Int, day: Int) {
        date(days: floorDivide(seconds, secondsPerDay))
    }

    /// `YYYY-MM-DD` of Unix seconds (UTC).
    public static func isoDate(_ seconds: Int64) -> String {
        let d = date(seconds: seconds)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(d.year, 4))-\(pad(d.month, 2))-\(pad(d.day, 2))"
    }

    /// Parses a calendar day written exactly `YYYY-MM-DD` to Unix seconds at midnight UTC; `nil`
    /// for anything else: an impossible date (`2023-02-29`), a date-time, Unix seconds, or
    /// `20140715`. Where the input names a day (a cut-off, a coupon's validity), this is the parser
    /// to use; event times go through ``parseFlexible(_:)``.
    public static func day(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { day(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// ``day(_:)`` of UTF-8 `bytes`, read in place.
    public static func day(bytes: UnsafeRawBufferPointer) -> Int64? {
        bytes.count == 10 ? parseDateTime(bytes) : nil
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Years a date can have: those four digits spell.
    public static let years = 0...9999

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard years.contains(year), (1...12).contains(month), day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Reads `count` decimal digits at `offset`; `nil` if any is not a digit.
    @inline(__always)
    static func digits(_ b: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> Int? {
        guard offset + count <= b.count else { return nil }
        var value = 0
        for i in offset..<offset + count {
            let d = Int(b[i]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// Unix seconds (of the years 0000–9999, like the dates), `YYYY-MM-DD`, or ISO-8601
    /// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:]MM]`.
    public static func parseFlexible(_ b: UnsafeRawBufferPointer) -> Int64? {
        let n = b.count
        guard n > 0 else { return nil }
        if n >= 10 && b[4] == UInt8(ascii: "-") { return parseDateTime(b) }
        // Unix seconds: all digits (an optional leading minus).
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        guard i < n, n - i <= 12 else { return nil }
        var value: Int64 = 0
        while i < n {
            let d = Int64(b[i]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            value = value * 10 + d
            i += 1
        }
        let seconds = negative ? -value : value
        return secondsOfYears.contains(seconds) ? seconds : nil
    }

    /// Unix seconds of the years 0000–9999: 0000-01-01 to the last second of 9999-12-31.
    static let secondsOfYears: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    static func parseDateTime(_ b: UnsafeRawBufferPointer) -> Int64? {
        let n = b.count
        guard n >= 10, let year = digits(b, 0, 4), b[4] == UInt8(ascii: "-"), let month = digits(b, 5, 2),
            b[7] == UInt8(ascii: "-"), let day = digits(b, 8, 2), isValid(year: year, month: month, day: day)
        else { return nil }
        var seconds = Self.seconds(year: year, month: month, day: day)
        if n == 10 { return seconds }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), let hour = digits(b, 11, 2),
            n >= 16, b[13] == UInt8(ascii: ":"), let minute = digits(b, 14, 2), hour < 24, minute < 60
        else { return nil }
        seconds += Int64(hour * 3600 + minute * 60)
        var i = 16
        if i < n && b[i] == UInt8(ascii: ":") {
            guard let second = digits(b, i + 1, 2), second <= 60 else { return nil }
            seconds += Int64(second)
            i += 3
            if i < n && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                i += 1
                let fractionStart = i
                while i < n, b[i] >= 48, b[i] <= 57 { i += 1 }
                guard i > fractionStart else { return nil }
            }
        }
        if i == n { return seconds }
        if b[i] == UInt8(ascii: "Z") { return i + 1 == n ? seconds : nil }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), let oh = digits(b, i + 1, 2) else { return nil }
        var j = i + 3
        if j < n && b[j] == UInt8(ascii: ":") { j += 1 }
        guard let om = digits(b, j, 2), j + 2 == n, oh < 24, om < 60 else { return nil }
        let offset = Int64(oh * 3600 + om * 60)
        return b[i] == UInt8(ascii: "+") ? seconds - offset : seconds + offset
    }

    /// Tmall 2014's `M-D` (e.g. `6-4`, `12-31`) in `year`.
    public static func parseMonthDashDay(_ b: UnsafeRawBufferPointer, year: Int) -> Int64? {
        guard let dash = b.firstIndex(of: UInt8(ascii: "-")), dash >= 1, dash <= 2, b.count - dash - 1 >= 1,
            b.count - dash - 1 <= 2, let month = digits(b, 0, dash),
            let day = digits(b, dash + 1, b.count - dash - 1), isValid(year: year, month: month, day: day)
        else { return nil }
        return seconds(year: year, month: month, day: day)
    }

    /// IJCAI-15's `MMDD` with the month unpadded (`829` is August 29, `1111` November 11) in `year`.
    public static func parseMonthDay(_ b: UnsafeRawBufferPointer, year: Int) -> Int64? {
        guard b.count == 3 || b.count == 4, let month = digits(b, 0, b.count - 2), let day = digits(b, b.count - 2, 2),
            isValid(year: year, month: month, day: day)
        else { return nil }
        return seconds(year: year, month: month, day: day)
    }
}
