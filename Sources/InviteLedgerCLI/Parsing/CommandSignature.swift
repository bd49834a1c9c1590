/// What a command accepts: its options and positional arguments, with the help text of each.
/// Parsing and `--help` both read it, so they never disagree.
struct CommandSignature {
    struct Option {
        var name: String
        /// The value's placeholder in help (`PATH`, `N`); nil for a flag.
        var valueName: String?
        var help: String

        static func value(_ name: String, _ valueName: String, _ help: String) -> Option {
            Option(name: name, valueName: valueName, help: help)
        }

        static func flag(_ name: String, _ help: String) -> Option {
            Option(name: name, valueName: nil, help: help)
        }
    }

    struct Positional {
        var name: String
        var help: String
        var isOptional = false
    }

    /// The words that select the command (`["report", "attributions"]`).
    var path: [String]
    var abstract: String
    var discussion: String? = nil
    var options: [Option] = []
    var positionals: [Positional] = []
    /// What `--db` means for this command, when not the usual database.
    var databaseHelp: String? = nil

    static let databaseOption = Option.value(
        "--db", "PATH", "The ledger database (default: $INVITE_LEDGER_DB, else ./invite-ledger.sqlite).")
    static let helpOption = Option.flag("--help", "Show this help.")
    static let quietOption = Option.flag("--quiet", "No notices and no progress on stderr (errors still go there).")

    var allOptions: [Option] {
        options.filter { $0.name != Self.quietOption.name }
            + [databaseHelp.map { Option.value("--db", "PATH", $0) } ?? Self.databaseOption, Self.quietOption, Self.helpOption]
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
