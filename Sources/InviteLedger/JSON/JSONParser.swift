/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Rejects what the ledger must never guess about: invalid UTF-8, unescaped control characters,
/// lone surrogates, duplicate keys, nesting deeper than `maximumDepth`, and anything after the value.
public struct JSONParser {
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The byte offset (from 0) where the problem was found.
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset + 1)" }
    }

    public static let maximumDepth = 32

    /// Parses one JSON value that fills `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Error) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        if bytes.count - parser.offset >= 3, bytes[parser.offset] == 0xEF, bytes[parser.offset + 1] == 0xBB,
           bytes[parser.offset + 2] == 0xBF
        {
            // Named, not repaired: a byte order mark is not JSON, and what follows it is not guessed at.
            throw parser.error("a UTF-8 byte order mark (EF BB BF: JSON allows none, send the text without it)")
        }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == bytes.count else {
            throw parser.error("unexpected \(parser.describeCurrent()) after the JSON value")
        }
        return value
    }

    public static func parse(_ text: String) throws(Error) -> JSONValue {
        var text = text
        let result: Result<JSONValue, Error> = text.withUTF8 { buffer in
            Result { () throws(Error) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private func error(_ reason: String) -> Error {
        Error(offset: offset, reason: reason)
    }

    private func describeCurrent() -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x20 && byte < 0x7F {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(Error) -> JSONValue {
        guard offset < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[offset] {
        case 0x7B: return try parseObject(depth: depth + 1)
        case 0x5B: return try parseArray(depth: depth + 1)
        case 0x22: return .string(try parseString())
        case 0x74: try expectLiteral("true"); return .bool(true)
        case 0x66: try expectLiteral("false"); return .bool(false)
        case 0x6E: try expectLiteral("null"); return .null
        case 0x2D, 0x30...0x39: return .number(try parseNumber())
        default: throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Error) {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count,
              (0..<count).allSatisfy({ bytes[offset + $0] == literal.utf8Start[$0] })
        else {
            throw error("invalid literal, expected \(literal)")
        }
        offset += count
    }

    private mutating func parseObject(depth: Int) throws(Error) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("JSON nested deeper than \(Self.maximumDepth) levels") }
        offset += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == 0x7D {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == 0x22 else {
                throw error("unexpected \(describeCurrent()), expected a member name in quotes")
            }
            let keyOffset = offset
            let key = try parseString()
            // Objects are small: a linear search beats hashing every key.
            guard !members.contains(where: { $0.0 == key }) else {
                throw Error(offset: keyOffset, reason: "duplicate member \(key.debugDescription)")
            }
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == 0x3A else {
                throw error("unexpected \(describeCurrent()), expected ':'")
            }
            offset += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input, expected ',' or '}'") }
            if bytes[offset] == 0x2C {
                offset += 1
                continue
            }
            guard bytes[offset] == 0x7D else { throw error("unexpected \(describeCurrent()), expected ',' or '}'") }
            offset += 1
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(Error) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("JSON nested deeper than \(Self.maximumDepth) levels") }
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == 0x5D {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input, expected ',' or ']'") }
            if bytes[offset] == 0x2C {
                offset += 1
                continue
            }
            guard bytes[offset] == 0x5D else { throw error("unexpected \(describeCurrent()), expected ',' or ']'") }
            offset += 1
            return .array(elements)
        }
    }

    private mutating func parseNumber() throws(Error) -> String {
        let start = offset
        if bytes[offset] == 0x2D { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("invalid number: expected a digit") }
        if bytes[offset] == 0x30 {
            offset += 1
            if offset < bytes.count && isDigit(bytes[offset]) {
                throw error("invalid number: leading zero")
            }
        } else {
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && bytes[offset] == 0x2E {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("invalid number: expected a digit after '.'") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && (bytes[offset] == 0x65 || bytes[offset] == 0x45) {
            offset += 1
            if offset < bytes.count && (bytes[offset] == 0x2B || bytes[offset] == 0x2D) { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("invalid number: expected an exponent") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func parseString() throws(Error) -> String {
        offset += 1
        let start = offset
        // Fast path: no escapes, ASCII or valid multi-byte UTF-8 copied in one go.
        var scalars = String.UnicodeScalarView()
        var hasEscapes = false
        while true {
            guard offset < bytes.count else { throw error("unterminated string") }
            let byte = bytes[offset]
            if byte == 0x22 {
                if !hasEscapes {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                    offset += 1
                    return String(decoding: slice, as: UTF8.self)
                }
                offset += 1
                return String(scalars)
            }
            if byte < 0x20 {
                throw error("control character 0x\(String(byte, radix: 16, uppercase: true)) in a string must be escaped")
            }
            if byte == 0x5C {
                if !hasEscapes {
                    hasEscapes = true
                    scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self).unicodeScalars)
                }
                scalars.append(try parseEscape())
                continue
            }
            let scalar = try decodeUTF8Scalar()
            if hasEscapes { scalars.append(scalar) }
        }
    }

    /// Decodes one UTF-8 sequence at `offset`, rejecting overlong forms, surrogates and values
    /// above U+10FFFF.
    private mutating func decodeUTF8Scalar() throws(Error) -> Unicode.Scalar {
        let first = bytes[offset]
        if first < 0x80 {
            offset += 1
            return Unicode.Scalar(first)
        }
        let length: Int
        var value: UInt32
        switch first {
        case 0xC2...0xDF: length = 2; value = UInt32(first & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(first & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(first & 0x07)
        default: throw error("invalid UTF-8")
        }
        guard offset + length <= bytes.count else { throw error("invalid UTF-8 (truncated sequence)") }
        for index in 1..<length {
            let byte = bytes[offset + index]
            guard byte & 0xC0 == 0x80 else { throw error("invalid UTF-8") }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else {
            throw error("invalid UTF-8 (overlong form, surrogate or out of range)")
        }
        offset += length
        return scalar
    }

    private mutating func parseEscape() throws(Error) -> Unicode.Scalar {
        offset += 1
        guard offset < bytes.count else { throw error("unterminated escape") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case 0x22: return "\""
        case 0x5C: return "\\"
        case 0x2F: return "/"
        case 0x62: return "\u{08}"
        case 0x66: return "\u{0C}"
        case 0x6E: return "\n"
        case 0x72: return "\r"
        case 0x74: return "\t"
        case 0x75:
            let high = try parseHex4()
            if (0xD800...0xDBFF).contains(high) {
                guard offset + 1 < bytes.count, bytes[offset] == 0x5C, bytes[offset + 1] == 0x75 else {
                    throw error("lone surrogate \\u\(String(high, radix: 16, uppercase: true))")
                }
                offset += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("invalid surrogate pair")
                }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else {
                throw error("lone surrogate \\u\(String(high, radix: 16, uppercase: true))")
            }
            return scalar
        default:
            offset -= 1
            throw error("invalid escape \\\(describeCurrent())")
        }
    }

    private mutating func parseHex4() throws(Error) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x61...0x66: digit = UInt32(byte - 0x57)
            case 0x41...0x46: digit = UInt32(byte - 0x37)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }
}
