import Foundation
import Testing

/// A write proves the ledger before it writes: a broken chain or a missing trigger is refused with
/// nothing written, and a missing head witness is never made again over a file that fails the
/// proof. Each case on a copy of the seed flows' ledger.
@Suite("writes refuse a ledger that is not intact")
struct IntactWriteTests {
    static let step = #"{"step":"user.created","eventId":"x-1","brokerCrmName":"acme","at":"2026-05-01T00:00:00Z","userId":7001}"#

    /// Every write command refuses the file (exit status 5, naming it and the remedy) and leaves
    /// it and its witness as they were.
    func expectRefused(
        _ db: String, _ reason: String, commands: [[String]]? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try CLI.sqlite3(db, ".dump")
        let witness = try? String(contentsOfFile: db + "-head", encoding: .utf8)
        let all = commands ?? [["record", Self.step], ["ingest", "-"], ["record", "--stream"]]
        for command in all {
            let result = try CLI.run(command + ["--db", db], stdin: Self.step + "\n")
            #expect(result.status == 5, "\(command): \(result)", sourceLocation: sourceLocation)
            #expect(result.stdout == "", sourceLocation: sourceLocation)
            #expect(result.stderr.hasPrefix(#"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db) cannot be trusted: \#(reason)"#),
                    "\(command): \(result)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains("Nothing was written to it. Check it with `invite-ledger verify --db \(db)`"),
                    sourceLocation: sourceLocation)
        }
        #expect(try CLI.sqlite3(db, ".dump") == before, "the ledger changed", sourceLocation: sourceLocation)
        #expect((try? String(contentsOfFile: db + "-head", encoding: .utf8)) == witness, sourceLocation: sourceLocation)
    }

    @Test("an event edited with the update trigger dropped: every write is refused")
    func editedWithoutTrigger() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        try CLI.sqlite3(db, "DROP TRIGGER event_no_update; UPDATE event SET payload = replace(payload, 'ib-alice', 'ib-alicf') WHERE seq = 5;")
        try expectRefused(db, "its schema is not what its migrations create: trigger event_no_update is missing: the log may be edited")
    }

    @Test("a missing index or trigger alone is refused")
    func missingObject() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        try CLI.sqlite3(db, "DROP INDEX ctidUser_brokerId_userId;")
        try expectRefused(db, "its schema is not what its migrations create: index ctidUser_brokerId_userId is missing: its unique key is not enforced")
    }

    @Test("an edit with the trigger put back: the bulk writes prove the whole chain and refuse it")
    func editedTriggerRestored() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        let trigger = try CLI.sqlite3(db, "SELECT sql FROM sqlite_schema WHERE name = 'event_no_update';")
        try CLI.sqlite3(db, "DROP TRIGGER event_no_update; UPDATE event SET payload = replace(payload, 'ib-alice', 'ib-alicf') WHERE seq = 5; \(trigger);")
        try expectRefused(
            db, "its hash chain is broken: event 5: hash does not match its payload, outcome and recordedAt",
            commands: [["ingest", "-"], ["record", "--stream"]])
        // Told not to prove the whole file, they write (Reliability.md: what each write checks).
        #expect(try CLI.run(["ingest", "-", "--skip-file-check", "--db", db], stdin: Self.step + "\n").status == 0)
    }

    @Test("an event edited after the witness's is refused by record too")
    func editedAfterWitness() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        let trigger = try CLI.sqlite3(db, "SELECT sql FROM sqlite_schema WHERE name = 'event_no_update';")
        // The witness lags at event 18 (a process killed before it moved it); event 19 is edited.
        let witness = try CLI.sqlite3(db, "SELECT '{\"seq\":18,\"hash\":\"' || lower(hex(hash)) || '\"}' FROM event WHERE seq = 18;")
        try witness.write(toFile: db + "-head", atomically: true, encoding: .utf8)
        try CLI.sqlite3(db, "DROP TRIGGER event_no_update; UPDATE event SET payload = replace(payload, '1004', '1005') WHERE seq = 19; \(trigger);")
        try expectRefused(db, "its event 19 does not match its hash: it was changed after it was recorded")
    }

    @Test("without a head witness, a ledger is proven whole before a witness is made for it")
    func missingWitness() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        let trigger = try CLI.sqlite3(db, "SELECT sql FROM sqlite_schema WHERE name = 'event_no_update';")
        try CLI.sqlite3(db, "DROP TRIGGER event_no_update; UPDATE event SET outcome = replace(outcome, 'CLICKED', 'CLICKEE') WHERE seq = 7; \(trigger);")
        try FileManager.default.removeItem(atPath: db + "-head")
        try expectRefused(db, "its hash chain is broken: event 7: hash does not match", commands: [["record", Self.step]])
        #expect(!FileManager.default.fileExists(atPath: db + "-head"))
        // An intact ledger without its witness gets one, and takes the write.
        let other = try Scratch()
        defer { other.remove() }
        let intact = scratch.path("intact.sqlite")
        try FileManager.default.copyItem(atPath: try other.ledger(), toPath: intact)
        #expect(try CLI.run(["record", Self.step, "--db", intact]).status == 0)
        #expect(FileManager.default.fileExists(atPath: intact + "-head"))
    }

    @Test("a writer that was running while the schema was changed never blesses the change in its witness")
    func changedUnderARunningWriter() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        let output = try CLI.python("""
            import subprocess, sys
            binary, db = sys.argv[1], sys.argv[2]
            def step(n):
                return ('{"step":"user.created","eventId":"s%d","brokerCrmName":"acme","at":"2026-05-01T00:00:00Z","userId":%d}' % (n, 8000 + n)).encode() + b"\\n"
            stream = subprocess.Popen([binary, "record", "--stream", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            stream.stdin.write(step(1)); stream.stdin.flush(); stream.stdout.readline()
            subprocess.run(["sqlite3", db, "DROP TRIGGER event_no_update;"], check=True)
            stream.stdin.write(step(2)); stream.stdin.flush(); stream.stdout.readline()
            stream.stdin.close(); stream.wait()
            print(stream.returncode)
            """, [CLI.binary.path, db])
        #expect(output == "0\n", "\(output)")
        try expectRefused(
            db, "its schema is not what its migrations create: trigger event_no_update is missing: the log may be edited",
            commands: [["record", Self.step]])
    }

    @Test("queries and reports refuse a file that is not the ledger its witness saw, or that reads as damaged")
    func readsRefuseDamage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        #expect(try CLI.run(["ingest", CLI.fixture("flow-1.ndjson").path, "--db", db]).status == 0)
        try FileManager.default.copyItem(atPath: db, toPath: scratch.path("older.sqlite"))
        #expect(try CLI.run(["ingest", CLI.fixture("flow-2.ndjson").path, "--db", db]).status == 0)
        try FileManager.default.removeItem(atPath: db)
        try FileManager.default.copyItem(atPath: scratch.path("older.sqlite"), toPath: db)
        for query in [["stats", "--user-id", "1001"], ["report", "attributions"], ["trace", "--user-id", "1002"]] {
            let result = try CLI.run(query + ["--db", db])
            #expect(result.status == 5, "\(query): \(result)")
            #expect(result.stdout == "")
            #expect(result.stderr.hasPrefix(#"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db) cannot be trusted: its log ends at seq 10, but event 20 was committed"#))
        }
        // verify reports it as a problem rather than refusing.
        #expect(try CLI.run(["verify", "--db", db]).status == 4)

        // Events without a broker read back: never the header alone with exit status 0.
        let broken = scratch.path("broken.sqlite")
        #expect(try CLI.run(["init", "--db", broken]).status == 0)
        #expect(try CLI.run(["ingest", CLI.fixture("flow-1.ndjson").path, "--db", broken]).status == 0)
        try CLI.sqlite3(broken, "PRAGMA foreign_keys = OFF; DELETE FROM broker;")
        let report = try CLI.run(["report", "attributions", "--db", broken])
        #expect(report.status == 5, "\(report)")
        #expect(report.stdout == "")
        #expect(report.stderr.hasPrefix(#"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(broken) is damaged: its log holds events but its broker table is empty"}}"#))
    }
}
