import Foundation
import Testing

/// A file that is not the ledger it was, or that SQLite finds damaged, never takes a write:
/// `record` and `ingest` refuse it with exit status 5, a message naming the file and the remedy,
/// and leave the database file byte for byte as it was. `verify` reports it (exit status 4).
@Suite("damaged files never take writes")
struct DamagedFileTests {
    static let step = #"{"step":"user.created","eventId":"x-1","brokerCrmName":"acme","at":"2026-05-01T00:00:00Z","userId":7001}"#

    /// A ledger holding both seed flows, written through the command line (so its head witness is there).
    func seeded(_ scratch: Scratch, _ name: String = "ledger.sqlite") throws -> String {
        let db = scratch.path(name)
        for flow in ["flow-1", "flow-2"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(flow).ndjson").path, "--db", db]).status == 0)
        }
        return db
    }

    func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// `record` and `ingest` refuse the file with exit status 5, say why and what to do, and write nothing.
    func expectRefused(_ db: String, because reasons: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try contents(db)
        let witness = try? contents(db + "-head")
        let recorded = try CLI.run(["record", "--create", "--allow-new-brokers", Self.step, "--db", db])
        let ingested = try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("attribution-outcomes.ndjson").path, "--db", db])
        for result in [recorded, ingested] {
            #expect(result.status == 5, "\(result)", sourceLocation: sourceLocation)
            #expect(result.stdout == "", sourceLocation: sourceLocation)
            #expect(result.stderr.hasPrefix(#"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db) "#), "\(result)", sourceLocation: sourceLocation)
            #expect(reasons.contains { result.stderr.contains($0) }, "\(result)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains("Nothing was written to it. Check it with `invite-ledger verify --db \(db)`"),
                    sourceLocation: sourceLocation)
            #expect(!result.stderr.contains("SQLite error"), sourceLocation: sourceLocation)
        }
        #expect(try contents(db) == before, "the database file changed", sourceLocation: sourceLocation)
        #expect((try? contents(db + "-head")) == witness, "the witness changed", sourceLocation: sourceLocation)
    }

    @Test("every write leaves a head witness beside the file with the log's head")
    func witness() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let digest = try CLI.python("""
            import hashlib, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rows = db.execute("SELECT identifier, appliedAt FROM inviteLedgerMigration ORDER BY identifier")
            objects = db.execute("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name")
            print(hashlib.sha256("".join(f"{i} {a}\\n" for i, a in rows).encode()).hexdigest(), end=" ")
            print(hashlib.sha256("".join("\\x1f".join(o) + "\\n" for o in objects).encode()).hexdigest(), end="")
            """, [db]).split(separator: " ").map(String.init)
        #expect(try String(contentsOfFile: db + "-head", encoding: .utf8)
                == #"{"seq":20,"hash":"b899e3d50b1686f300c14a7f1ac7980a56dee5780b96cd194af435ba0d2a0146","migrations":"\#(digest[0])","schema":"\#(digest[1])"}"# + "\n")
        #expect(try CLI.run(["record", "--create", "--allow-new-brokers", Self.step, "--db", db]).status == 0)
        #expect(try String(contentsOfFile: db + "-head", encoding: .utf8).hasPrefix(#"{"seq":21,"#))
        // A witness that lags (a process killed between its commit and the witness) is caught up.
        try #"{"seq":20,"hash":"b899e3d50b1686f300c14a7f1ac7980a56dee5780b96cd194af435ba0d2a0146"}"#
            .write(toFile: db + "-head", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["verify", "--db", db]).status == 0)
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("attribution-outcomes.ndjson").path, "--db", db]).status == 0)
        #expect(try String(contentsOfFile: db + "-head", encoding: .utf8).hasPrefix(#"{"seq":48,"#))
    }

    @Test("a log cut short is refused, and verify says so without --expect-head")
    func truncated() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        try CLI.sqlite3(db, "PRAGMA foreign_keys = OFF; DROP TRIGGER event_no_delete; DELETE FROM event WHERE seq = 20; DELETE FROM partnerIdAssignment WHERE eventSeq = 20; DELETE FROM partnerIdHolder WHERE eventSeq = 20;")
        try CLI.sqlite3(db, "CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE is not allowed'); END;")
        try expectRefused(db, because: "its log ends at seq 19, but event 20 was committed")
        let verify = try CLI.run(["verify", "--db", db, "--format", "json"])
        #expect(verify.status == 4)
        #expect(verify.stdout.contains(#""kind":"witness","seq":null,"message":"\#(db): its log ends at seq 19, but event 20 was committed"#))
    }

    @Test("a deleted ledger is not silently started again empty where its witness remains")
    func deleted() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        try FileManager.default.removeItem(atPath: db)
        for arguments in [["record", "--create", "--allow-new-brokers", Self.step], ["init"], ["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path]] {
            let result = try CLI.run(arguments + ["--db", db])
            #expect(result.status == 5, "\(result)")
            #expect(result.stderr.hasPrefix(
                #"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db) does not exist, but its head witness \#(db)-head says event 20 was committed (remove \#(db)-head to start a new, empty ledger)"}}"#))
            #expect(!FileManager.default.fileExists(atPath: db))
        }
        try FileManager.default.removeItem(atPath: db + "-head")
        #expect(try CLI.run(["record", "--create", "--allow-new-brokers", Self.step, "--db", db]).status == 0)
    }

    @Test("an older copy put back is refused until it is accepted on purpose")
    func rolledBack() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--db", db]).status == 0)
        try FileManager.default.copyItem(atPath: db, toPath: scratch.path("backup.sqlite"))
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-2.ndjson").path, "--db", db]).status == 0)
        try FileManager.default.removeItem(atPath: db)
        try FileManager.default.copyItem(atPath: scratch.path("backup.sqlite"), toPath: db)
        try expectRefused(db, because: "its log ends at seq 10, but event 20 was committed")

        let accepted = try CLI.run(["verify", "--db", db, "--accept-head"])
        #expect(accepted.status == 0, "\(accepted)")
        #expect(accepted.stderr.hasPrefix("accepted: the head witness now expects seq 10 "))
        #expect(try CLI.run(["record", "--create", "--allow-new-brokers", Self.step, "--db", db]).status == 0)
    }

    @Test("another ledger moved into place, or another database's -wal, is refused")
    func swappedFileOrForeignWAL() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let other = scratch.path("other.sqlite")
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("attribution-outcomes.ndjson").path, "--db", other]).status == 3)
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--db", other]).status == 0)
        try FileManager.default.removeItem(atPath: db)
        try FileManager.default.copyItem(atPath: other, toPath: db)
        try expectRefused(db, because: "its log ends at seq 18, but event 20 was committed")
        // The same steps recorded at another time: another chain, whose event 20 has another hash.
        let twin = scratch.path("twin.sqlite")
        for flow in ["flow-1", "flow-2"] {
            let result = try CLI.run(
                ["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(flow).ndjson").path, "--db", twin],
                environment: ["INVITE_LEDGER_FIXED_TIME": "2026-04-02T00:00:00Z"])
            #expect(result.status == 0)
        }
        try FileManager.default.removeItem(atPath: db)
        try FileManager.default.copyItem(atPath: twin, toPath: db)
        try expectRefused(db, because: "its event 20 has hash ")

        // A -wal holding another database's commits: SQLite reads them as this file's own.
        let fresh = try seeded(scratch, "fresh.sqlite")
        let donor = scratch.path("donor.sqlite")
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--db", donor]).status == 0)
        // Keep the donor's next commit in its -wal: a reader holds the file open while it is written.
        let copied = try CLI.python("""
            import sqlite3, subprocess, shutil, sys
            reader = sqlite3.connect(sys.argv[1])
            reader.execute("SELECT COUNT(*) FROM event").fetchall()
            subprocess.run([sys.argv[3], "record", sys.argv[4], "--db", sys.argv[1]], check=True, capture_output=True)
            shutil.copyfile(sys.argv[1] + "-wal", sys.argv[2] + "-wal")
            print("ok")
            """, [donor, fresh, CLI.binary.path, Self.step])
        #expect(copied == "ok\n", "\(copied)")
        let wal = try contents(fresh + "-wal")
        try expectRefused(fresh, because: "its event 20 has hash ", "its log ends at seq", "is damaged: ")
        #expect(try contents(fresh + "-wal") == wal, "the foreign -wal was checkpointed or removed")
        // Without its head witness (a copy made without the -head file), the file is proven whole
        // before a witness is made for it: refused, and no witness blesses it.
        try FileManager.default.removeItem(atPath: fresh + "-head")
        try expectRefused(fresh, because: "its hash chain is broken", "is damaged: ", "its schema is not")
        #expect(!FileManager.default.fileExists(atPath: fresh + "-head"))
        #expect(try contents(fresh + "-wal") == wal)
        // Nor does a report answer from it as if it held nothing.
        let report = try CLI.run(["report", "attributions", "--db", fresh])
        #expect(report.status == 5, "\(report)")
        #expect(report.stdout == "")
    }

    @Test("random bytes in the middle of the file: ingest and verify notice, nothing is written")
    func damagedPages() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("attribution-outcomes.ndjson").path, "--db", db]).status == 0)
        // Overwrite 4 KiB in the middle with random bytes (no WAL left: the last close checkpointed it).
        var bytes = try contents(db)
        #expect(bytes.count >= 16 * 4096)
        var generator = SystemRandomNumberGenerator()
        let start = bytes.count / 2 / 4096 * 4096
        for index in start..<(start + 4096) { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        try bytes.write(to: URL(fileURLWithPath: db))

        let ingested = try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--db", db])
        #expect(ingested.status == 5, "\(ingested)")
        #expect(ingested.stderr.hasPrefix(#"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db) is damaged: "#), "\(ingested)")
        #expect(try contents(db) == bytes)
        let verify = try CLI.run(["verify", "--db", db, "--format", "json"])
        #expect(verify.status == 4, "\(verify)")
        #expect(verify.stdout.contains(#""kind":"integrity""#))
        #expect(verify.stderr == "")
        // Each finding of integrity_check is a problem of its own, one line, at most 20 and a count.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
        let damage = (report["problems"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "integrity" }
        #expect(!damage.isEmpty && damage.count <= 21 + 4)
        #expect(damage.allSatisfy { !(($0["message"] as? String) ?? "\n").contains("\n") })
        #expect(!damage.contains { ($0["message"] as? String)?.hasPrefix("*** in database") == true })

        // A file whose first page is garbage is not a database at all.
        var header = bytes
        for index in 0..<100 { header[index] = 0x41 }
        try header.write(to: URL(fileURLWithPath: db))
        try expectRefused(db, because: "is damaged: file is not a database")
        let unreadable = try CLI.run(["verify", "--db", db])
        #expect(unreadable.status == 4, "\(unreadable)")
        #expect(unreadable.stdout.contains("integrity  -    -      \(db) cannot be read: file is not a database"))
    }
}
