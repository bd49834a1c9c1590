import LedgerStore

/// The two formats of the batch reports.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV with a header line.
    case csv
    /// One JSON object per line, the CSV header's names as keys.
    case ndjson
}

/// How a report column is read from SQL and written out.
enum ReportColumnKind {
    case integer
    case text
    /// Milliseconds since the epoch, written as RFC 3339 UTC with milliseconds.
    case timestamp
    /// 0 or 1, written as `true` / `false`.
    case boolean
    /// Text that is already a JSON value (an array), written raw in NDJSON and as text in CSV.
    case json
}

/// A row of a report, read cell by cell: a statement's columns, or values a report computed.
protocol ReportCells {
    func isNull(_ index: Int) -> Bool
    /// An integer, timestamp or boolean cell (0 for NULL).
    func integer(_ index: Int) -> Int64
    /// The UTF-8 bytes of a text or JSON cell, valid only during the call.
    func withUTF8<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result
}

extension Statement.Columns: ReportCells {
    func integer(_ index: Int) -> Int64 { self[index] ?? 0 }
}

/// Encodes rows straight from a statement's columns into a byte buffer, without making a
/// `String` per cell: the reports write millions of rows.
struct ReportEncoder {
    let format: ReportFormat
    let names: [String]
    let kinds: [ReportColumnKind]
    /// `"name":` for each column, ready to copy (NDJSON).
    private let keys: [[UInt8]]

    init(format: ReportFormat, columns: [(String, ReportColumnKind)]) {
        self.format = format
        self.names = columns.map(\.0)
        self.kinds = columns.map(\.1)
        self.keys = columns.map { column in
            var key: [UInt8] = []
            JSONValue.writeString(column.0, to: &key)
            key.append(0x3A)
            return key
        }
    }

    /// The CSV header line; nothing for NDJSON.
    func header(into bytes: inout [UInt8]) {
        if format == .csv {
            CSVWriter.appendRecord(names, to: &bytes)
        }
    }

    /// One row: the cells 0..<count, in the order of `columns`.
    func row<Cells: ReportCells>(_ columns: Cells, into bytes: inout [UInt8]) {
        switch format {
        case .csv:
            for index in kinds.indices {
                if index > 0 { bytes.append(0x2C) }
                guard !columns.isNull(index) else { continue }
                switch kinds[index] {
                case .integer:
                    Self.appendInteger(columns.integer(index), to: &bytes)
                case .timestamp:
                    Self.appendTimestamp(columns.integer(index), to: &bytes)
                case .boolean:
                    bytes.append(contentsOf: columns.integer(index) != 0 ? Self.trueBytes : Self.falseBytes)
                case .text, .json:
                    columns.withUTF8(index) { Self.appendCSVField($0, to: &bytes) }
                }
            }
            bytes.append(contentsOf: [0x0D, 0x0A])
        case .ndjson:
            bytes.append(0x7B)
            for index in kinds.indices {
                if index > 0 { bytes.append(0x2C) }
                bytes.append(contentsOf: keys[index])
                guard !columns.isNull(index) else {
                    bytes.append(contentsOf: Self.nullBytes)
                    continue
                }
                switch kinds[index] {
                case .integer:
                    Self.appendInteger(columns.integer(index), to: &bytes)
                case .timestamp:
                    bytes.append(0x22)
                    Self.appendTimestamp(columns.integer(index), to: &bytes)
                    bytes.append(0x22)
                case .boolean:
                    bytes.append(contentsOf: columns.integer(index) != 0 ? Self.trueBytes : Self.falseBytes)
                case .text:
                    columns.withUTF8(index) { Self.appendJSONString($0, to: &bytes) }
                case .json:
                    columns.withUTF8(index) { bytes.append(contentsOf: $0) }
                }
            }
            bytes.append(contentsOf: [0x7D, 0x0A])
        }
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)

    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 {
            bytes.append(0x2D)
            guard value != Int64.min else {
                bytes.append(contentsOf: "9223372036854775808".utf8)
                return
            }
            appendInteger(-value, to: &bytes)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(48 + rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func appendTimestamp(_ milliseconds: Int64, to bytes: inout [UInt8]) {
        var (days, ms) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        if ms < 0 {
            days -= 1
            ms += 86_400_000
        }
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        func two(_ value: Int) {
            bytes.append(UInt8(48 + value / 10))
            bytes.append(UInt8(48 + value % 10))
        }
        guard (0...9999).contains(year) else {
            bytes.append(contentsOf: Timestamp(milliseconds: milliseconds).rfc3339.utf8)
            return
        }
        two(year / 100)
        two(year % 100)
        bytes.append(0x2D)
        two(month)
        bytes.append(0x2D)
        two(day)
        bytes.append(0x54)
        let milli = Int(ms)
        two(milli / 3_600_000)
        bytes.append(0x3A)
        two(milli / 60_000 % 60)
        bytes.append(0x3A)
        two(milli / 1000 % 60)
        bytes.append(0x2E)
        bytes.append(UInt8(48 + milli % 1000 / 100))
        two(milli % 100)
        bytes.append(0x5A)
    }

    static func appendCSVField(_ text: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var needsQuotes = false
        for byte in text where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            bytes.append(contentsOf: text)
            return
        }
        bytes.append(0x22)
        for byte in text {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    static func appendJSONString(_ text: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var plain = true
        for byte in text where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        if plain {
            bytes.append(0x22)
            bytes.append(contentsOf: text)
            bytes.append(0x22)
        } else {
            JSONValue.writeString(String(decoding: text, as: UTF8.self), to: &bytes)
        }
    }
}
