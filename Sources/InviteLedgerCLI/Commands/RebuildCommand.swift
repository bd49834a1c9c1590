import InviteLedger

enum RebuildCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["rebuild"],
        abstract: "Make a new ledger from this one's event log alone (the proof that the log is enough, and the repair path).",
        discussion: """
            Reads the database read-only, checks its hash chain, then replays every event, in
            order, through the recording rules into NEW_FILE: the same events, outcomes and hashes,
            and every other table made anew from them, so a ledger whose derived rows were damaged
            or edited comes out repaired. NEW_FILE must not exist; it is built under a temporary
            name in the same directory and appears only when complete. When the chain is broken or
            an event does not replay to the outcome it was recorded with, nothing is created and
            the problems are listed (exit status 4).
            """,
        options: [destination, CommonOptions.format]
    )

    static let destination = Option.string("--to", "NEW_FILE", "The ledger to create (required)")

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let format = try context.arguments[CommonOptions.format]
        let destination = try context.newFile(Self.destination, for: "rebuild")
        let ledger = try context.openLedger(.readOnly, checksHead: false)
        defer { try? ledger.close() }
        let report = try ledger.rebuild(to: destination)
        if format == .json {
            context.output.writeLine(ProblemTable.json(report, done: "rebuilt", destination: destination).serialized())
        } else if report.isIntact {
            context.output.writeLine("rebuilt \(destination) from \(context.databasePath): \(report.replayedEvents) events, head hash \(report.headHash?.hex ?? "none")")
        } else {
            context.output.writeLine("not rebuilt: the log of \(context.databasePath) cannot be replayed as it was recorded")
            context.output.write(ProblemTable.rendered(report.problems))
        }
        return report.isIntact ? .success : .verificationFailed
    }
}
