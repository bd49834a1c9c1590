/// What a command accepts: its options and positional arguments, with the help text of each.
/// Parsing and `--help` both read it, so they never disagree.
struct CommandSignature {
    /// What help and the parser know of an option: its name, its value's placeholder, its help
    /// (with its default). Declared through a typed ``Option``, which commands read.
    struct Declaration: DeclaredOption {
        var name: String
        /// The value's placeholder in help (`PATH`, `N`); nil for a flag.
        var valueName: String?
        var help: String

        var declaration: Declaration { self }
    }

    struct Positional {
        var name: String
        var help: String
        var isOptional = false
    }

    /// The words that select the command (`["report", "attributions"]`).
    var path: [String]
    var abstract: String
    var discussion: String?
    var options: [Declaration]
    var positionals: [Positional]
    /// What `--db` means for this command, when not the usual database.
    var databaseHelp: String?

    init(
        path: [String], abstract: String, discussion: String? = nil, options: [any DeclaredOption] = [],
        positionals: [Positional] = [], databaseHelp: String? = nil
    ) {
        self.path = path
        self.abstract = abstract
        self.discussion = discussion
        self.options = options.map(\.declaration)
        self.positionals = positionals
        self.databaseHelp = databaseHelp
    }

    /// The options every command takes, after its own: `--db`, `--quiet`, `--help`.
    var allOptions: [Declaration] {
        let database = databaseHelp.map { Declaration(name: "--db", valueName: "PATH", help: $0) }
            ?? CommonOptions.database.declaration
        return options.filter { $0.name != CommonOptions.quiet.name }
            + [database, CommonOptions.quiet.declaration, CommonOptions.help.declaration]
    }

    var usage: String {
        var parts = ["invite-ledger"] + path
        for option in options {
            parts.append("[\(option.name)\(option.valueName.map { " " + $0 } ?? "")]")
        }
        for positional in positionals {
            parts.append(positional.isOptional ? "[\(positional.name)]" : positional.name)
        }
        return parts.joined(separator: " ")
    }

    var help: String {
        var text = "OVERVIEW: \(abstract)\n"
        if let discussion {
            text += "\n\(discussion)\n"
        }
        text += "\nUSAGE: \(usage)\n"
        if !positionals.isEmpty {
            text += "\nARGUMENTS:\n"
            for positional in positionals {
                text += Self.helpLine(positional.name, positional.help)
            }
        }
        text += "\nOPTIONS:\n"
        for option in allOptions {
            text += Self.helpLine(option.name + (option.valueName.map { " " + $0 } ?? ""), option.help)
        }
        return text
    }

    private static func helpLine(_ term: String, _ help: String) -> String {
        let padded = term.count < 24 ? term + String(repeating: " ", count: 24 - term.count) : term + "\n" + String(repeating: " ", count: 26)
        return "  \(padded)\(help)\n"
    }
}
