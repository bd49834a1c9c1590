import Foundation
import Testing

@Suite("init and migrate")
struct SchemaCommandTests {
    static let identifiers = [
        "0001_create_broker", "0002_create_event", "0003_create_ctid_user", "0004_create_trader_account",
        "0005_create_partner", "0006_create_partner_id", "0007_create_link", "0008_create_click",
        "0009_create_signup", "0010_create_attribution", "0011_create_lineage", "0012_set_application_id",
        "0013_create_views", "0014_bound_lineage_depth", "0015_lean_event_row", "0016_create_upline_interval_view",
    ]

    @Test("init creates the database and applies every migration once")
    func initCreates() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        let first = try CLI.run(["init", "--db", db])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout == """
            database: \(db)
            applied now: \(Self.identifiers.joined(separator: ", "))
            schema version: 0016_create_upline_interval_view

            """)
        #expect(first.stderr == "")
        let again = try CLI.run(["--db", db, "init", "--format", "json"])
        #expect(again.status == 0)
        #expect(again.stdout == #"{"database":"\#(db)","applied":[],"schemaVersion":"0016_create_upline_interval_view"}"# + "\n")
        #expect(try CLI.sqlite3(db, "SELECT COUNT(*) FROM inviteLedgerMigration;") == "\(Self.identifiers.count)\n")
    }

    @Test("migrate --status lists pending migrations without creating the file")
    func statusOfMissingDatabase() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("absent.sqlite")
        let result = try CLI.run(["migrate", "--status", "--format", "json", "--db", db])
        #expect(result.status == 0, "\(result)")
        let expected = Self.identifiers.map { #"{"identifier":"\#($0)","appliedAt":null}"# }.joined(separator: ",")
        #expect(result.stdout == #"{"database":"\#(db)","applied":[],"migrations":[\#(expected)]}"# + "\n")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test("migrate applies, then reports each migration as applied; it creates no ledger where there is none")
    func migrateThenStatus() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        let missing = try CLI.run(["migrate", "--db", db])
        #expect(missing.status == 5)
        #expect(missing.stderr == #"{"error":{"code":"NOT_INITIALIZED","message":"no ledger at \#(db); create it with `invite-ledger init --db \#(db)`"}}"# + "\n")
        #expect(!FileManager.default.fileExists(atPath: db))
        // An empty database file (a new SQLite file) is migrated.
        _ = FileManager.default.createFile(atPath: db, contents: nil)
        try CLI.sqlite3(db, "PRAGMA user_version = 0; CREATE TABLE t (x); DROP TABLE t;")
        let migrate = try CLI.run(["migrate", "--db", db])
        #expect(migrate.status == 0, "\(migrate)")
        let status = try CLI.run(["migrate", "--status", "--db", db])
        let lines = status.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == Self.identifiers.count + 2)
        #expect(lines[0].hasPrefix("migration"))
        for (line, identifier) in zip(lines.dropFirst(2), Self.identifiers) {
            #expect(line.hasPrefix(identifier))
            #expect(!line.hasSuffix("pending"))
        }
    }

    @Test("a database migrated by a newer binary is refused and left untouched")
    func newerDatabaseRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        try CLI.run(["init", "--db", db])
        try CLI.sqlite3(db, "INSERT INTO inviteLedgerMigration VALUES ('9999_from_the_future', '2030-01-01T00:00:00Z');")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for arguments in [["migrate"], ["init"], ["migrate", "--status"]] {
            let result = try CLI.run(arguments + ["--db", db])
            #expect(result.status == 5, "\(arguments): \(result)")
            #expect(result.stdout == "")
            #expect(result.stderr == #"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db): the database was migrated by a newer invite-ledger (unknown migrations: 9999_from_the_future); upgrade invite-ledger"}}"# + "\n")
        }
        #expect(try CLI.sqlite3(db, "SELECT COUNT(*) FROM inviteLedgerMigration;") == "\(Self.identifiers.count + 1)\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    @Test("the database defaults to $INVITE_LEDGER_DB, then ./invite-ledger.sqlite in any directory")
    func defaultDatabasePath() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fromEnvironment = scratch.path("from-env.sqlite")
        let viaEnvironment = try CLI.run(["init"], environment: ["INVITE_LEDGER_DB": fromEnvironment], directory: scratch.url)
        #expect(viaEnvironment.status == 0)
        #expect(FileManager.default.fileExists(atPath: fromEnvironment))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("invite-ledger.sqlite")))
        let inDirectory = try CLI.run(["init"], directory: scratch.url)
        #expect(inDirectory.status == 0, "\(inDirectory)")
        #expect(inDirectory.stdout.hasPrefix("database: invite-ledger.sqlite\n"))
        #expect(FileManager.default.fileExists(atPath: scratch.path("invite-ledger.sqlite")))
    }

    @Test("the binary copied elsewhere runs init from another directory: migrations are built in")
    func binaryWorksWhenCopied() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let copy = scratch.url.appendingPathComponent("invite-ledger")
        try FileManager.default.copyItem(at: CLI.binary, to: copy)
        let process = Process()
        process.executableURL = copy
        process.arguments = ["init", "--db", "copied.sqlite"]
        process.currentDirectoryURL = scratch.url
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try CLI.sqlite3(scratch.path("copied.sqlite"), "SELECT MAX(identifier) FROM inviteLedgerMigration;")
            == "0016_create_upline_interval_view\n")
    }
}

@Suite("command line")
struct CommandLineTests {
    @Test("--help answers for the tool and each command, with exit status 0")
    func help() throws {
        let overview = try CLI.run(["--help"])
        #expect(overview.status == 0)
        #expect(overview.stdout.hasPrefix("OVERVIEW: invite-ledger keeps"))
        // Every command listed in the overview.
        let commands = overview.stdout.components(separatedBy: "COMMANDS:\n")[1].components(separatedBy: "\n\n")[0]
            .split(separator: "\n").map { line in
                line.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0]
            }
        #expect(commands.count >= 6)
        for command in commands {
            let result = try CLI.run(command.split(separator: " ").map(String.init) + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdout.hasPrefix("OVERVIEW: "), "\(command)")
            #expect(result.stdout.contains("USAGE: invite-ledger \(command)"), "\(command)")
        }
    }

    @Test("bad usage exits 1 with a message naming the problem")
    func badUsage() throws {
        let unknownCommand = try CLI.run(["frobnicate"])
        #expect(unknownCommand.status == 1)
        #expect(unknownCommand.stderr.hasPrefix(#"{"error":{"code":"USAGE","message":"unknown command `frobnicate`"}}"# + "\n"))
        let unknownOption = try CLI.run(["init", "--colour"])
        #expect(unknownOption.status == 1)
        #expect(unknownOption.stderr.hasPrefix(#"{"error":{"code":"USAGE","field":"--colour","message":"unknown option --colour for `invite-ledger init`"}}"# + "\n"))
        let badChoice = try CLI.run(["init", "--format", "xml"])
        #expect(badChoice.status == 1)
        #expect(badChoice.stderr.hasPrefix(#"{"error":{"code":"USAGE","field":"--format","message":"option --format: expected one of table, json, got \"xml\""}}"# + "\n"))
        let noCommand = try CLI.run([])
        #expect(noCommand.status == 1)
        #expect(noCommand.stderr.hasPrefix("OVERVIEW:"))
    }

    @Test("a ledger with the old migrations table name is read as outdated, then upgraded by migrate, its content unchanged")
    func legacyMigrationTable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--db", db]).status == 0)
        // As an earlier version left it: migrations under schema_migrations, no application id,
        // and the event table of migration 0002 (each row repeating the previous hash in prevHash).
        let eventTable = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("Migrations/0002_create_event.sql"), encoding: .utf8)
        try CLI.sqlite3(db, """
            CREATE TABLE schema_migrations (identifier TEXT PRIMARY KEY NOT NULL, appliedAt TEXT NOT NULL) STRICT;
            INSERT INTO schema_migrations SELECT * FROM inviteLedgerMigration WHERE identifier < '0012';
            DROP TABLE inviteLedgerMigration; PRAGMA application_id = 0;
            DROP VIEW referral; DROP VIEW eventLog; DROP VIEW attributionHistory; DROP VIEW partnerIdAssignmentHistory;
            DROP VIEW uplineInterval;
            PRAGMA foreign_keys = OFF;
            CREATE TEMP TABLE saved AS SELECT * FROM event;
            DROP TABLE event;
            \(eventTable)
            INSERT INTO event (seq, brokerId, eventId, step, at, recordedAt, payload, outcome, prevHash, hash)
            SELECT seq, brokerId, eventId, step, at, recordedAt, payload, outcome,
                   coalesce((SELECT p.hash FROM saved p WHERE p.seq = s.seq - 1), zeroblob(32)), hash
            FROM saved s ORDER BY seq;
            """)
        // An earlier version's head witness: no digest of the migrations table.
        let witness = try String(contentsOfFile: db + "-head", encoding: .utf8)
        try witness.replacingOccurrences(of: #","migrations":"[0-9a-f]{64}""#, with: "", options: .regularExpression)
            .write(toFile: db + "-head", atomically: true, encoding: .utf8)
        let outdated = try CLI.run(["stats", "--user-id", "1001", "--db", db])
        #expect(outdated.status == 5)
        #expect(outdated.stderr.contains(#""code":"SCHEMA_OUTDATED""#), "\(outdated)")
        let migrated = try CLI.run(["migrate", "--db", db])
        #expect(migrated.status == 0, "\(migrated)")
        #expect(try CLI.sqlite3(db, "SELECT COUNT(*) FROM inviteLedgerMigration; PRAGMA application_id;")
                == "\(SchemaCommandTests.identifiers.count)\n1229870668\n")
        #expect(try CLI.sqlite3(db, "SELECT name FROM sqlite_schema WHERE name = 'schema_migrations';") == "")
        #expect(try CLI.run(["verify", "--db", db]).status == 0)
        #expect(try CLI.run(["stats", "--user-id", "1001", "--db", db]).status == 0)
    }

    @Test("another program's SQLite file is refused by init, migrate, record and ingest, left byte for byte as it was")
    func foreignFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let notes = scratch.path("notes.sqlite")
        try CLI.sqlite3(notes, "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO note (body) VALUES ('keep me');")
        let other = scratch.path("other-app.sqlite")
        try CLI.sqlite3(other, "PRAGMA application_id = 1234; CREATE TABLE t (x);")
        for (file, reason) in [(notes, "(it holds tables note)"), (other, "(application id 1234)")] {
            let before = try Data(contentsOf: URL(fileURLWithPath: file))
            for arguments in [["init"], ["migrate"], ["record", "--create", "--allow-new-brokers", #"{"step":"user.created","eventId":"e1","brokerCrmName":"acme","at":"2026-01-01T00:00:00Z","userId":1}"#],
                              ["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path]] {
                let result = try CLI.run(arguments + ["--db", file])
                #expect(result.status == 5, "\(arguments): \(result)")
                #expect(result.stderr == #"{"error":{"code":"FOREIGN_FILE","field":"db","message":"\#(file) is another program's SQLite file \#(reason), not an invite-ledger ledger"}}"# + "\nNothing was written to it. Give --db a new file, or an invite-ledger ledger.\n", "\(result)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
            #expect(try CLI.sqlite3(file, "PRAGMA journal_mode;") == "delete\n")
            #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
        }
        // Queries and verify say it the same way: one code and one remedy for another program's file.
        for query in [["stats", "--user-id", "1"], ["report", "attributions"], ["verify"]] {
            let result = try CLI.run(query + ["--db", notes])
            #expect(result.status == 5, "\(query): \(result)")
            #expect(result.stderr == #"{"error":{"code":"FOREIGN_FILE","field":"db","message":"\#(notes) is another program's SQLite file (it holds tables note), not an invite-ledger ledger"}}"# + "\nNothing was written to it. Give --db a new file, or an invite-ledger ledger.\n", "\(query): \(result)")
        }
    }
}
