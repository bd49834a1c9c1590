import Foundation
import Testing

@Suite("rebuild from the log")
struct RebuildTests {
    /// Every fixture, recorded through the command line.
    func ledger(_ scratch: Scratch, _ name: String) throws -> String {
        let db = scratch.path(name)
        for fixture in ["flow-1", "flow-2", "attribution-outcomes"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(fixture).ndjson").path, "--db", db]).status == 0)
        }
        return db
    }

    /// Every table but the migrations table, as the sqlite3 shell dumps it.
    func tables(_ db: String) throws -> String {
        try CLI.sqlite3(db, ".dump").split(separator: "\n").filter {
            $0.hasPrefix("INSERT INTO") && !$0.contains("inviteLedgerMigration")
        }.joined(separator: "\n")
    }

    @Test("a ledger whose derived rows were edited is rebuilt from its log: verify passes and every answer is the original's")
    func roundTrip() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let original = try ledger(scratch, "original.sqlite")
        let damaged = try ledger(scratch, "damaged.sqlite")
        try CLI.sqlite3(damaged, """
            PRAGMA foreign_keys = OFF;
            DELETE FROM partnerIdAssignment WHERE id = 2;
            UPDATE attribution SET partnerId = 'ib-mallory' WHERE id = 1;
            DELETE FROM lineage WHERE depth = 2;
            UPDATE broker SET guaranteedAttributionDays = 7;
            """)
        #expect(try CLI.run(["verify", "--db", damaged]).status == 4)

        let rebuilt = scratch.path("rebuilt.sqlite")
        let result = try CLI.run(["rebuild", "--db", damaged, "--to", rebuilt])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("rebuilt \(rebuilt) from \(damaged): 47 events, head hash "))
        #expect(try CLI.run(["verify", "--db", rebuilt]).status == 0)
        #expect(try tables(rebuilt) == (try tables(original)))
        // The same head; the digest of the migrations table is the new file's own (applied anew).
        let head = { (path: String) in try String(contentsOfFile: path + "-head", encoding: .utf8).prefix(90) }
        #expect(try head(rebuilt) == (try head(original)))
        for command in CLI.everyQuery {
            let expected = try CLI.run(command + ["--db", original])
            let answer = try CLI.run(command + ["--db", rebuilt])
            #expect(answer.stdout == expected.stdout, "\(command)")
            #expect(answer.status == expected.status, "\(command)")
        }
        // And the rebuilt ledger takes writes.
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("attribution-outcomes.ndjson").path, "--db", rebuilt]).status == 0)
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", "-", "--db", rebuilt], stdin: #"{"step":"user.created","eventId":"n-1","brokerCrmName":"acme","at":"2026-05-01T00:00:00Z","userId":9001}"#).status == 0)
    }

    @Test("a broken log is not rebuilt: the problems are listed and no file is created")
    func brokenLog() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try ledger(scratch, "ledger.sqlite")
        try CLI.sqlite3(db, "DROP TRIGGER event_no_update; UPDATE event SET payload = replace(payload, 'ib-alice', 'ib-alicf') WHERE seq = 7;")
        let rebuilt = scratch.path("rebuilt.sqlite")
        let result = try CLI.run(["rebuild", "--db", db, "--to", rebuilt])
        #expect(result.status == 4)
        #expect(result.stdout.hasPrefix("not rebuilt: the log of \(db) cannot be replayed as it was recorded\n"))
        #expect(result.stdout.contains("chain    7    -      event 7: hash does not match its payload, outcome and recordedAt"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: rebuilt))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.contains("rebuild") } == [])

        let exists = try CLI.run(["rebuild", "--db", db, "--to", db])
        #expect(exists.status == 1)
        #expect(exists.stderr.hasPrefix(#"{"error":{"code":"USAGE","field":"--to","message":"\#(db) exists; rebuild makes a new file"}}"# + "\n"))
    }
}
