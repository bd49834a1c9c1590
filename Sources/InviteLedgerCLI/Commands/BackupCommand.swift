import InviteLedger

enum BackupCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["backup"],
        abstract: "Copy the ledger to a new file, consistently, while other processes keep writing.",
        discussion: """
            Copies one read snapshot of the database page by page (SQLite's online backup API) to a
            temporary file next to NEW_FILE, checks the copy, syncs it and gives it its name, with
            its own head witness (NEW_FILE-head). Prints the copy's head (seq and hash): keep it,
            and check the copy later with `invite-ledger verify --db NEW_FILE --expect-head HASH`.
            --check chain (the default) recomputes the hash chain and reads every page
            (quick_check); --check full runs everything verify does, the replay of the log included.
            A copy with a problem is removed (exit status 4). NEW_FILE must not exist.
            """,
        options: [destination, check, CommonOptions.format]
    )

    static let destination = Option.string("--to", "NEW_FILE", "The copy to create (required)")
    static let check = Option.choice("--check", "WHAT", "chain or full", default: Ledger.BackupCheck.chain)

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let format = try context.arguments[CommonOptions.format]
        let check = try context.arguments[Self.check]
        let destination = try context.newFile(Self.destination, for: "backup")
        let ledger = try context.openLedger(.readOnly, checksHead: false)
        defer { try? ledger.close() }
        let report = try ledger.backup(to: destination, check: check)
        if format == .json {
            context.output.writeLine(ProblemTable.json(report, done: "backedUp", destination: destination).serialized())
        } else if report.isIntact {
            context.output.writeLine("backed up \(context.databasePath) to \(destination): head seq \(report.events), hash \(report.headHash?.hex ?? "none")")
        } else {
            context.output.writeLine("not backed up: the copy of \(context.databasePath) has problems")
            context.output.write(ProblemTable.rendered(report.problems))
        }
        return report.isIntact ? .success : .verificationFailed
    }
}
