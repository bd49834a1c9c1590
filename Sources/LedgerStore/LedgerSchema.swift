/// The ledger's schema: the migrations of `Migrations/`, compiled into the binary by the
/// `EmbedResources` build plugin.
public enum LedgerSchema {
    /// Every migration this binary knows, in order.
    public static let migrations: [Migration] = EmbeddedMigrations.files.map {
        Migration(identifier: $0.name, sql: $0.contents)
    }

    /// A migrator over `migrations`.
    public static func migrator() throws -> Migrator {
        try Migrator(migrations: migrations)
    }
}
