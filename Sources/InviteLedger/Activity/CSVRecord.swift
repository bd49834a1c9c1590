/// Reading RFC 4180 records: the byte ranges of a record's fields, and a field's value without
/// its quotes. Fields are found in place; nothing is copied unless a field is quoted.
enum CSVRecord {
    /// True when the record's quotes are balanced: false means a quoted field goes on past the
    /// end of this line (a line break inside the field).
    static func isComplete(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var quotes = 0
        for byte in bytes where byte == 0x22 { quotes += 1 }
        return quotes % 2 == 0
    }

    /// The ranges of the fields of one complete record, quotes included.
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>, into ranges: inout [Range<Int>]) {
        ranges.removeAll(keepingCapacity: true)
        var start = 0
        var index = 0
        var quoted = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 {
                quoted.toggle()
            } else if byte == 0x2C && !quoted {
                ranges.append(start..<index)
                start = index + 1
            }
            index += 1
        }
        ranges.append(start..<bytes.count)
    }

    /// True when the field is quoted (its value is not its bytes).
    static func isQuoted(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        !range.isEmpty && bytes[range.lowerBound] == 0x22
    }

    /// A field's value: the bytes themselves, or for a quoted field, what is between the quotes
    /// with doubled quotes made single (in `scratch`).
    static func withValue<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, scratch: inout [UInt8],
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        let field = UnsafeBufferPointer(rebasing: bytes[range])
        guard field.count >= 2, field.first == 0x22, field.last == 0x22 else { return try body(field) }
        scratch.removeAll(keepingCapacity: true)
        var index = 1
        while index < field.count - 1 {
            scratch.append(field[index])
            index += field[index] == 0x22 ? 2 : 1
        }
        return try scratch.withUnsafeBufferPointer(body)
    }

    /// A field's value as a string.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        var scratch: [UInt8] = []
        return withValue(bytes, range, scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
    }
}
