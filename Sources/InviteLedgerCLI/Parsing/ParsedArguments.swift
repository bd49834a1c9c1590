/// The arguments of one command line, checked against the command's signature.
struct ParsedArguments {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// Parses `arguments` (the words after the command path). Options take their value as the
    /// next word or after `=`; `--` ends the options.
    init(_ arguments: [String], signature: CommandSignature) throws {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            if word == "-h" {
                flags.insert("--help")
                continue
            }
            var name = word
            var inlineValue: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            guard let option = signature.allOptions.first(where: { $0.name == name }) else {
                let hint = InviteLedgerCLI.suggestion(for: name, among: signature.allOptions.map(\.name))
                throw UsageError("unknown option \(name) for `invite-ledger \(signature.path.joined(separator: " "))`\(hint)")
            }
            if let valueName = option.valueName {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError("option \(name) needs a value (\(valueName))")
                }
                guard values[name] == nil else {
                    throw UsageError("option \(name) is given twice")
                }
                values[name] = value
            } else {
                guard inlineValue == nil else {
                    throw UsageError("option \(name) takes no value")
                }
                flags.insert(name)
            }
        }
        if flags.contains("--help") { return }
        let required = signature.positionals.filter { !$0.isOptional }.count
        guard positionals.count >= required else {
            let missing = signature.positionals[positionals.count].name
            throw UsageError("missing argument \(missing)")
        }
        guard positionals.count <= signature.positionals.count else {
            throw UsageError("unexpected argument \(positionals[signature.positionals.count])")
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// An integer option; a value that is not an integer in range is a usage error naming it.
    func integer(_ name: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> Int64? {
        guard let text = values[name] else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            let expected = range.upperBound == Int64.max
                ? "an integer of at least \(range.lowerBound)" : "an integer from \(range.lowerBound) to \(range.upperBound)"
            throw UsageError("option \(name): expected \(expected), got \(text.debugDescription)")
        }
        return value
    }

    /// An option whose value must be one of `choices`.
    func choice(_ name: String, _ choices: [String], default defaultValue: String) throws -> String {
        guard let text = values[name] else { return defaultValue }
        guard choices.contains(text) else {
            throw UsageError("option \(name): expected one of \(choices.joined(separator: ", ")), got \(text.debugDescription)")
        }
        return text
    }
}

/// A command line that does not fit the command: exit status 1.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    /// The option or argument at fault, when there is one (`--as-of`).
    var field: String?

    init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field ?? Self.option(in: message)
    }

    var description: String { message }

    /// The option a message names first (`option --as-of: ...`, `unknown option --x ...`).
    private static func option(in message: String) -> String? {
        guard let range = message.range(of: #"--[a-z][a-z-]*"#, options: .regularExpression) else { return nil }
        return String(message[range])
    }
}
