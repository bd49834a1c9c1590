/// RFC 4180 CSV: fields separated by commas, records ended by CRLF, a field quoted when it holds a
/// comma, a quote, CR or LF, quotes inside doubled. UTF-8, no byte-order mark.
///
///     var line: [UInt8] = []
///     CSVWriter.appendRecord(["level", "partnerId"], to: &line)     // level,partnerId\r\n
public enum CSVWriter {
    /// Appends one field (without separator).
    public static func appendField(_ text: String, to bytes: inout [UInt8]) {
        var needsQuotes = false
        for byte in text.utf8 where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            bytes.append(contentsOf: text.utf8)
            return
        }
        bytes.append(0x22)
        for byte in text.utf8 {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    /// Appends a whole record and its CRLF.
    public static func appendRecord(_ fields: [String], to bytes: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            appendField(field, to: &bytes)
        }
        bytes.append(contentsOf: [0x0D, 0x0A])
    }

    public static func record(_ fields: [String]) -> String {
        var bytes: [UInt8] = []
        appendRecord(fields, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
