import Foundation
import InviteLedger
import LedgerStore

/// `invite-ledger`: parses the command line, runs one command, maps errors to exit statuses.
@main
enum InviteLedgerCLI {
    static var commands: [any LedgerCommand.Type] {[
        InitCommand.self,
        MigrateCommand.self,
        RecordCommand.self,
        IngestCommand.self,
        ReferralGetCommand.self,
        ReferralsCommand.self,
        StatsCommand.self,
        UplineCommand.self,
        TraceCommand.self,
        ReportAttributionsCommand.self,
        ReportPartnersCommand.self,
        ReportUplineIntervalsCommand.self,
        ActivityCommand.self,
        VerifyCommand.self,
        RebuildCommand.self,
        BackupCommand.self,
        CompletionCommand.self,
        DemoCommand.self,
    ]}

    static func main() {
        // A closed pipe must not kill the process silently mid-write; OutputStream handles EPIPE.
        signal(SIGPIPE, SIG_IGN)
        let output = OutputStream(descriptor: 1)
        let errors = OutputStream(descriptor: 2, capacity: 1 << 12)
        var invalidUTF8: [String: [UInt8]] = [:]
        let arguments = (1..<Int(CommandLine.argc)).map { index -> String in
            let bytes = Array(UnsafeBufferPointer(
                start: UnsafeRawPointer(CommandLine.unsafeArgv[index]!).assumingMemoryBound(to: UInt8.self),
                count: strlen(CommandLine.unsafeArgv[index]!)))
            let text = String(decoding: bytes, as: UTF8.self)
            if !text.utf8.elementsEqual(bytes) { invalidUTF8[text] = bytes }
            return text
        }
        let status = run(
            arguments, invalidUTF8: invalidUTF8, environment: ProcessInfo.processInfo.environment,
            output: output, errors: errors)
        output.flush()
        errors.flush()
        exit(status.rawValue)
    }

    /// Runs one command line.
    ///
    /// - Parameter invalidUTF8: the bytes of the arguments that are not valid UTF-8, by the text
    ///   Swift made of them (with U+FFFD): a step given as an argument is decoded from its bytes.
    static func run(
        _ arguments: [String], invalidUTF8: [String: [UInt8]] = [:], environment: [String: String],
        output: OutputStream, errors: OutputStream
    ) -> ExitStatus {
        // Options may come before the command (`invite-ledger --db x.sqlite stats ...`): they are
        // set aside, with their values, and handed to the command's parser.
        var words = arguments
        var leading: [String] = []
        while let first = words.first, first.hasPrefix("-"), first != "-" {
            switch first {
            case "--help", "-h":
                output.write(overview)
                return .success
            case "--version":
                return version(words.dropFirst(), output: output, errors: errors)
            default:
                leading.append(words.removeFirst())
                if !first.contains("="), valueOptions.contains(first), let value = words.first {
                    leading.append(value)
                    words.removeFirst()
                }
            }
        }
        guard let head = words.first else {
            errors.write(overview)
            return .usage
        }
        switch head {
        case "help":
            return help(Array(words.dropFirst()), output: output, errors: errors)
        case "version":
            return version(words.dropFirst() + leading, output: output, errors: errors)
        default:
            break
        }
        guard let (command, pathLength) = findCommand(words) else {
            if let group = groupHelp(head), words.count < 2 || words[1].hasPrefix("-") {
                // `invite-ledger report` alone, or `report --help`: what the group holds.
                let asked = words.contains("--help") || words.contains("-h")
                (asked ? output : errors).write(group)
                return asked ? .success : .usage
            }
            let isGroup = groupHelp(head) != nil
            let unknown = isGroup ? "\(head) \(words[1])" : head
            let known = isGroup
                ? commands.filter { $0.signature.path[0] == head }.map { $0.signature.path.joined(separator: " ") }
                : commandNames
            report(
                code: "USAGE", message: "unknown command `\(unknown)`\(suggestion(for: unknown, among: known))",
                hints: ["Run `invite-ledger help\(isGroup ? " \(head)" : "")` for the list of commands."], to: errors)
            return .usage
        }
        let signature = command.signature
        var databasePath = "the database"
        do {
            let parsed = try ParsedArguments(leading + words.dropFirst(pathLength), signature: signature)
            if try parsed[CommonOptions.help] {
                output.write(signature.help)
                return .success
            }
            let context = CommandContext(
                arguments: parsed, invalidUTF8: invalidUTF8, environment: environment, output: output, errors: errors)
            databasePath = context.databasePath
            return try command.run(context)
        } catch let error as UsageError {
            report(
                code: "USAGE", field: error.field, message: error.message,
                hints: ["Usage: \(signature.usage)", "Run `invite-ledger \(signature.path.joined(separator: " ")) --help` for details."],
                to: errors)
            return .usage
        } catch let error as LedgerError {
            report(code: error.code.rawValue, field: error.field, message: error.message, to: errors)
            // A ledger that is not there, or needs migrating, cannot be used: not a rejected input.
            return [.notInitialized, .schemaOutdated].contains(error.code) ? .databaseError : .rejected
        } catch let error as LedgerFileError {
            reportUntrusted(error, to: errors)
            return .databaseError
        } catch let error as DatabaseError where error.isDamage {
            reportUntrusted(LedgerFileError(path: databasePath, reason: "is damaged: \(error.message)"), to: errors)
            return .databaseError
        } catch {
            report(code: "DATABASE_UNUSABLE", field: "db", message: "\(databasePath): \(error)", to: errors)
            return .databaseError
        }
    }

    /// `invite-ledger 0.12.0 (schema 0016_create_upline_interval_view)`.
    static var versionLine: String {
        "invite-ledger \(version) (schema \(LedgerSchema.migrations.last?.identifier ?? "none"))"
    }

    static let version = "0.12.0"

    /// `--version` or `version`, with `--format table|json` (`{"version":...,"schema":...}`).
    static func version<Words: Collection<String>>(_ words: Words, output: OutputStream, errors: OutputStream) -> ExitStatus {
        let words = Array(words)
        var format = "table"
        if let index = words.firstIndex(where: { $0 == "--format" || $0.hasPrefix("--format=") }) {
            let value = words[index].hasPrefix("--format=") ? String(words[index].dropFirst("--format=".count))
                : index + 1 < words.count ? words[index + 1] : ""
            guard ["table", "json"].contains(value) else {
                report(code: "USAGE", field: "--format", message: "option --format: expected one of table, json, got \(value.debugDescription)", to: errors)
                return .usage
            }
            format = value
        }
        if format == "json" {
            output.writeLine(JSONValue.object([
                ("version", .string(version)), ("schema", .string(LedgerSchema.migrations.last?.identifier ?? "none")),
            ]).serialized())
        } else {
            output.writeLine(versionLine)
        }
        return .success
    }

    /// Every option that takes a value, in any command: how options before the command are split.
    static var valueOptions: Set<String> {
        Set(commands.flatMap { $0.signature.allOptions.filter { $0.valueName != nil }.map(\.name) })
    }

    /// The first word of every command.
    static var commandNames: [String] {
        Array(Set(commands.map { $0.signature.path[0] })).sorted() + ["help", "version"]
    }

    /// `help`, `help COMMAND`, `help report`.
    static func help(_ words: [String], output: OutputStream, errors: OutputStream) -> ExitStatus {
        if words == ["--man"] {
            output.write(ManualPage.rendered)
            return .success
        }
        // `help --help` and `help stats --help` are what `help` and `help stats` say.
        let words = words.filter { $0 != "--help" && $0 != "-h" }
        guard !words.isEmpty else {
            output.write(overview)
            return .success
        }
        if let (command, length) = findCommand(words), length == words.count {
            output.write(command.signature.help)
            return .success
        }
        if words.count == 1, let group = groupHelp(words[0]) {
            output.write(group)
            return .success
        }
        report(
            code: "USAGE", message: "unknown command `\(words.joined(separator: " "))`\(suggestion(for: words[0], among: commandNames))",
            hints: ["Run `invite-ledger help` for the list of commands."], to: errors)
        return .usage
    }

    /// The help of a group of commands (`report`, `referral`): its subcommands; nil for another word.
    static func groupHelp(_ word: String) -> String? {
        let members = commands.filter { $0.signature.path.count > 1 && $0.signature.path[0] == word }
        guard !members.isEmpty else { return nil }
        let count = members.count == 1 ? "1 command" : "\(members.count) commands"
        var text = "OVERVIEW: invite-ledger \(word): \(count).\n\nUSAGE: invite-ledger \(word) SUBCOMMAND [OPTIONS]\n\nSUBCOMMANDS:\n"
        for member in members {
            let name = member.signature.path.dropFirst().joined(separator: " ")
            text += "  \(name)\(String(repeating: " ", count: max(2, 22 - name.count)))\(member.signature.abstract)\n"
        }
        text += "\nRun `invite-ledger \(word) SUBCOMMAND --help` for a subcommand's options.\n"
        return text
    }

    /// ` (did you mean `stats`?)` when a known word is close to `word` (``Suggestion``), else "".
    static func suggestion(for word: String, among candidates: [String]) -> String {
        Suggestion.nearest(to: word, among: candidates).map { " (did you mean `\($0)`?)" } ?? ""
    }

    static func findCommand(_ words: [String]) -> (any LedgerCommand.Type, Int)? {
        let candidates = commands.filter { command in
            let path = command.signature.path
            return words.count >= path.count && Array(words.prefix(path.count)) == path
        }
        guard let best = candidates.max(by: { $0.signature.path.count < $1.signature.path.count }) else { return nil }
        return (best, best.signature.path.count)
    }

    /// Every error is said the same way: one JSON line on stderr, `{"error":{"code","field","message"}}`,
    /// which a program reads, then for people, where it helps, what to do.
    static func report(
        code: String, field: String? = nil, message: String, hints: [String] = [], to errors: OutputStream
    ) {
        var members: [(String, JSONValue)] = [("code", .string(code))]
        if let field { members.append(("field", .string(field))) }
        members.append(("message", .string(message)))
        errors.writeLine(JSONValue.object([("error", .object(members))]).serialized())
        hints.forEach(errors.writeLine)
    }

    /// A file that must not be written: what is wrong, that nothing was written, and what to do.
    static func reportUntrusted(_ error: LedgerFileError, to errors: OutputStream) {
        let path = error.path
        let reason = ["is ", "does ", "cannot "].contains(where: error.reason.hasPrefix) ? error.reason : "cannot be trusted: \(error.reason)"
        if let remedy = error.remedy {
            let code = error.kind == .foreign ? "FOREIGN_FILE" : "DATABASE_UNUSABLE"
            report(code: code, field: "db", message: "\(path) \(reason)", hints: [remedy], to: errors)
            return
        }
        report(code: "DATABASE_UNUSABLE", field: "db", message: "\(path) \(reason)", hints: [
            "Nothing was written to it. Check it with `invite-ledger verify --db \(path)`, then restore it",
            "from a backup, or rebuild it from its log with `invite-ledger rebuild --db \(path) --to NEW_FILE`.",
            "If this file is the one to keep (a backup restored on purpose), accept its head with",
            "`invite-ledger verify --db \(path) --accept-head`.",
        ], to: errors)
    }



    static var overview: String {
        var text = """
            OVERVIEW: invite-ledger keeps a broker's cTrader Invite affiliate programme in one SQLite file.

            USAGE: invite-ledger [--db PATH] COMMAND [OPTIONS]

            COMMANDS:

            """
        for command in commands {
            let name = command.signature.path.joined(separator: " ")
            text += "  \(name)\(String(repeating: " ", count: max(2, 24 - name.count)))\(command.signature.abstract)\n"
        }
        text += """

            The database is --db PATH, else $INVITE_LEDGER_DB, else ./invite-ledger.sqlite.
            Exit status: 0 success, 1 bad usage, 2 input rejected, 3 some ingested lines rejected,
            4 verification found a problem, 5 the database cannot be used.
            Run `invite-ledger help COMMAND` (or `invite-ledger COMMAND --help`) for a command's options,
            `invite-ledger --version` for the version, `invite-ledger help --man` for the manual page (roff).

            """
        return text
    }
}
