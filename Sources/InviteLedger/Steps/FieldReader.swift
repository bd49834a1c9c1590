/// Reads the members of a step's JSON object one field at a time, checking each against its rule,
/// and remembers which were read so that the rest can be reported as unknown.
struct FieldReader {
    private let members: [(String, JSONValue)]
    /// The canonical payload's members, in the order read; sorted when the payload is built.
    private(set) var canonical: [(String, JSONValue)] = []

    static let largestID = Int64.max

    init(members: [(String, JSONValue)]) {
        self.members = members
    }

    /// A step has a dozen members at most: a linear search beats a dictionary.
    private func value(_ name: String) -> JSONValue? {
        members.first { $0.0 == name }?.1
    }

    /// Fails with `UNKNOWN_FIELD` for the first member (in input order) not in `allowed`.
    func rejectUnknown(allowed: Set<String>, step: String) throws(LedgerError) {
        for (key, _) in members where !allowed.contains(key) {
            throw LedgerError(.unknownField, field: key, "unknown field \(Self.quote(key)) for step \(step)")
        }
    }

    func has(_ name: String) -> Bool { value(name) != nil }

    // MARK: - Integers

    mutating func id(_ name: String) throws(LedgerError) -> Int64 {
        guard let value = try optionalID(name) else { throw Self.missing(name) }
        return value
    }

    /// An integer from 1 to 2^63-1, written as a plain JSON integer.
    mutating func optionalID(_ name: String) throws(LedgerError) -> Int64? {
        try optionalInteger(name, in: 1...Self.largestID)
    }

    mutating func optionalInteger(_ name: String, in range: ClosedRange<Int64>) throws(LedgerError) -> Int64? {
        guard let value = value(name) else { return nil }
        guard case .number(let text) = value, let integer = Int64(text), range.contains(integer) else {
            throw LedgerError(
                .invalidField, field: name,
                "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got \(Self.show(value))")
        }
        canonical.append((name, .integer(integer)))
        return integer
    }

    // MARK: - Text

    mutating func text(_ name: String, _ rule: TextRule) throws(LedgerError) -> String {
        guard let value = try optionalText(name, rule) else { throw Self.missing(name) }
        return value
    }

    mutating func optionalText(_ name: String, _ rule: TextRule) throws(LedgerError) -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let text) = value, rule.accepts(text) else {
            throw LedgerError(.invalidField, field: name, "\(name) must be \(rule.description), got \(Self.show(value))")
        }
        canonical.append((name, value))
        return text
    }

    /// A member that must be present and is either text or `null`.
    mutating func nullableText(_ name: String, _ rule: TextRule) throws(LedgerError) -> String? {
        guard let value = value(name) else { throw Self.missing(name) }
        if case .null = value {
            canonical.append((name, .null))
            return nil
        }
        return try optionalText(name, rule)
    }

    mutating func timestamp(_ name: String) throws(LedgerError) -> Timestamp {
        guard let value = value(name) else { throw Self.missing(name) }
        guard case .string(let text) = value, let timestamp = Timestamp(rfc3339: text) else {
            throw LedgerError(
                .invalidField, field: name,
                "\(name) must be an RFC 3339 date-time with an offset (2026-01-31T12:00:00Z), got \(Self.show(value))")
        }
        guard timestamp >= Timestamp.earliestStep else {
            throw LedgerError(
                .invalidField, field: name,
                "\(name) must be \(Timestamp.earliestStep.rfc3339) or later (years 1970 to 9999), got \(Self.show(value))")
        }
        canonical.append((name, .string(timestamp.rfc3339)))
        return timestamp
    }

    mutating func optionalBool(_ name: String) throws(LedgerError) -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let flag) = value else {
            throw LedgerError(.invalidField, field: name, "\(name) must be true or false, got \(Self.show(value))")
        }
        canonical.append((name, value))
        return flag
    }

    // MARK: - Messages

    static func missing(_ name: String) -> LedgerError {
        LedgerError(.missingField, field: name, "missing field \(quote(name))")
    }

    /// A value as it appears in a message: JSON, shortened to 80 characters.
    static func show(_ value: JSONValue) -> String {
        let text: String
        switch value {
        case .array: text = "an array"
        case .object: text = "an object"
        default: text = value.serialized()
        }
        guard text.unicodeScalars.count > 80 else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(77))) + "..."
    }

    static func quote(_ name: String) -> String {
        show(.string(name))
    }
}
