import Testing

@testable import InviteLedger

@Suite("verify")
struct VerifyTests {
    func ledger() throws -> Ledger { try Fixtures.ledger() }

    @Test("an intact ledger verifies, with its head hash")
    func intact() throws {
        let report = try ledger().verify()
        #expect(report.isIntact)
        #expect(report.events == 19)
        #expect(report.headHash?.hex == "92bf72e071a915afa43ae4dc098b7b683cecf7e1260947c9268f8e41b3287900")
    }

    @Test("the log refuses UPDATE and DELETE while its triggers stand")
    func triggers() throws {
        let ledger = try ledger()
        #expect(throws: (any Error).self) { try ledger.tamper("UPDATE event SET payload = 'x' WHERE seq = 3") }
        #expect(throws: (any Error).self) { try ledger.tamper("DELETE FROM event WHERE seq = 3") }
        #expect(try ledger.verify().isIntact)
    }

    @Test("a changed payload, outcome or hash is named by its sequence number", arguments: [
        "UPDATE event SET payload = replace(payload, 'ib-alice', 'ib-alicf') WHERE seq = 7",
        "UPDATE event SET outcome = replace(outcome, 'SUBMITTED', 'SUBMITTEE') WHERE seq = 7",
        "UPDATE event SET hash = zeroblob(32) WHERE seq = 7",
        "UPDATE event SET prevHash = zeroblob(32) WHERE seq = 7",
    ])
    func changedEvent(sql: String) throws {
        let ledger = try ledger()
        try ledger.tamper("DROP TRIGGER event_no_update")
        try ledger.tamper(sql)
        let report = try ledger.verify()
        #expect(report.firstBadSeq == 7)
        #expect(report.problems.contains { $0.kind == .trigger })
        #expect(report.problems.filter { $0.kind == .chain }.map(\.seq) == [7])
    }

    @Test("a deleted or reordered event breaks the sequence where it happened")
    func deletedOrReordered() throws {
        let deleted = try ledger()
        try deleted.tamper("DROP TRIGGER event_no_delete; PRAGMA foreign_keys = OFF; DELETE FROM event WHERE seq = 12")
        #expect(try deleted.verify().firstBadSeq == 12)

        let reordered = try ledger()
        try reordered.tamper("""
            PRAGMA foreign_keys = OFF; DROP TRIGGER event_no_update;
            UPDATE event SET seq = -5 WHERE seq = 5; UPDATE event SET seq = 5 WHERE seq = 6; UPDATE event SET seq = 6 WHERE seq = -5;
            """)
        #expect(try reordered.verify().firstBadSeq == 5)
    }

    @Test("batches hashed in the background while the next is read give the same report", arguments: [1, 2, 3, 19, 20])
    func batches(size: Int) throws {
        let ledger = try ledger()
        try ledger.tamper("""
            PRAGMA foreign_keys = OFF; DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;
            UPDATE event SET payload = replace(payload, 'ib-alice', 'ib-alicf') WHERE seq = 7;
            DELETE FROM event WHERE seq = 12;
            UPDATE event SET hash = zeroblob(32) WHERE seq = 19;
            """)
        var report = VerificationReport()
        try ledger.queue.read { db in try ChainVerifier(db: db, batchSize: size).verify(into: &report) }
        #expect(report.events == 18)
        #expect(report.problems.map(\.seq) == [7, 12, 19])
        #expect(report.headHash == [UInt8](repeating: 0, count: 32))
    }

    @Test("a derived row that disagrees with the log is reported")
    func derivedRows() throws {
        let ledger = try ledger()
        try ledger.tamper("UPDATE ctidUser SET userId = 1999 WHERE userId = 1002")
        let report = try ledger.verify()
        #expect(!report.isIntact)
        #expect(report.firstBadSeq == nil)
        #expect(report.problems == [
            .init(kind: .derived, seq: 8, message: "a user differs from the step that created it: user 1999"),
            .init(kind: .derived, seq: 9, message: "a trading account differs from the step that linked it: account 5002"),
            .init(kind: .derived, seq: 8, message: "an edge and the closure table disagree: user row 2 under 1"),
        ])

        let moved = try self.ledger()
        try moved.tamper("UPDATE attribution SET parentRowId = (SELECT id FROM ctidUser WHERE userId = 1004) WHERE eventSeq = 16")
        #expect(try moved.verify().problems.map(\.kind) == [.derived, .derived])
    }

    @Test("every derived table is checked against the log", arguments: [
        ("UPDATE signup SET partnerId = 'ib-mallory' WHERE signupId = 'S-2'", "a signup differs from its step: signup S-2"),
        ("UPDATE click SET partnerId = 'ib-mallory' WHERE eventSeq = 6", "a click differs from its step: click 1"),
        ("UPDATE link SET url = 'https://evil.example/' WHERE linkId = 'L-1'", "a link differs from the step that made it: link L-1"),
        ("UPDATE partner SET crmPartnerRef = 'CRM-X' WHERE crmPartnerRef = 'CRM-1001'", "a partner registration differs from its step: partner CRM-X"),
        ("UPDATE partnerIdAssignment SET validFrom = validFrom - 1 WHERE eventSeq = 4", "a partnerId assignment differs from the steps that made and ended it: assignment 1"),
        ("DELETE FROM lineage WHERE depth = 2", "the closure table does not hold one current path per ancestor of each user: 3 paths expected from the edges, 2 current"),
        ("INSERT INTO lineage VALUES (1, 1, 0, 1004, 0, NULL, 4)", "a direct referral in the closure table has no current edge: user row 4 under 1"),
        ("INSERT INTO lineage VALUES (3, 1, 0, 1001, 0, NULL, 1)", "a direct referral in the closure table has no current edge: user row 1 under 3"),
    ])
    func derivedTables(sql: String, message: String) throws {
        let ledger = try ledger()
        try ledger.tamper(sql)
        let report = try ledger.verify()
        #expect(report.problems.map(\.message).contains(message), "\(report.problems)")
    }
}
