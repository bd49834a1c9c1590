import Foundation
import Testing

@testable import InviteLedger

/// A change of the tree is never dated before a change it builds on: the cases that once counted
/// a trader under two partners, or failed inside SQLite, each refused as a step error.
@Suite("tree order")
struct TreeOrderTests {
    static func move(_ eventId: String, at: String, userId: Int, to partnerId: String?, force: Bool = false) -> String {
        var fields: [String: Any] = ["userId": userId, "reason": "support", "operator": "ops", "force": force]
        fields["partnerId"] = partnerId ?? NSNull()
        return step("attribution.reassigned", eventId, at: at, fields)
    }

    /// The two flows, then user 1003 moved to ib-carol (user 1004) on 2026-04-01 and detached on 2026-04-10.
    static func movedAndDetached() throws -> Ledger {
        let ledger = try Fixtures.ledger()
        _ = try ledger.record(json: move("m1", at: "2026-04-01T00:00:00Z", userId: 1003, to: "ib-carol"))
        _ = try ledger.record(json: move("m2", at: "2026-04-10T00:00:00Z", userId: 1003, to: nil))
        return ledger
    }

    static func expectRejected(_ ledger: Ledger, _ json: String, message: String) throws {
        let before = try ledger.snapshot()
        let error = try #require(throws: LedgerError.self) { try ledger.record(json: json) }
        #expect(error.code == .invalidField)
        #expect(error.field == "at")
        #expect(error.message == message)
        #expect(try ledger.snapshot() == before)
    }

    @Test("a back-dated re-attachment of a detached user is refused: never two partners at once")
    func backDatedReattachment() throws {
        let ledger = try Self.movedAndDetached()
        try Self.expectRejected(
            ledger, Self.move("m3", at: "2026-04-05T00:00:00Z", userId: 1003, to: "ib-alice"),
            message: "at 2026-04-05T00:00:00.000Z is before 2026-04-10T00:00:00.000Z, when user 1003's partner last changed: a change of the tree cannot be dated before a change it builds on")
        // As of 2026-04-07 user 1003 counts under user 1004 alone.
        let asOf = Timestamp(rfc3339: "2026-04-07T00:00:00Z")!
        #expect(try ledger.stats(of: .userId(1004), asOf: asOf).total == 1)
        #expect(try ledger.stats(of: .userId(1001), asOf: asOf).total == 1)
        // Dated after the detachment, the same move applies.
        let later = try ledger.record(json: Self.move("m4", at: "2026-04-12T00:00:00Z", userId: 1003, to: "ib-alice"))
        #expect(later.result == "REASSIGNED")
        #expect(try ledger.verify().isIntact)
    }

    @Test("re-attaching at exactly the earlier move's time is a step error, not a damaged database")
    func reattachmentAtTheMoveTime() throws {
        let ledger = try Self.movedAndDetached()
        try Self.expectRejected(
            ledger, Self.move("m3", at: "2026-04-01T00:00:00Z", userId: 1003, to: "ib-alice", force: true),
            message: "at 2026-04-01T00:00:00.000Z is before 2026-04-10T00:00:00.000Z, when user 1003's partner last changed: a change of the tree cannot be dated before a change it builds on")
    }

    @Test("leaving a place and taking it again at the same instant is refused; a millisecond later applies")
    func returnAtTheSameInstant() throws {
        let ledger = try Fixtures.ledger()
        _ = try ledger.record(json: Self.move("m1", at: "2026-04-01T00:00:00Z", userId: 1003, to: "ib-carol"))
        _ = try ledger.record(json: Self.move("m2", at: "2026-04-01T00:00:00Z", userId: 1003, to: "ib-alice"))
        try Self.expectRejected(
            ledger, Self.move("m3", at: "2026-04-01T00:00:00Z", userId: 1003, to: "ib-carol"),
            message: "at 2026-04-01T00:00:00.000Z would put user 1003 back under user 1004 at the instant it left: date the step later")
        let later = try ledger.record(json: Self.move("m4", at: "2026-04-01T00:00:00.001Z", userId: 1003, to: "ib-carol"))
        #expect(later.result == "REASSIGNED")
        #expect(try ledger.verify().isIntact)
    }

    @Test("a detachment dated before a referral joined the user's downline is refused")
    func detachBeforeTheDownlineJoined() throws {
        let ledger = try Fixtures.ledger()
        // User 1005 joins user 1003's downline on 2026-04-20; detaching 1003 on 2026-04-15 would
        // close 1005's path from 1002 before it began.
        _ = try ledger.record(json: step("referral.set", "r1", at: "2026-04-01T00:00:00Z", ["partnerId": "ib-dave", "userId": 1003]))
        _ = try ledger.record(json: step("user.created", "u1", at: "2026-04-20T00:00:00Z", ["userId": 1005, "partnerId": "ib-dave"]))
        try Self.expectRejected(
            ledger, Self.move("m1", at: "2026-04-15T00:00:00Z", userId: 1003, to: nil),
            message: "at 2026-04-15T00:00:00.000Z is before 2026-04-20T00:00:00.000Z, when user 1003's downline last changed: a change of the tree cannot be dated before a change it builds on")
    }

    @Test("an attribution dated before its partner took its place is refused")
    func attributionBeforeThePartnersPlace() throws {
        let ledger = try Fixtures.ledger()
        // User 1004 (ib-carol) is moved under ib-alice on 2026-04-10; a user created through
        // ib-carol dated 2026-04-05 would hang from 1001 before 1004 did.
        _ = try ledger.record(json: Self.move("m1", at: "2026-04-10T00:00:00Z", userId: 1004, to: "ib-alice"))
        try Self.expectRejected(
            ledger, step("user.created", "u1", at: "2026-04-05T00:00:00Z", ["userId": 1005, "partnerId": "ib-carol"]),
            message: "at 2026-04-05T00:00:00.000Z is before 2026-04-10T00:00:00.000Z, when user 1004 was attributed to its current partner: a change of the tree cannot be dated before a change it builds on")
    }

    @Test("partnerIds of one holder never overlap: a back-dated retake after a deletion is refused")
    func backDatedRetake() throws {
        let ledger = try Fixtures.ledger()
        _ = try ledger.record(json: step("referral.deleted", "d1", at: "2026-04-10T00:00:00Z", ["userId": 1001]))
        try Self.expectRejected(
            ledger, step("referral.set", "s1", at: "2026-04-05T00:00:00Z", ["partnerId": "ib-alice", "userId": 1001]),
            message: "at 2026-04-05T00:00:00.000Z is before 2026-04-10T00:00:00.000Z, when the partnerId of user 1001 (user level) last changed: partnerIds of one holder cannot overlap")
        try Self.expectRejected(
            ledger, step("referral.set", "s2", at: "2026-04-05T00:00:00Z", ["partnerId": "ib-alice-2", "userId": 1001]),
            message: "at 2026-04-05T00:00:00.000Z is before 2026-04-10T00:00:00.000Z, when the partnerId of user 1001 (user level) last changed: partnerIds of one holder cannot overlap")
        #expect(try ledger.record(json: step("referral.set", "s3", at: "2026-04-10T00:00:00Z", ["partnerId": "ib-alice", "userId": 1001])).result == "ASSIGNED")
    }

    @Test("in ingest, such a line is one rejected line: the rest of its batch stands")
    func ingestRejectsTheLineOnly() throws {
        let ledger = try Self.movedAndDetached()
        let lines = [
            step("user.created", "i1", at: "2026-04-11T00:00:00Z", ["userId": 1006]),
            Self.move("i2", at: "2026-04-05T00:00:00Z", userId: 1003, to: "ib-alice"),
            step("user.created", "i3", at: "2026-04-11T00:00:00Z", ["userId": 1007]),
        ]
        let url = try Fixtures.temporaryFile(lines)
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try NDJSONReader.open(path: url.path)
        defer { reader.close() }
        var rejected: [String] = []
        let summary = try ledger.ingest(&reader, onRejection: { rejected.append("\($0.line) \($0.error.code.rawValue) \($0.error.field ?? "")") })
        #expect(rejected == ["2 INVALID_FIELD at"])
        #expect(summary.recorded == 2)
        #expect(try ledger.rows("SELECT userId FROM ctidUser WHERE userId IN (1006, 1007)") == ["1006", "1007"])
    }
}
