/// The options several commands share, declared once.
enum CommonOptions {
    static let database = Option.string(
        "--db", "PATH", "The ledger database (default: $INVITE_LEDGER_DB, else ./invite-ledger.sqlite)")
    static let quiet = Option.flag("--quiet", "No notices and no progress on stderr (errors still go there)")
    static let help = Option.flag("--help", "Show this help")
    /// `--format table|json`.
    static let format = Option.choice("--format", "FORMAT", "table or json", default: TableOrJSON.table)

    /// What a write command (`record`, `ingest`) may do beyond the usual: `--create` a ledger
    /// where there is none; accept only `--broker`'s steps; `--allow-new-brokers`.
    static let create = Option.flag("--create", "Create the ledger when there is none at --db (otherwise that is NOT_INITIALIZED)")
    static let onlyBroker = Option.string("--broker", "NAME", "Accept steps of this broker only (any other is BROKER_NOT_ALLOWED)")
    static let allowNewBrokers = Option.flag(
        "--allow-new-brokers", "Let a step introduce a broker the ledger does not know (otherwise only broker.configured does)")
    static let writeOptions: [any DeclaredOption] = [create, onlyBroker, allowNewBrokers]
}
