extension JSONValue {
    /// The value as compact JSON, members in their order: `{"a":1,"b":[true,null]}`.
    ///
    /// Strings are escaped as RFC 8785 (JCS) does: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
    /// control characters as `\u00XX` (lowercase hex), everything else as raw UTF-8.
    public func serialized() -> String {
        var bytes: [UInt8] = []
        // A step or a decision fits: grown once, not doubled from empty.
        bytes.reserveCapacity(512)
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The canonical form: object members sorted by key, at every depth, then `serialized()`.
    /// Keys are compared by their UTF-16 code units (RFC 8785 section 3.2.3).
    public func canonical() -> String {
        sortedKeys().serialized()
    }

    /// The same value with every object's members sorted by key.
    public func sortedKeys() -> JSONValue {
        switch self {
        case .array(let elements):
            return .array(elements.map { $0.sortedKeys() })
        case .object(let members):
            // Most objects (every decision the rules make) are flat and often already in order.
            if members.allSatisfy({ !$0.1.hasMembers }) {
                if zip(members, members.dropFirst()).allSatisfy({ Self.precedes($0.0, $1.0) }) { return self }
                return .object(Self.sorted(members))
            }
            return .object(Self.sorted(members.map { ($0.0, $0.1.sortedKeys()) }))
        default:
            return self
        }
    }

    /// Members in key order, stably. The few members of a step or a decision are ordered by
    /// insertion on the names' first eight bytes, read once per name, with `precedes` called only
    /// where those do not decide; the members themselves move once. The standard library's sort
    /// of the members took about 8,600 instructions a step, a twentieth of recording it.
    private static func sorted(_ members: [(String, JSONValue)]) -> [(String, JSONValue)] {
        let count = members.count
        guard count <= 16 else { return members.sorted { precedes($0.0, $1.0) } }
        return withUnsafeTemporaryAllocation(of: (prefix: UInt64, index: Int).self, capacity: count) { order in
            for index in 0..<count {
                order[index] = (namePrefix(members[index].0), index)
            }
            // True when member a's name comes before member b's.
            func before(_ a: (prefix: UInt64, index: Int), _ b: (prefix: UInt64, index: Int)) -> Bool {
                let difference = a.prefix ^ b.prefix
                if difference != 0 {
                    // The first byte that differs decides, when both are ASCII.
                    let shift = UInt64(56 - difference.leadingZeroBitCount / 8 * 8)
                    if (a.prefix >> shift) & 0xFF < 0x80 && (b.prefix >> shift) & 0xFF < 0x80 {
                        return a.prefix < b.prefix
                    }
                }
                return precedes(members[a.index].0, members[b.index].0)
            }
            for index in 1..<max(count, 1) {
                let item = order[index]
                var position = index
                while position > 0, before(item, order[position - 1]) {
                    order[position] = order[position - 1]
                    position -= 1
                }
                order[position] = item
            }
            return (0..<count).map { members[order[$0].index] }
        }
    }

    /// The first eight bytes of a name, big-endian (so that integers compare as the bytes do),
    /// zero-padded.
    private static func namePrefix(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            var prefix: UInt64 = 0
            for index in 0..<8 {
                prefix = prefix << 8 | UInt64(index < bytes.count ? bytes[index] : 0)
            }
            return prefix
        }
    }

    /// True for an array or an object: a value whose members `sortedKeys()` may reorder.
    private var hasMembers: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }

    /// UTF-16 code unit order (RFC 8785). Where the names first differ in ASCII, the usual case,
    /// that is byte order, which is much cheaper to compare.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        let byBytes: Bool? = lhs.withUTF8 { a in
            rhs.withUTF8 { b in
                for index in 0..<min(a.count, b.count) where a[index] != b[index] {
                    return a[index] < 0x80 && b[index] < 0x80 ? a[index] < b[index] : nil
                }
                return a.count < b.count
            }
        }
        return byBytes ?? lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
    }

    public func write(to bytes: inout [UInt8]) {
        switch self {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let value):
            bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        case .number(let text):
            bytes.append(contentsOf: text.utf8)
        case .string(let text):
            JSONValue.writeString(text, to: &bytes)
        case .array(let elements):
            bytes.append(0x5B)
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(0x2C) }
                element.write(to: &bytes)
            }
            bytes.append(0x5D)
        case .object(let members):
            bytes.append(0x7B)
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(0x2C) }
                JSONValue.writeString(member.0, to: &bytes)
                bytes.append(0x3A)
                member.1.write(to: &bytes)
            }
            bytes.append(0x7D)
        }
    }

    /// Appends a JSON string literal.
    public static func writeString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        var text = text
        // The usual case: nothing to escape, the bytes are copied at once.
        let isPlain = text.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if isPlain {
            bytes.append(0x22)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
            case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}
