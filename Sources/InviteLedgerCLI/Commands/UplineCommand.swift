import InviteLedger

enum UplineCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["upline"],
        abstract: "The chain of partners above a user or a trading account's owner, nearest first.",
        discussion: """
            Each level is checked against the event its attribution cites (the hash recomputes;
            the user, partner, partnerId, account and time are what the event recorded; a level
            shown as current is the user's last change of partner). A level that disagrees is
            listed under NOT VERIFIED (json: "problems"), and the exit status is 4.
            """,
        options: [QueryOptions.broker] + QueryOptions.subjectOptions + [
            QueryOptions.asOf,
            CommonOptions.format,
        ]
    )

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let arguments = context.arguments
        let format = try arguments[CommonOptions.format]
        let subject = try QueryOptions.subject(arguments)
        let asOf = try arguments[QueryOptions.asOf]
        let ledger = try context.openLedger(.readOnly)
        defer { try? ledger.close() }
        let upline = try ledger.upline(broker: try arguments[QueryOptions.broker], of: subject, asOf: asOf)
        if format == .json {
            context.output.writeLine(JSONValue.object([
                ("broker", .string(upline.brokerCrmName)), ("userId", .integer(upline.userId)), ("asOf", upline.asOf.json),
                ("upline", .array(upline.levels.map { level in
                    .object([
                        ("level", .integer(level.level)), ("userId", .integer(level.userId)),
                        ("partnerId", level.partnerId.json),
                        ("partnerCtidTraderAccountId", level.partnerCtidTraderAccountId.json),
                        ("attributedAt", .string(level.attributedAt.rfc3339)), ("crmPartnerRef", level.crmPartnerRef.json),
                    ])
                })),
                ("verified", .bool(upline.problems.isEmpty)), ("problems", TraceText.problems(upline.problems)),
            ]).serialized())
        } else {
            var table = TextTable(columns: ["level", "userId", "partnerId", "partnerCtidTraderAccountId", "attributedAt", "crmPartnerRef"])
            for level in upline.levels {
                table.append([
                    String(level.level), String(level.userId), level.partnerId ?? "", level.partnerCtidTraderAccountId.text,
                    level.attributedAt.rfc3339, level.crmPartnerRef ?? "",
                ])
            }
            context.output.write(table.rendered())
            if upline.levels.isEmpty {
                context.output.writeLine("(user \(upline.userId) is not attributed to any partner)")
            }
            context.output.write(TraceText.renderedProblems(upline.problems))
        }
        return upline.problems.isEmpty ? .success : .verificationFailed
    }
}
