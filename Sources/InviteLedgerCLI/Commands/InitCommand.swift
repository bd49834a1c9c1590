import InviteLedger

enum InitCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["init"],
        abstract: "Create the ledger database, or bring an existing one to the newest schema.",
        discussion: "Safe to run again: migrations already applied are skipped.",
        options: [CommonOptions.format]
    )

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let format = try context.arguments[CommonOptions.format]
        let applied = try Ledger.migrate(path: context.databasePath)
        let status = try Ledger.migrationStatus(path: context.databasePath)
        let version = status.last(where: { $0.appliedAt != nil })?.identifier ?? "none"
        if format == .json {
            context.output.writeLine(JSONValue.object([
                ("database", .string(context.databasePath)),
                ("applied", .array(applied.map { .string($0) })),
                ("schemaVersion", .string(version)),
            ]).serialized())
        } else {
            context.output.writeLine("database: \(context.databasePath)")
            context.output.writeLine("applied now: \(applied.isEmpty ? "nothing (up to date)" : applied.joined(separator: ", "))")
            context.output.writeLine("schema version: \(version)")
        }
        return .success
    }
}
