import InviteLedger

/// Anything a command lists among its options: it declares how `--help` and the parser know it.
protocol DeclaredOption: Sendable {
    var declaration: CommandSignature.Declaration { get }
}

/// An option declared once: its name, its value's placeholder, its help, its default, and how its
/// value is checked. `--help` shows it (with its default), the parser knows it by it, and a command
/// reads it back through the same value (`try context.arguments[Self.format]`), so an option that is
/// read is always one that is declared, and reads its own type.
///
///     static let batchSize = Option.integer("--batch-size", "N", "Lines per transaction", in: 1...1_000_000, default: 2_000)
///     let size = try context.arguments[Self.batchSize]      // Int64, 2000 when not given
struct Option<Value>: DeclaredOption {
    let declaration: CommandSignature.Declaration
    /// The value from the option's text on the command line (nil: not given; "" for a flag given).
    private let parse: @Sendable (String?) throws -> Value

    private init(_ declaration: CommandSignature.Declaration, parse: @escaping @Sendable (String?) throws -> Value) {
        self.declaration = declaration
        self.parse = parse
    }

    var name: String { declaration.name }

    /// The option's value, from what the command line gave for it.
    func value(from text: String?) throws -> Value { try parse(text) }

    /// A usage error about this option's value: `option --x: expected ..., got "..."`.
    fileprivate static func invalid(_ name: String, _ expected: String, _ text: String) -> UsageError {
        UsageError("option \(name): expected \(expected), got \(text.debugDescription)", field: name)
    }

    /// Help with the default the declaration gives: `Lines per transaction (default: 2000).`
    fileprivate static func help(_ help: String, default shown: String?) -> String {
        guard let shown else { return help.hasSuffix(".") ? help : help + "." }
        return "\(help) (default: \(shown))."
    }
}

extension Option where Value == Bool {
    /// An option without a value: true when given.
    static func flag(_ name: String, _ help: String) -> Option {
        Option(.init(name: name, valueName: nil, help: Option.help(help, default: nil))) { $0 != nil }
    }
}

extension Option where Value == String? {
    /// A text option; nil when not given.
    static func string(_ name: String, _ valueName: String, _ help: String) -> Option {
        Option(.init(name: name, valueName: valueName, help: Option.help(help, default: nil))) { $0 }
    }
}

extension Option where Value == String {
    /// A text option with a default.
    static func string(_ name: String, _ valueName: String, _ help: String, default defaultValue: String) -> Option {
        Option(.init(name: name, valueName: valueName, help: Option.help(help, default: defaultValue))) { $0 ?? defaultValue }
    }
}

extension Option where Value == Int64? {
    /// An integer option in `range`; nil when not given.
    static func integer(_ name: String, _ valueName: String, _ help: String, in range: ClosedRange<Int64>) -> Option {
        Option(.init(name: name, valueName: valueName, help: Option.help(help, default: nil))) { text in
            try text.map { try Option.integer(name, $0, in: range) }
        }
    }
}

extension Option where Value == Int64 {
    /// An integer option in `range`, `defaultValue` when not given.
    static func integer(
        _ name: String, _ valueName: String, _ help: String, in range: ClosedRange<Int64>, default defaultValue: Int64
    ) -> Option {
        Option(.init(name: name, valueName: valueName, help: Option.help(help, default: String(defaultValue)))) { text in
            try text.map { try Option.integer(name, $0, in: range) } ?? defaultValue
        }
    }
}

extension Option {
    fileprivate static func integer(_ name: String, _ text: String, in range: ClosedRange<Int64>) throws -> Int64 {
        guard let value = Int64(text), range.contains(value) else {
            let expected = range.upperBound == Int64.max
                ? "an integer of at least \(range.lowerBound)" : "an integer from \(range.lowerBound) to \(range.upperBound)"
            throw Option.invalid(name, expected, text)
        }
        return value
    }
}

extension Option where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// An option whose value is one of an enumeration's cases, `defaultValue` when not given:
    /// `--format` with `enum Format: String, CaseIterable { case table, json }`.
    static func choice(_ name: String, _ valueName: String, _ help: String, default defaultValue: Value) -> Option {
        let names = Value.allCases.map(\.rawValue)
        return Option(.init(name: name, valueName: valueName, help: Option.help(help, default: defaultValue.rawValue))) { text in
            guard let text else { return defaultValue }
            guard let value = Value(rawValue: text) else {
                throw Option.invalid(name, "one of \(names.joined(separator: ", "))", text)
            }
            return value
        }
    }
}

extension Option where Value == Timestamp? {
    /// An RFC 3339 time, or a date alone (`2026-03-05`: the start of that day, UTC); nil when not given.
    static func time(_ name: String, _ help: String) -> Option {
        Option(.init(name: name, valueName: "TIME", help: Option.help(help, default: nil))) { text in
            guard let text else { return nil }
            let isDate = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { index, byte in
                index == 4 || index == 7 ? byte == 0x2D : (0x30...0x39).contains(byte)
            }
            guard let time = Timestamp(rfc3339: isDate ? text + "T00:00:00Z" : text) else {
                throw Option.invalid(
                    name, "an RFC 3339 time such as 2026-03-31T00:00:00Z, or a date such as 2026-03-31", text)
            }
            return time
        }
    }
}

/// `--format table|json`: the choice of most commands that print something.
enum TableOrJSON: String, CaseIterable, Sendable {
    case table, json
}
