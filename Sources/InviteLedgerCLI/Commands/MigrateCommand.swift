import InviteLedger

enum MigrateCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["migrate"],
        abstract: "Apply pending schema migrations, or show which are applied.",
        discussion: """
            Migrations are forward-only and built into the binary. A database migrated by a newer
            invite-ledger is refused and left untouched.
            """,
        options: [status, CommonOptions.format]
    )

    static let status = Option.flag("--status", "Show each migration and when it was applied; change nothing")

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let format = try context.arguments[CommonOptions.format]
        var applied: [String] = []
        if try !context.arguments[Self.status] {
            applied = try Ledger.migrate(path: context.databasePath, create: false)
        }
        let status = try Ledger.migrationStatus(path: context.databasePath)
        if format == .json {
            context.output.writeLine(JSONValue.object([
                ("database", .string(context.databasePath)),
                ("applied", .array(applied.map { .string($0) })),
                ("migrations", .array(status.map {
                    .object([("identifier", .string($0.identifier)), ("appliedAt", $0.appliedAt.map { .string($0) } ?? .null)])
                })),
            ]).serialized())
        } else {
            var table = TextTable(columns: ["migration", "applied at"])
            for migration in status {
                table.append([migration.identifier, migration.appliedAt ?? "pending"])
            }
            context.output.write(table.rendered())
        }
        return .success
    }
}
