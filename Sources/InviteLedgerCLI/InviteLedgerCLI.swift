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
        VerifyCommand.self,
        RebuildCommand.self,
        BackupCommand.self,
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
        // Global options may come before the command: `invite-ledger --db x.sqlite stats ...`.
        var words = arguments
        var leading: [String] = []
        while let first = words.first, first.hasPrefix("-") {
            if first == "--help" || first == "-h" {
                output.write(overview)
                return .success
            }
            leading.append(words.removeFirst())
            if first == "--db", let value = words.first {
                leading.append(value)
                words.removeFirst()
            }
        }
        guard !words.isEmpty else {
            errors.write(overview)
            return .usage
        }
        guard let (command, pathLength) = findCommand(words) else {
            errors.writeLine("error: unknown command `\(words.prefix(2).joined(separator: " "))`")
            errors.writeLine("Run `invite-ledger --help` for the list of commands.")
            return .usage
        }
        let signature = command.signature
        var databasePath = "the database"
        do {
            let parsed = try ParsedArguments(leading + words.dropFirst(pathLength), signature: signature)
            if parsed.flag("--help") {
                output.write(signature.help)
                return .success
            }
            let context = CommandContext(
                arguments: parsed, invalidUTF8: invalidUTF8, environment: environment, output: output, errors: errors)
            databasePath = context.databasePath
            return try command.run(context)
        } catch let error as UsageError {
            errors.writeLine("error: \(error.message)")
            errors.writeLine("Usage: \(signature.usage)")
            errors.writeLine("Run `invite-ledger \(signature.path.joined(separator: " ")) --help` for details.")
            return .usage
        } catch let error as LedgerError {
            errors.writeLine(errorJSON(error))
            return .rejected
        } catch let error as LedgerFileError {
            errors.write(untrustedFileMessage(error))
            return .databaseError
        } catch let error as DatabaseError where error.isDamage {
            errors.write(untrustedFileMessage(LedgerFileError(path: databasePath, reason: "is damaged: \(error.message)")))
            return .databaseError
        } catch {
            errors.writeLine("error: \(error)")
            return .databaseError
        }
    }

    static func findCommand(_ words: [String]) -> (any LedgerCommand.Type, Int)? {
        let candidates = commands.filter { command in
            let path = command.signature.path
            return words.count >= path.count && Array(words.prefix(path.count)) == path
        }
        guard let best = candidates.max(by: { $0.signature.path.count < $1.signature.path.count }) else { return nil }
        return (best, best.signature.path.count)
    }

    /// What to say about a file that must not be written: what is wrong, that nothing was written,
    /// and what to do.
    static func untrustedFileMessage(_ error: LedgerFileError) -> String {
        let path = error.path
        return """
            error: \(path) \(["is ", "does "].contains(where: error.reason.hasPrefix) ? "" : "cannot be trusted: ")\(error.reason).
            Nothing was written to it. Check it with `invite-ledger verify --db \(path)`, then restore it
            from a backup, or rebuild it from its log with `invite-ledger rebuild --db \(path) --to NEW_FILE`.
            If this file is the one to keep (a backup restored on purpose), accept its head with
            `invite-ledger verify --db \(path) --accept-head`.

            """
    }

    static func errorJSON(_ error: LedgerError) -> String {
        var members: [(String, JSONValue)] = [("code", .string(error.code.rawValue))]
        if let field = error.field {
            members.append(("field", .string(field)))
        }
        members.append(("message", .string(error.message)))
        return JSONValue.object([("error", .object(members))]).serialized()
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
            Run `invite-ledger COMMAND --help` for a command's options.

            """
        return text
    }
}
