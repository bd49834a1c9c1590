import Testing

@testable import InviteLedger

@Suite("Timestamp")
struct TimestampTests {
    @Test("parses RFC 3339 with any offset into UTC milliseconds", arguments: [
        ("1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00.000Z"),
        ("2026-03-03T14:00:00+02:00", 1_772_539_200_000, "2026-03-03T12:00:00.000Z"),
        ("2026-03-03t12:00:00.5z", 1_772_539_200_500, "2026-03-03T12:00:00.500Z"),
        ("2026-03-03T12:00:00.123987-00:30", 1_772_541_000_123, "2026-03-03T12:30:00.123Z"),
        ("2024-02-29T23:59:59.999Z", 1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
        ("1969-12-31T23:59:59.999Z", -1, "1969-12-31T23:59:59.999Z"),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
        ("9999-12-31T23:59:59Z", 253_402_300_799_000, "9999-12-31T23:59:59.000Z"),
    ])
    func parses(text: String, milliseconds: Int64, normalized: String) throws {
        let timestamp = try #require(Timestamp(rfc3339: text))
        #expect(timestamp.milliseconds == milliseconds)
        #expect(timestamp.rfc3339 == normalized)
        #expect(Timestamp(rfc3339: normalized) == timestamp)
    }

    @Test("refuses what is not an RFC 3339 date-time with offset", arguments: [
        "2026-03-03T12:00:00", "2026-03-03 12:00:00Z", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-03-03T24:00:00Z", "2026-03-03T12:60:00Z", "2026-03-03T12:00:60Z",
        "2026-03-03T12:00:00.Z", "2026-03-03T12:00:00+2:00", "2026-03-03T12:00:00+24:00", "0000-01-01T00:00:00Z",
        "2026-3-3T12:00:00Z", "2026-03-03T12:00:00Z ", "+2026-03-03T12:00:00Z", "",
    ])
    func refuses(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }
}
