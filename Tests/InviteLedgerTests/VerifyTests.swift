import Testing

@testable import InviteLedger

@Suite("verify")
struct VerifyTests {
    func ledger() throws -> Ledger { try Fixtures.ledger() }

    @Test("an intact ledger verifies, with its head hash, every event replayed and every row compared")
    func intact() throws {
        let report = try ledger().verify()
        #expect(report.problems == [])
        #expect(report.events == 20)
        #expect(report.replayedEvents == 20)
        #expect(report.legacyEvents == 0)
        // 20 events, 1 broker, 4 users, 3 accounts, 3 partners, 3 holders, 3 assignments, 2 links,
        // 2 clicks, 2 signups, 2 attributions, 3 lineage paths.
        #expect(report.comparedRows == 48)
        #expect(report.headHash?.hex == "b899e3d50b1686f300c14a7f1ac7980a56dee5780b96cd194af435ba0d2a0146")
    }

    @Test("verify gives the ledger's connection its page cache back after the replay read it with a small one")
    func pageCacheRestored() throws {
        let ledger = try ledger()
        let before = try ledger.rows("PRAGMA cache_size")
        #expect(try ledger.verify().isIntact)
        #expect(try ledger.rows("PRAGMA cache_size") == before)
        #expect(before != ["-\(LogReplay.sourceCacheKiB)"])
    }

    @Test("the log refuses UPDATE and DELETE while its triggers stand")
    func triggers() throws {
        let ledger = try ledger()
        #expect(throws: (any Error).self) { try ledger.tamper("UPDATE event SET payload = 'x' WHERE seq = 3") }
        #expect(throws: (any Error).self) { try ledger.tamper("DELETE FROM event WHERE seq = 3") }
        #expect(try ledger.verify().isIntact)
    }

    /// Runs `sql` on the event table with its update trigger out of the way, then puts the trigger
    /// back exactly as it was: only the chain and the replay can notice.
    func tamperEvent(_ ledger: Ledger, _ sql: String) throws {
        let trigger = try ledger.rows("SELECT sql FROM sqlite_schema WHERE name = 'event_no_update'")[0]
        try ledger.tamper("DROP TRIGGER event_no_update; \(sql); \(trigger)")
    }

    @Test("a changed payload, outcome, recordedAt or hash is named by its sequence number", arguments: [
        "UPDATE event SET payload = replace(payload, 'ib-alice', 'ib-alicf') WHERE seq = 8",
        "UPDATE event SET outcome = replace(outcome, 'SUBMITTED', 'SUBMITTEE') WHERE seq = 8",
        "UPDATE event SET recordedAt = recordedAt + 1 WHERE seq = 8",
        "UPDATE event SET hash = zeroblob(32) WHERE seq = 8",
    ])
    func changedEvent(sql: String) throws {
        let ledger = try ledger()
        try tamperEvent(ledger, sql)
        let report = try ledger.verify()
        #expect(report.firstBadSeq == 8)
        #expect(report.problems.filter { $0.kind == .chain }.map(\.seq) == [8])
        // A changed payload may change what later steps decide: those are reported too, never earlier ones.
        #expect(report.problems.allSatisfy { $0.seq.map { $0 >= 8 } ?? true }, "\(report.problems)")
    }

    @Test("event columns must say what the hashed payload says", arguments: [
        ("UPDATE event SET eventId = 'f1-99' WHERE seq = 8", "eventId", #""f1-99""#, #""f1-07""#),
        ("UPDATE event SET step = 'link.clicked' WHERE seq = 8", "step", #""link.clicked""#, #""signup.submitted""#),
        ("UPDATE event SET at = at + 1 WHERE seq = 8", "at", "1772539380001", "1772539380000"),
        ("INSERT INTO broker VALUES (2, 'other', 0); UPDATE event SET brokerId = 2 WHERE seq = 8", "brokerId", "2", "1"),
    ])
    func eventColumns(sql: String, column: String, found: String, expected: String) throws {
        let ledger = try ledger()
        try tamperEvent(ledger, "PRAGMA foreign_keys = OFF; \(sql)")
        let report = try ledger.verify()
        #expect(report.problems.contains(.init(
            kind: .row, seq: 8, table: "event", key: "seq=8", column: column,
            message: "event row seq=8: \(column) is \(found), the log gives \(expected)")), "\(report.problems)")
        #expect(report.firstBadSeq == nil)
    }

    @Test("a payload or an outcome that no longer parses is a problem, not an error")
    func unparsable() throws {
        let payload = try ledger()
        try tamperEvent(payload, "UPDATE event SET payload = '{\"step\":' WHERE seq = 8")
        let report = try payload.verify()
        #expect(report.problems.contains { $0.kind == .event && $0.seq == 8 && $0.message.hasPrefix("event 8: its payload is not a valid step: INVALID_JSON") })
        // Without the signup, the user it completes is rejected on replay.
        #expect(report.problems.contains { $0.kind == .event && $0.seq == 9 && $0.message.contains("UNKNOWN_SIGNUP") })

        let outcome = try ledger()
        try tamperEvent(outcome, "UPDATE event SET outcome = 'not json' WHERE seq = 8")
        #expect(try outcome.verify().problems.contains(.init(
            kind: .event, seq: 8,
            message: #"event 8: its outcome is not valid JSON; replaying the log gives {"clickSeq":7,"partnerId":"ib-alice","result":"SUBMITTED","signupId":"S-2"}"#)))
    }

    @Test("a deleted or reordered event breaks the sequence where it happened")
    func deletedOrReordered() throws {
        let deleted = try ledger()
        try deleted.tamper("DROP TRIGGER event_no_delete; PRAGMA foreign_keys = OFF; DELETE FROM event WHERE seq = 13")
        #expect(try deleted.verify().firstBadSeq == 13)

        let reordered = try ledger()
        try reordered.tamper("""
            PRAGMA foreign_keys = OFF; DROP TRIGGER event_no_update;
            UPDATE event SET seq = -5 WHERE seq = 5; UPDATE event SET seq = 5 WHERE seq = 6; UPDATE event SET seq = 6 WHERE seq = -5;
            """)
        #expect(try reordered.verify().firstBadSeq == 5)
    }

    @Test("batches hashed in the background while the next is read give the same report", arguments: [1, 2, 3, 20, 21])
    func batches(size: Int) throws {
        let ledger = try ledger()
        try ledger.tamper("""
            PRAGMA foreign_keys = OFF; DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;
            UPDATE event SET payload = replace(payload, 'ib-alice', 'ib-alicf') WHERE seq = 8;
            DELETE FROM event WHERE seq = 13;
            UPDATE event SET hash = zeroblob(32) WHERE seq = 20;
            """)
        var report = VerificationReport()
        try ledger.queue.read { db in try ChainVerifier(db: db, batchSize: size).verify(into: &report) }
        #expect(report.events == 19)
        #expect(report.problems.map(\.seq) == [8, 13, 20])
        #expect(report.headHash == [UInt8](repeating: 0, count: 32))
    }

    @Test("a ledger written before recordedAt was hashed verifies; a legacy event after a current one does not")
    func legacyPrefix() throws {
        let ledger = try ledger()
        // Rehash events 1-5 as an older invite-ledger did (without recordedAt), and the rest anew.
        var previous = EventChain.genesis
        var sql = "DROP TRIGGER event_no_update;"
        for seq in 1...20 {
            let row = try ledger.rows("SELECT payload, outcome, recordedAt FROM event WHERE seq = ?", [seq])[0]
                .split(separator: "|", maxSplits: 2).map(String.init)
            let hash = EventChain.hash(
                previous: previous, payload: row[0], outcome: row[1], recordedAt: Int64(row[2])!,
                format: seq <= 5 ? .legacy : .current)
            sql += "UPDATE event SET hash = x'\(hash.hex)' WHERE seq = \(seq);"
            previous = hash
        }
        try ledger.tamper(sql)
        let trigger = try Fixtures.ledger().rows("SELECT sql FROM sqlite_schema WHERE name = 'event_no_update'")[0]
        try ledger.tamper(trigger)
        let report = try ledger.verify()
        #expect(report.problems == [])
        #expect(report.legacyEvents == 5)

        // A legacy hash is accepted only at the start of the log.
        let late = try self.ledger()
        let row = try late.rows(
            "SELECT lower(hex((SELECT hash FROM event p WHERE p.seq = 19))), payload, outcome FROM event WHERE seq = 20")[0]
            .split(separator: "|", maxSplits: 2).map(String.init)
        let legacy = EventChain.hash(
            previous: [UInt8](hex: row[0])!, payload: row[1], outcome: row[2], recordedAt: 0, format: .legacy)
        try tamperEvent(late, "UPDATE event SET hash = x'\(legacy.hex)' WHERE seq = 20")
        #expect(try late.verify().problems.map(\.seq) == [20])
    }

    @Test("a derived row that disagrees with the log is named by table, key and column")
    func derivedRows() throws {
        let ledger = try ledger()
        try ledger.tamper("UPDATE ctidUser SET userId = 1999 WHERE userId = 1002")
        #expect(try ledger.verify().problems == [
            .init(kind: .row, seq: 9, table: "ctidUser", key: "id=2", column: "userId",
                  message: "ctidUser row id=2: userId is 1999, the log gives 1002"),
        ])

        let deleted = try self.ledger()
        try deleted.tamper("PRAGMA foreign_keys = OFF; DELETE FROM partnerIdAssignment WHERE id = 2")
        #expect(try deleted.verify().problems == [
            .init(kind: .row, seq: 13, table: "partnerIdAssignment", key: "id=2",
                  message: "partnerIdAssignment row id=2 (user 1002) is missing: replaying the log produces it"),
        ])

        // Row ids are named with the cTrader ids they stand for.
        let moved = try self.ledger()
        try moved.tamper("UPDATE attribution SET parentRowId = 4 WHERE id = 2")
        #expect(try moved.verify().problems.contains(.init(
            kind: .row, seq: 17, table: "attribution", key: "id=2", column: "parentRowId",
            message: "attribution row id=2 (user 1003): parentRowId is 4 (user 1004), the log gives 2 (user 1002)")))

        let extra = try self.ledger()
        try extra.tamper("INSERT INTO lineage VALUES (3, 1, 0, 1001, 0, NULL, 1)")
        #expect(try extra.verify().problems == [
            .init(kind: .row, table: "lineage", key: "ancestorRowId=3, depth=1, attributedAt=0, descendantUserId=1001, validFrom=0",
                  message: "lineage row ancestorRowId=3, depth=1, attributedAt=0, descendantUserId=1001, validFrom=0 is extra: replaying the log does not produce it"),
        ])
    }

    @Test("dropped, replaced and extra indexes and triggers are schema problems", arguments: [
        ("DROP INDEX event_brokerId_eventId", "index event_brokerId_eventId is missing: its unique key is not enforced"),
        ("DROP TRIGGER event_no_delete", "trigger event_no_delete is missing: the log may be edited"),
        ("DROP TRIGGER event_no_update; CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN SELECT 1; END",
         "trigger event_no_update differs from what the migrations create: the log may be edited"),
        ("CREATE TRIGGER audit AFTER INSERT ON ctidUser BEGIN SELECT 1; END",
         "trigger audit is not part of the ledger's schema: it was added behind the ledger's back"),
        ("CREATE INDEX extra ON click (partnerId)", "index extra is not part of the ledger's schema: it was added behind the ledger's back"),
        ("DROP INDEX attribution_current; CREATE UNIQUE INDEX attribution_current ON attribution (userRowId)",
         "index attribution_current differs from what the migrations create: its unique key is not enforced"),
    ])
    func schemaObjects(sql: String, message: String) throws {
        let ledger = try ledger()
        try ledger.tamper(sql)
        let problems = try ledger.verify().problems
        #expect(problems.filter { $0.kind == .schema }.map(\.message) == [message], "\(problems)")
    }
}
