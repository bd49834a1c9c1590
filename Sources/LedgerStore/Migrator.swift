/// Applies migrations forward, each once, in the lexical order of their identifiers.
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction, checks foreign keys before it
/// commits, and records itself in `inviteLedgerMigration`. A database that has applied a migration
/// this binary does not know comes from a newer binary: it is refused, untouched.
///
///     let migrator = Migrator(migrations: LedgerSchema.migrations)
///     let applied = try migrator.migrate(db)
public struct Migrator: Sendable {
    /// The table where a database records the migrations applied to it: a name of our own, so
    /// that it never collides with another tool's.
    public static let tableName = "inviteLedgerMigration"
    /// The name earlier versions gave it: `migrate` moves its rows to `tableName`.
    public static let legacyTableName = "schema_migrations"

    public let migrations: [Migration]

    /// The state of one known migration in a database.
    public struct Status: Sendable, Equatable {
        public var identifier: String
        /// When it was applied (RFC 3339 UTC), or nil when it is pending.
        public var appliedAt: String?

        public init(identifier: String, appliedAt: String?) {
            self.identifier = identifier
            self.appliedAt = appliedAt
        }
    }

    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The database has applied migrations this binary does not have.
        case unknownMigrations([String])
        /// A migration identifier is not `NNNN_snake_case`, or appears twice.
        case invalidIdentifier(String)
        /// `PRAGMA foreign_key_check` found violations after a migration.
        case foreignKeyViolation(migration: String, table: String)
        /// A migration the database does not list as applied, but whose objects it holds: its
        /// row of the migrations table was deleted. Running it would fail, or run it twice.
        case unrecordedMigration(migration: String, objects: [String])
        /// SQLite refused a migration's SQL; nothing of it was applied.
        case failed(migration: String, message: String)

        public var description: String {
            switch self {
            case .unknownMigrations(let identifiers):
                "the database was migrated by a newer invite-ledger (unknown migrations: "
                    + identifiers.joined(separator: ", ") + "); upgrade invite-ledger"
            case .invalidIdentifier(let identifier):
                "invalid migration identifier \(identifier): expected four digits, an underscore and snake_case"
            case .foreignKeyViolation(let migration, let table):
                "migration \(migration) leaves a foreign key violation in table \(table)"
            case .unrecordedMigration(let migration, let objects):
                "the migrations table does not list \(migration), but the database holds what it creates (\(objects.joined(separator: ", "))): its row was deleted"
            case .failed(let migration, let message):
                "migration \(migration) failed, and nothing of it was applied: \(message)"
            }
        }
    }

    public init(migrations: [Migration]) throws {
        var seen = Set<String>()
        for migration in migrations {
            guard Self.isValid(migration.identifier), seen.insert(migration.identifier).inserted else {
                throw Error.invalidIdentifier(migration.identifier)
            }
        }
        self.migrations = migrations.sorted { $0.identifier < $1.identifier }
    }

    static func isValid(_ identifier: String) -> Bool {
        let bytes = Array(identifier.utf8)
        guard bytes.count > 5, bytes[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }), bytes[4] == 95 else { return false }
        return bytes[5...].allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    /// Applies every pending migration; returns the identifiers applied, in order.
    @discardableResult
    public func migrate(_ db: Database) throws -> [String] {
        try migrate(db, only: Set(migrations.map(\.identifier)))
    }

    /// Applies the pending migrations among `identifiers` (in order): a new database then holds
    /// the schema of a database that applied those, for comparing with it.
    @discardableResult
    public func migrate(_ db: Database, only identifiers: Set<String>) throws -> [String] {
        try createMigrationTable(db)
        try moveLegacyTable(db)
        let applied = try appliedIdentifiers(db)
        try refuseUnknown(applied)
        var done: [String] = []
        for migration in migrations where !applied.contains(migration.identifier) && identifiers.contains(migration.identifier) {
            try db.inTransaction(.immediate) {
                // Another process may have applied it while this one waited for the write lock.
                let exists = try Int64.fetchOne(
                    db, sql: "SELECT 1 FROM \(Self.tableName) WHERE identifier = ?",
                    arguments: [migration.identifier])
                guard exists == nil else { return .commit }
                let present = try existingObjects(of: migration, in: db)
                guard present.isEmpty else {
                    throw Error.unrecordedMigration(migration: migration.identifier, objects: present)
                }
                do {
                    try db.execute(sql: migration.sql)
                } catch let error as DatabaseError {
                    throw Error.failed(migration: migration.identifier, message: error.message)
                }
                if let violation = try db.fetchOne(sql: "PRAGMA foreign_key_check") {
                    throw Error.foreignKeyViolation(migration: migration.identifier, table: violation["table"] ?? "?")
                }
                try db.execute(
                    sql: "INSERT INTO \(Self.tableName) (identifier, appliedAt) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    arguments: [migration.identifier])
                done.append(migration.identifier)
                return .commit
            }
        }
        return done
    }

    /// Every known migration with when it was applied; refuses a database newer than the binary.
    /// Works on a read-only connection; a database never migrated has every migration pending.
    public func status(_ db: Database) throws -> [Status] {
        var appliedAt: [String: String] = [:]
        if let table = try migrationTable(db) {
            for row in try db.fetchAll(sql: "SELECT identifier, appliedAt FROM \(table)") {
                appliedAt[try row.decode(String.self, "identifier")] = try row.decode(String.self, "appliedAt")
            }
        }
        try refuseUnknown(Set(appliedAt.keys))
        return migrations.map { Status(identifier: $0.identifier, appliedAt: appliedAt[$0.identifier]) }
    }

    /// The known migrations a database does not list as applied, but whose objects it holds:
    /// their rows were deleted from the migrations table. Empty for any database as migrated.
    public func unrecordedMigrations(_ db: Database) throws -> [(identifier: String, objects: [String])] {
        let applied = try appliedIdentifiers(db)
        var found: [(identifier: String, objects: [String])] = []
        for migration in migrations where !applied.contains(migration.identifier) {
            let present = try existingObjects(of: migration, in: db)
            if !present.isEmpty { found.append((migration.identifier, present)) }
        }
        return found
    }

    private func existingObjects(of migration: Migration, in db: Database) throws -> [String] {
        let created = migration.createdObjects
        guard !created.isEmpty else { return [] }
        let names = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema"))
        return created.filter(names.contains)
    }

    /// The migrations table's rows as one text, `identifier appliedAt` a line, in identifier
    /// order: what the head witness keeps a digest of, so that an edited row is seen.
    public func recordText(_ db: Database) throws -> String {
        guard let table = try migrationTable(db) else { return "" }
        return try db.fetchAll(sql: "SELECT identifier, appliedAt FROM \(table) ORDER BY identifier").map { row in
            "\(row[0] as String? ?? "") \(row[1] as String? ?? "")\n"
        }.joined()
    }

    /// True when every known migration is applied and no unknown one is.
    public func isUpToDate(_ db: Database) throws -> Bool {
        try status(db).allSatisfy { $0.appliedAt != nil }
    }

    public func appliedIdentifiers(_ db: Database) throws -> Set<String> {
        guard let table = try migrationTable(db) else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT identifier FROM \(table)"))
    }

    /// True when the database still keeps its migrations under the legacy name: `migrate` must
    /// move them before the database is used.
    public func hasLegacyTable(_ db: Database) throws -> Bool {
        try hasTable(db, Self.legacyTableName)
    }

    private func refuseUnknown(_ applied: Set<String>) throws {
        let known = Set(migrations.map(\.identifier))
        let unknown = applied.subtracting(known).sorted()
        guard unknown.isEmpty else { throw Error.unknownMigrations(unknown) }
    }

    /// The table holding the applied migrations: ours, else the legacy one, else none.
    private func migrationTable(_ db: Database) throws -> String? {
        if try hasTable(db, Self.tableName) { return Self.tableName }
        if try hasTable(db, Self.legacyTableName) { return Self.legacyTableName }
        return nil
    }

    private func hasTable(_ db: Database, _ name: String) throws -> Bool {
        try Int64.fetchOne(db, sql: "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", arguments: [name]) != nil
    }

    /// Moves the rows of the legacy table to ours and drops it, in one transaction (a copy, not
    /// a rename, so that the table's definition reads exactly as in a new database).
    private func moveLegacyTable(_ db: Database) throws {
        guard try hasTable(db, Self.legacyTableName) else { return }
        try db.inTransaction(.immediate) {
            guard try hasTable(db, Self.legacyTableName) else { return .commit }
            try db.execute(sql: """
                INSERT OR IGNORE INTO \(Self.tableName) (identifier, appliedAt)
                SELECT identifier, appliedAt FROM \(Self.legacyTableName);
                DROP TABLE \(Self.legacyTableName);
                """)
            return .commit
        }
    }

    private func createMigrationTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(Self.tableName) (
                identifier TEXT PRIMARY KEY NOT NULL,
                appliedAt TEXT NOT NULL
            ) STRICT
            """)
    }
}
