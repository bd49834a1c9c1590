import InviteLedger

enum TraceCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["trace"],
        abstract: "How a user or a trading account was attributed, step by step, then each partner above it.",
        discussion: """
            Each step shows its sequence number in the log, its role (partner registration,
            partnerId assignment, link, click, signup, user creation, attribution, rejection,
            reassignment, detachment) and whether it is verified: its hash recomputes and links to
            the previous event's, and the rows shown through it (the attribution, the signup,
            click and link it cites, each upline level) say what the event recorded. Partners met
            lists every partner the user came across. A row that disagrees with the log is listed
            under NOT VERIFIED, and the exit status is 4. A full proof is `invite-ledger verify`.
            """,
        options: [QueryOptions.broker] + QueryOptions.subjectOptions + [
            CommonOptions.format
        ]
    )

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let arguments = context.arguments
        let format = try arguments[CommonOptions.format]
        let ledger = try context.openLedger(.readOnly)
        defer { try? ledger.close() }
        let trace = try ledger.trace(broker: try arguments[QueryOptions.broker], of: try QueryOptions.subject(arguments))
        if format == .json {
            context.output.writeLine(TraceText.json(trace).serialized())
        } else {
            context.output.write(TraceText.rendered(trace))
        }
        return trace.isVerified ? .success : .verificationFailed
    }
}
