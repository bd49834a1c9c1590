import CSQLite
import Foundation
import Testing

@testable import LedgerStore

@Suite("Migrator")
struct MigratorTests {
    let migrations = [
        Migration(identifier: "0002_add_b", sql: "CREATE TABLE b (id INTEGER PRIMARY KEY, aId INTEGER REFERENCES a (id)) STRICT;"),
        Migration(identifier: "0001_create_a", sql: "CREATE TABLE a (id INTEGER PRIMARY KEY) STRICT;"),
    ]

    @Test("applies migrations once, in lexical order")
    func appliesOnceInOrder() throws {
        let db = try Database(path: ":memory:")
        let migrator = try Migrator(migrations: migrations)
        #expect(migrator.migrations.map(\.identifier) == ["0001_create_a", "0002_add_b"])
        #expect(try migrator.migrate(db) == ["0001_create_a", "0002_add_b"])
        #expect(try migrator.migrate(db) == [])
        #expect(try String.fetchAll(db, sql: "SELECT identifier FROM inviteLedgerMigration ORDER BY rowid")
            == ["0001_create_a", "0002_add_b"])
        #expect(try migrator.isUpToDate(db))

        // A binary with one more migration applies only that one.
        let newer = try Migrator(migrations: migrations + [
            Migration(identifier: "0003_add_c", sql: "CREATE TABLE c (x INTEGER) STRICT;")
        ])
        #expect(try newer.status(db).map(\.appliedAt).map { $0 == nil } == [false, false, true])
        #expect(try newer.migrate(db) == ["0003_add_c"])
    }

    @Test("refuses a database migrated by a newer binary, and leaves it untouched")
    func refusesNewerDatabase() throws {
        let db = try Database(path: ":memory:")
        let newer = try Migrator(migrations: migrations + [
            Migration(identifier: "0003_add_c", sql: "CREATE TABLE c (x INTEGER) STRICT;")
        ])
        try newer.migrate(db)
        let older = try Migrator(migrations: [migrations[1]])
        #expect(throws: Migrator.Error.unknownMigrations(["0002_add_b", "0003_add_c"])) {
            try older.migrate(db)
        }
        #expect(throws: Migrator.Error.unknownMigrations(["0002_add_b", "0003_add_c"])) {
            try older.status(db)
        }
        #expect(try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM inviteLedgerMigration") == 3)
    }

    @Test("a failing migration leaves neither its changes nor its record")
    func failingMigrationRollsBack() throws {
        let db = try Database(path: ":memory:")
        let migrator = try Migrator(migrations: [
            migrations[1],
            Migration(identifier: "0002_broken", sql: "CREATE TABLE half (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);"),
        ])
        let error = try #require(throws: Migrator.Error.self) { try migrator.migrate(db) }
        #expect(error == .failed(migration: "0002_broken", message: "no such table: nowhere"))
        #expect(error.description == "migration 0002_broken failed, and nothing of it was applied: no such table: nowhere")
        #expect(try String.fetchAll(db, sql: "SELECT identifier FROM inviteLedgerMigration") == ["0001_create_a"])
        #expect(try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'half'") == 0)
    }

    @Test("checks foreign keys before committing a migration")
    func foreignKeyCheck() throws {
        let db = try Database(path: ":memory:")
        let migrator = try Migrator(migrations: migrations.reversed() + [
            // Disabling enforcement inside a transaction is impossible; a bad row can still be
            // inserted with deferred constraints off: foreign_key_check is what catches it.
            Migration(identifier: "0003_bad_row", sql: "PRAGMA defer_foreign_keys = ON; INSERT INTO b (aId) VALUES (99);"),
        ])
        #expect(throws: Migrator.Error.foreignKeyViolation(migration: "0003_bad_row", table: "b")) {
            try migrator.migrate(db)
        }
        #expect(try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM b") == 0)
        #expect(try String.fetchAll(db, sql: "SELECT identifier FROM inviteLedgerMigration ORDER BY identifier")
            == ["0001_create_a", "0002_add_b"])
    }

    @Test("rejects identifiers that are not NNNN_snake_case, or repeated")
    func identifiers() {
        for bad in ["1_a", "0001-a", "0001_A", "0001_", "abcd_x", "0001_a b"] {
            #expect(throws: Migrator.Error.invalidIdentifier(bad)) {
                try Migrator(migrations: [Migration(identifier: bad, sql: "")])
            }
        }
        #expect(throws: Migrator.Error.invalidIdentifier("0001_a")) {
            try Migrator(migrations: [Migration(identifier: "0001_a", sql: ""), Migration(identifier: "0001_a", sql: "")])
        }
    }

    @Test("the ledger schema applies cleanly and creates every table, STRICT")
    func ledgerSchema() throws {
        let db = try Database(path: ":memory:")
        let migrator = try LedgerSchema.migrator()
        #expect(migrator.migrations.first?.identifier == "0001_create_broker")
        try migrator.migrate(db)
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        #expect(tables == [
            "attribution", "broker", "click", "ctidUser", "event", "inviteLedgerMigration", "lineage", "link", "partner",
            "partnerIdAssignment", "partnerIdHolder", "signup", "traderAccount",
        ])
        let notStrict = try String.fetchAll(
            db, sql: "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND strict = 0 AND name NOT LIKE 'sqlite_%'")
        #expect(notStrict == [])
        #expect(try db.fetchAll(sql: "PRAGMA foreign_key_check").isEmpty)
        #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
    }
}
