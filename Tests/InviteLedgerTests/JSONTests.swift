import Testing

@testable import InviteLedger

@Suite("JSON")
struct JSONTests {
    @Test("parses every JSON type, keeping member order and number text")
    func parsesEverything() throws {
        let value = try JSONParser.parse(#" {"b": [1, -2.5e3, true, false, null], "a": {"x": "y\n\u00e9\ud83d\ude00"}} "#)
        #expect(value == .object([
            ("b", .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null])),
            ("a", .object([("x", .string("y\n\u{E9}\u{1F600}"))])),
        ]))
        #expect(value.serialized() == #"{"b":[1,-2.5e3,true,false,null],"a":{"x":"y\n\#u{E9}\#u{1F600}"}}"#)
        #expect(value.canonical() == #"{"a":{"x":"y\n\#u{E9}\#u{1F600}"},"b":[1,-2.5e3,true,false,null]}"#)
    }

    /// Member names drawn from pieces that share long prefixes, differ in and beyond the first
    /// eight bytes, are empty or hold NUL, and mix ASCII with characters whose UTF-8 order is not
    /// their UTF-16 order (U+FF61 comes after U+1F600 in UTF-16, before it in UTF-8).
    @Test("sorts members by UTF-16 code units (RFC 8785), whatever the names", arguments: [UInt64(1), 2, 3, 4, 5])
    func memberOrder(seed: UInt64) {
        var random = FuzzTests.Random(state: seed)
        let pieces = ["", "a", "b", "ab", "userId", "userIdentifier", "\u{0}", "\u{7F}", "\u{E9}", "\u{FF61}", "\u{1F600}", "Z", "_"]
        for _ in 0..<300 {
            var names = Set<String>()
            let count = 1 + Int(random.next() % 20)
            while names.count < count {
                names.insert((0..<(1 + Int(random.next() % 4))).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined())
            }
            let members = names.shuffled(using: &random).map { ($0, JSONValue.bool(true)) }
            guard case .object(let sorted) = JSONValue.object(members).sortedKeys() else {
                Issue.record("not an object")
                return
            }
            #expect(sorted.map(\.0) == names.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) })
        }
    }

    @Test("escapes as RFC 8785: short escapes, other controls as \\u00xx, the rest raw")
    func escaping() {
        let text = "q\"b\\s/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}\u{E9}"
        #expect(JSONValue.string(text).serialized() == #""q\"b\\s/\b\f\n\r\t\u0001\u001f"# + "\u{7F}\u{E9}\"")
    }

    @Test("rejects malformed input with the byte offset", arguments: [
        ("", "unexpected end of input, expected a value at byte 1"),
        ("{", "unexpected end of input, expected a member name in quotes at byte 2"),
        (#"{"a":1,}"#, "unexpected character '}', expected a member name in quotes at byte 8"),
        (#"{"a":1 "b":2}"#, "unexpected character '\"', expected ',' or '}' at byte 8"),
        (#"{"a":01}"#, "invalid number: leading zero at byte 7"),
        (#"{"a":1.}"#, "invalid number: expected a digit after '.' at byte 8"),
        (#"{"a":tru}"#, "invalid literal, expected true at byte 6"),
        (#"{"a":"x"} x"#, "unexpected character 'x' after the JSON value at byte 11"),
        (#"{"a":"\x"}"#, "invalid escape \\character 'x' at byte 8"),
        (#"{"a":"\ud800"}"#, "lone surrogate \\uD800 at byte 13"),
        (#"{"a":"\udc00"}"#, "lone surrogate \\uDC00 at byte 13"),
        (#"{"a":1,"a":2}"#, "duplicate member \"a\" at byte 8"),
        ("{\"a\":\"tab\there\"}", "control character 0x9 in a string must be escaped at byte 10"),
        ("{\"a\":\"nul\u{0}\"}", "control character 0x0 in a string must be escaped at byte 10"),
        ("\u{0}", "unexpected byte 0x0, expected a value at byte 1"),
    ])
    func rejects(input: String, message: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(input) }
        do {
            _ = try JSONParser.parse(input)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("rejects invalid UTF-8: stray continuation, overlong, surrogate, truncated")
    func invalidUTF8() {
        for bytes: [UInt8] in [
            [0x22, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82],
            [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],
        ] {
            let result = bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(JSONParser.Error) -> JSONValue in try JSONParser.parse(buffer) }
            }
            guard case .failure(let error) = result else {
                Issue.record("accepted \(bytes)")
                continue
            }
            #expect(error.reason.hasPrefix("invalid UTF-8") || error.reason == "unterminated string")
        }
    }

    @Test("stops at the nesting limit instead of recursing without end")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Error(offset: 32, reason: "JSON nested deeper than 32 levels")) {
            try JSONParser.parse(deep)
        }
        let allowed = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(throws: Never.self) { try JSONParser.parse(allowed) }
    }
}
