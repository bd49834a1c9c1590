import Foundation
import Testing

/// A typo never forks the broker or the file, and a step from the far future (or year 1) is
/// refused: the cases an integrator tripped on, each on a fresh ledger.
@Suite("typos cannot fork the ledger")
struct WritePolicyTests {
    static func user(_ eventId: String, broker: String = "acme", at: String = "2026-05-01T00:00:00Z", userId: Int = 7001) -> String {
        #"{"step":"user.created","eventId":"\#(eventId)","brokerCrmName":"\#(broker)","at":"\#(at)","userId":\#(userId)}"#
    }

    @Test("a mistyped brokerCrmName is UNKNOWN_BROKER with a did-you-mean; queries still need no --broker")
    func mistypedBroker() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        let before = try CLI.sqlite3(db, ".dump")
        let typo = try CLI.run(["record", Self.user("t1", broker: "acmee"), "--db", db])
        #expect(typo.status == 2)
        #expect(typo.stderr == #"{"error":{"code":"UNKNOWN_BROKER","field":"brokerCrmName","message":"no broker \"acmee\" in this ledger (did you mean \"acme\"?); it knows \"acme\". A broker is introduced by a broker.configured step, or by a write that accepts new brokers"}}"# + "\n")
        let ingested = try CLI.run(["ingest", "-", "--db", db], stdin: Self.user("t2", broker: "acmee") + "\n")
        #expect(ingested.status == 3)
        #expect(ingested.stderr.hasPrefix(#"{"error":{"code":"UNKNOWN_BROKER","field":"brokerCrmName","#))
        #expect(try CLI.sqlite3(db, ".dump") == before)
        #expect(try CLI.run(["stats", "--user-id", "1001", "--db", db]).status == 0)
        // Introduced on purpose: by broker.configured, or by a write that accepts new brokers.
        let configured = try CLI.run(["record", #"{"step":"broker.configured","eventId":"b1","brokerCrmName":"beta","at":"2026-05-01T00:00:00Z","guaranteedAttributionDays":30}"#, "--db", db])
        #expect(configured.status == 0, "\(configured)")
        #expect(try CLI.run(["record", Self.user("t3", broker: "beta"), "--db", db]).status == 0)
        #expect(try CLI.run(["record", Self.user("t4", broker: "gamma"), "--allow-new-brokers", "--db", db]).status == 0)
        #expect(try CLI.sqlite3(db, "SELECT brokerCrmName FROM broker ORDER BY id;") == "acme\nbeta\ngamma\n")
    }

    @Test("--broker pins record, record --stream and ingest to one broker")
    func pinnedBroker() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        #expect(try CLI.run(["record", Self.user("p1"), "--broker", "acme", "--db", db]).status == 0)
        let other = try CLI.run(["record", Self.user("p2", broker: "beta", userId: 7002), "--broker", "acme", "--allow-new-brokers", "--db", db])
        #expect(other.status == 2)
        #expect(other.stderr == #"{"error":{"code":"BROKER_NOT_ALLOWED","field":"brokerCrmName","message":"brokerCrmName \"beta\" is not \"acme\", the one broker these writes accept"}}"# + "\n")
        let ingested = try CLI.run(["ingest", "-", "--broker", "acme", "--db", db],
                                   stdin: Self.user("p3", broker: "beta", userId: 7003) + "\n" + Self.user("p4", userId: 7004) + "\n")
        #expect(ingested.status == 3)
        #expect(ingested.stderr.hasPrefix(#"{"error":{"code":"BROKER_NOT_ALLOWED","#))
        let streamed = try CLI.run(["record", "--stream", "--broker", "acme", "--db", db],
                                   stdin: Self.user("p5", broker: "beta", userId: 7005) + "\n")
        #expect(streamed.stdout.hasPrefix(#"{"error":{"code":"BROKER_NOT_ALLOWED","#), "\(streamed)")
        #expect(try CLI.sqlite3(db, "SELECT eventId FROM event WHERE seq > 20 ORDER BY seq;") == "p1\np4\n")
    }

    @Test("a wrong --db, or a job started in the wrong directory, creates nothing: NOT_INITIALIZED")
    func wrongPath() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let wrong = scratch.path("wrong/dir/ledger.sqlite")
        let step = Self.user("w1")
        for arguments in [["record", step, "--db", wrong], ["ingest", "-", "--db", wrong], ["record", "--stream", "--db", wrong]] {
            let result = try CLI.run(arguments, stdin: step + "\n")
            #expect(result.status == 5, "\(arguments): \(result)")
            #expect(result.stderr == #"{"error":{"code":"NOT_INITIALIZED","message":"no ledger at \#(wrong); create it with `invite-ledger init --db \#(wrong)` (or let the write create it on purpose)"}}"# + "\n")
        }
        // A cron job in the wrong directory, with the default ./invite-ledger.sqlite.
        let cron = try CLI.run(["record", step], directory: scratch.url)
        #expect(cron.status == 5)
        #expect(cron.stderr.hasPrefix(#"{"error":{"code":"NOT_INITIALIZED","message":"no ledger at invite-ledger.sqlite; "#))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [])
        // On purpose: --create makes it (and the broker must still be introduced).
        let made = scratch.path("made.sqlite")
        #expect(try CLI.run(["record", step, "--create", "--db", made]).status == 2)
        #expect(try CLI.run(["record", step, "--create", "--allow-new-brokers", "--db", made]).status == 0)
    }

    @Test("steps dated in the future, or before 1970, are INVALID_FIELD on at", arguments: [
        ("2099-01-01T00:00:00Z", "at 2099-01-01T00:00:00.000Z is in the future: later than this machine's clock by more than 5 minutes"),
        ("9999-12-31T23:59:59Z", "at 9999-12-31T23:59:59.000Z is in the future: later than this machine's clock by more than 5 minutes"),
        ("0001-01-01T00:00:00Z", #"at must be 1970-01-01T00:00:00.000Z or later (years 1970 to 9999), got \"0001-01-01T00:00:00Z\""#),
    ])
    func timeSanity(at: String, message: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        let before = try CLI.sqlite3(db, ".dump")
        let result = try CLI.run(["record", Self.user("f1", at: at), "--db", db])
        #expect(result.status == 2)
        #expect(result.stderr == #"{"error":{"code":"INVALID_FIELD","field":"at","message":"\#(message)"}}"# + "\n")
        #expect(try CLI.sqlite3(db, ".dump") == before)
    }

    @Test("a directory, a missing directory, a text file and a read-only file are each said plainly")
    func unusablePaths() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let directory = scratch.path("folder")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let missing = scratch.path("nowhere/ledger.sqlite")
        let text = scratch.path("notes.txt")
        try "meeting notes\n".write(toFile: text, atomically: true, encoding: .utf8)
        let cases: [([String], Int32, String)] = [
            (["record", Self.user("d1"), "--db", directory], 5,
             #"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(directory) is a directory, not a database file"}}"# + "\nGive --db a file, for example \(directory)/invite-ledger.sqlite.\n"),
            (["stats", "--user-id", "1", "--db", directory], 5,
             #"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(directory) is a directory, not a database file"}}"# + "\nGive --db a file, for example \(directory)/invite-ledger.sqlite.\n"),
            (["record", Self.user("d2"), "--create", "--db", missing], 5,
             #"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(missing) cannot be created: its directory \#(scratch.path("nowhere")) does not exist"}}"# + "\nCreate the directory first, or give --db another path.\n"),
            (["init", "--db", missing], 5,
             #"{"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(missing) cannot be created: its directory \#(scratch.path("nowhere")) does not exist"}}"# + "\nCreate the directory first, or give --db another path.\n"),
            (["ingest", "-", "--db", text], 5,
             #"{"error":{"code":"FOREIGN_FILE","field":"db","message":"\#(text) is not an SQLite database file (SQLite does not recognize its header)"}}"# + "\nNothing was written to it. Give --db a new file, or an invite-ledger ledger.\n"),
            (["stats", "--user-id", "1", "--db", text], 5,
             #"{"error":{"code":"FOREIGN_FILE","field":"db","message":"\#(text) is not an SQLite database file (SQLite does not recognize its header)"}}"# + "\nNothing was written to it. Give --db a new file, or an invite-ledger ledger.\n"),
        ]
        for (arguments, status, stderr) in cases {
            let result = try CLI.run(arguments, stdin: "")
            #expect(result.status == status, "\(arguments): \(result)")
            #expect(result.stderr == stderr, "\(arguments): \(result)")
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "meeting notes\n")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("nowhere")))

        // A read-only ledger, as a user who may not write it (root may write anywhere).
        let db = try scratch.ledger()
        chmod(db, 0o444)
        chmod(scratch.url.path, 0o755)
        let asUser = getuid() == 0 ? ["runuser", "-u", "nobody", "--", CLI.binary.path] : [CLI.binary.path]
        let output = try CLI.python("""
            import subprocess, sys
            done = subprocess.run(sys.argv[3:] + ["record", sys.argv[1], "--db", sys.argv[2]], capture_output=True)
            print(done.returncode, done.stderr.decode().splitlines()[0])
            """, [Self.user("r1"), db] + asUser)
        #expect(output == #"5 {"error":{"code":"DATABASE_UNUSABLE","field":"db","message":"\#(db) is read-only for this process: it cannot be written"}}"# + "\n", "\(output)")
    }
}
