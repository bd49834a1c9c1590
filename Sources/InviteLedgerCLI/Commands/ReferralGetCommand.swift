import InviteLedger

enum ReferralGetCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["referral", "get"],
        abstract: "The current partnerId of a user or a trading account (GET /oauth2/ctid/referral).",
        discussion: """
            For a user, the user-level partnerId; for an account, the account's, with the user who
            owns it. Exit status 2 with code NOT_FOUND when there is none.
            """,
        options: [QueryOptions.broker] + QueryOptions.subjectOptions + [
            CommonOptions.format
        ]
    )

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let arguments = context.arguments
        let format = try arguments[CommonOptions.format]
        let subject = try QueryOptions.subject(arguments)
        let ledger = try context.openLedger(.readOnly)
        defer { try? ledger.close() }
        let found = try ledger.referral(broker: try arguments[QueryOptions.broker], of: subject)
        let members: [(String, JSONValue)] = [
            ("broker", .string(found.brokerCrmName)), ("partnerId", .string(found.partnerId)),
            ("level", .string(found.level)), ("userId", .integer(found.userId)),
            ("ctidTraderAccountId", found.ctidTraderAccountId.json), ("since", .string(found.since.rfc3339)),
            ("crmPartnerRef", found.crmPartnerRef.json),
        ]
        if format == .json {
            context.output.writeLine(JSONValue.object(members).serialized())
        } else {
            var table = TextTable(columns: ["field", "value"])
            for (name, value) in members where value != .null {
                if case .string(let text) = value { table.append([name, text]) } else { table.append([name, value.serialized()]) }
            }
            context.output.write(table.rendered())
        }
        return .success
    }
}
