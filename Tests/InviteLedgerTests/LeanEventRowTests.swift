import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

@Suite("migration 0015: the event row without prevHash")
struct LeanEventRowTests {
    @Test("a ledger written with prevHash is migrated: same hashes, verify intact, eventLog shows the same prevHash")
    func migratesOlderLedger() throws {
        let scratch = try ScratchDirectory("lean")
        defer { scratch.remove() }
        let current = scratch.path("current.sqlite")
        let older = scratch.path("older.sqlite")

        let ledger = try Ledger(path: current, access: .create, clock: Fixtures.clock)
        for file in ["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson"] {
            for line in try Fixtures.lines(file) { _ = try? ledger.record(json: line) }
        }
        let events = try ledger.rows("SELECT seq, lower(hex(hash)), payload, outcome FROM event ORDER BY seq")
        let eventLog = try ledger.rows("SELECT * FROM eventLog ORDER BY seq")
        try ledger.close()

        // The file as the versions before 0015 wrote it: the schema of migrations 0001-0014, and
        // each event row with the previous event's hash in prevHash.
        let db = try Database(path: older)
        let migrations = LedgerSchema.migrations.filter { $0.identifier < "0015" }
        #expect(migrations.count == 14)
        _ = try Migrator(migrations: migrations).migrate(db)
        #expect(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('event')").contains("prevHash"))
        try db.execute(sql: "ATTACH DATABASE '\(current)' AS source; PRAGMA foreign_keys = OFF; BEGIN;")
        for table in ["broker", "ctidUser", "traderAccount", "partner", "partnerIdHolder", "partnerIdAssignment", "link",
                      "click", "signup", "attribution", "lineage"] {
            try db.execute(sql: "INSERT INTO main.\(table) SELECT * FROM source.\(table)")
        }
        try db.execute(sql: """
            INSERT INTO main.event (seq, brokerId, eventId, step, at, recordedAt, payload, outcome, prevHash, hash)
            SELECT seq, brokerId, eventId, step, at, recordedAt, payload, outcome,
                   coalesce((SELECT p.hash FROM source.event p WHERE p.seq = e.seq - 1), zeroblob(32)), hash
            FROM source.event e;
            COMMIT; DETACH DATABASE source;
            """)
        // The view of 0013 read the column: it must show the same as the one of 0015.
        let olderLog = try db.fetchAll(sql: "SELECT * FROM eventLog ORDER BY seq").map { $0.values.map(\.description).joined(separator: "|") }
        #expect(olderLog == eventLog)
        try db.close()
        // The versions before 0015 kept no digest of the migrations table in the witness.
        let witness = try String(contentsOfFile: current + "-head", encoding: .utf8)
        try witness.replacingOccurrences(of: #","migrations":"[0-9a-f]{64}""#, with: "", options: .regularExpression)
            .write(toFile: older + "-head", atomically: true, encoding: .utf8)

        #expect(try Ledger.migrate(path: older) == ["0015_lean_event_row", "0016_create_upline_interval_view"])
        let migrated = try Ledger(path: older, access: .readOnly)
        defer { try? migrated.close() }
        #expect(try migrated.rows("SELECT name FROM pragma_table_info('event')")
            == ["seq", "brokerId", "eventId", "step", "at", "recordedAt", "payload", "outcome", "hash"])
        #expect(try migrated.rows("SELECT seq, lower(hex(hash)), payload, outcome FROM event ORDER BY seq") == events)
        #expect(try migrated.rows("SELECT * FROM eventLog ORDER BY seq") == eventLog)
        let report = try migrated.verify()
        #expect(report.problems == [])
        #expect(report.headHash?.hex == events.last.map { String($0.split(separator: "|")[1]) })
    }

    @Test("the log refuses every UPDATE, whatever the row holds")
    func updateTrigger() throws {
        let ledger = try Fixtures.ledger()
        for sql in ["UPDATE event SET outcome = '' WHERE seq = 3", "UPDATE event SET recordedAt = 0 WHERE seq = 3"] {
            #expect(throws: (any Error).self) { try ledger.tamper(sql) }
        }
        #expect(try ledger.verify().isIntact)
    }
}
