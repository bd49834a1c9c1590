import Foundation
import Testing

/// The migrations table is proven like the rest: a row deleted, changed or added is a problem
/// `verify` reports (exit 4), queries and writes refuse the file, and `migrate` never runs a
/// migration whose objects exist.
@Suite("the migrations table is proven")
struct MigrationTableTests {
    static let step = #"{"step":"user.created","eventId":"x-1","brokerCrmName":"acme","at":"2026-05-01T00:00:00Z","userId":7001}"#

    @Test("a deleted row: verify names it, queries and writes refuse the file, migrate does not run it again")
    func deletedRow() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger(flows: ["flow-1"])
        try CLI.sqlite3(db, "DELETE FROM inviteLedgerMigration WHERE identifier = '0008_create_click';")
        let message = "the migrations table does not list 0008_create_click, but the database holds what it creates (click, click_brokerId_visitorId): its row was deleted"
        let verify = try CLI.run(["verify", "--format", "json", "--db", db])
        #expect(verify.status == 4, "\(verify)")
        #expect(verify.stdout.contains(#"{"kind":"schema","seq":null,"table":"inviteLedgerMigration","message":"\#(message)"}"#), "\(verify)")
        let query = try CLI.run(["stats", "--user-id", "1001", "--db", db])
        #expect(query.status == 5)
        #expect(query.stderr.hasPrefix(#"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db) cannot be trusted: \#(message)"}}"#), "\(query)")
        let before = try CLI.sqlite3(db, ".dump")
        for command in [["migrate"], ["record", Self.step]] {
            let result = try CLI.run(command + ["--db", db])
            #expect(result.status == 5, "\(command): \(result)")
            #expect(result.stderr.contains(message) || result.stderr.contains("its migrations table is not what it was"), "\(command): \(result)")
            #expect(!result.stderr.contains("SQLite error"), "\(command): \(result)")
        }
        #expect(try CLI.sqlite3(db, ".dump") == before)
    }

    @Test("a changed appliedAt, or an added row, is a problem verify reports and writes refuse")
    func changedOrAddedRow() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for (name, sql) in [
            ("changed", "UPDATE inviteLedgerMigration SET appliedAt = '2020-01-01T00:00:00.000Z' WHERE identifier = '0003_create_ctid_user';"),
            ("added", "INSERT INTO inviteLedgerMigration VALUES ('0099_something_else', '2026-01-01T00:00:00.000Z');"),
        ] {
            let folder = try Scratch()
            defer { folder.remove() }
            let db = try folder.ledger(flows: ["flow-1"])
            try CLI.sqlite3(db, sql)
            let verify = try CLI.run(["verify", "--db", db])
            #expect(verify.status == 4, "\(name): \(verify)")
            #expect(verify.stdout.contains(name == "changed"
                ? "its migrations table is not what it was when the head witness was written: a row was changed, added or deleted"
                : "the migrations table lists 0099_something_else, which no invite-ledger migration is, and is not what the head witness saw: a row was added"),
                "\(name): \(verify)")
            let record = try CLI.run(["record", Self.step, "--db", db])
            #expect(record.status == 5, "\(name): \(record)")
        }
    }
}
