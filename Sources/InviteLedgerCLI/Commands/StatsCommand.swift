import InviteLedger

enum StatsCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["stats"],
        abstract: "How many referrals a partner has at each level, and in total.",
        options: [QueryOptions.broker] + QueryOptions.partnerOptions + [depth, QueryOptions.asOf, CommonOptions.format]
    )

    static let depth = Option.integer("--depth", "N", "Count levels 1 to N only, N 1 or more (default: all levels)", in: 1...Int64.max)

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let arguments = context.arguments
        let format = try arguments[CommonOptions.format]
        let partner = try QueryOptions.partner(arguments)
        // Every argument is checked before the database is opened.
        let depth = try arguments[Self.depth]
        let asOf = try arguments[QueryOptions.asOf]
        let ledger = try context.openLedger(.readOnly)
        defer { try? ledger.close() }
        let stats = try ledger.stats(broker: try arguments[QueryOptions.broker], of: partner, depth: depth, asOf: asOf)
        if format == .json {
            context.output.writeLine(JSONValue.object([
                ("broker", .string(stats.brokerCrmName)), ("partnerUserId", .integer(stats.partnerUserId)),
                ("asOf", stats.asOf.json),
                ("levels", .array(stats.levels.map { .object([("level", .integer($0.level)), ("count", .integer($0.count))]) })),
                ("total", .integer(stats.total)),
            ]).serialized())
        } else {
            var table = TextTable(columns: ["level", "referrals"])
            for level in stats.levels {
                table.append([String(level.level), String(level.count)])
            }
            table.append(["total", String(stats.total)])
            context.output.write(table.rendered())
        }
        return .success
    }
}
