/// One `invite-ledger` command: its signature (for parsing and `--help`) and what it does.
protocol LedgerCommand {
    static var signature: CommandSignature { get }
    static func run(_ context: CommandContext) throws -> ExitStatus
}
