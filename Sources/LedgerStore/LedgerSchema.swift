/// The ledger's schema: the migrations of `Migrations/`, compiled into the binary by the
/// `EmbedResources` build plugin.
public enum LedgerSchema {
    /// Every migration this binary knows, in order.
    public static let migrations: [Migration] = EmbeddedMigrations.files.map {
        Migration(identifier: $0.name, sql: $0.contents)
    }

    /// The application id in the header of every ledger (`PRAGMA application_id`, set by migration
    /// 0012): 0x494E564C, "INVL".
    public static let applicationId: Int64 = 0x494E_564C

    /// A migrator over `migrations`.
    public static func migrator() throws -> Migrator {
        try Migrator(migrations: migrations)
    }

    /// The tables of ledger data in `db`: those the migrations create, but the migrations table.
    public static func tables(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != ?
            ORDER BY name
            """, arguments: [Migrator.tableName])
    }

    /// True when no table of ledger data holds a row: a ledger just created, or one whose every
    /// row is yet to come (a first load).
    public static func holdsNoRows(_ db: Database) throws -> Bool {
        for table in try tables(db) {
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \"\(table)\")") == false else { return false }
        }
        return true
    }
}
