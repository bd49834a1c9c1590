/// The arguments of one command line, checked against the command's signature.
struct ParsedArguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private(set) var positionals: [String] = []
    /// The options the command declares: reading another is a programming error.
    private let declared: Set<String>

    /// Parses `arguments` (the words after the command path). Options take their value as the
    /// next word or after `=`; `--` ends the options.
    init(_ arguments: [String], signature: CommandSignature) throws {
        declared = Set(signature.allOptions.map(\.name))
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
                throw UsageError("unknown option \(name) for `invite-ledger \(signature.path.joined(separator: " "))`\(hint)", field: name)
            }
            if let valueName = option.valueName {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError("option \(name) needs a value (\(valueName))", field: name)
                }
                guard values[name] == nil else {
                    throw UsageError("option \(name) is given twice", field: name)
                }
                values[name] = value
            } else {
                guard inlineValue == nil else {
                    throw UsageError("option \(name) takes no value", field: name)
                }
                flags.insert(name)
            }
        }
        if flags.contains("--help") { return }
        let required = signature.positionals.filter { !$0.isOptional }.count
        guard positionals.count >= required else {
            let missing = signature.positionals[positionals.count].name
            throw UsageError("missing argument \(missing)", field: missing)
        }
        guard positionals.count <= signature.positionals.count else {
            throw UsageError("unexpected argument \(positionals[signature.positionals.count])")
        }
    }

    /// The value of one of the command's options, as its declaration reads it.
    subscript<Value>(option: Option<Value>) -> Value {
        get throws {
            precondition(declared.contains(option.name), "\(option.name) is not an option of this command")
            return try option.value(from: flags.contains(option.name) ? "" : values[option.name])
        }
    }
}

/// A command line that does not fit the command: exit status 1.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    /// The option or argument at fault, when there is one (`--as-of`).
    var field: String?

    init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    var description: String { message }
}
