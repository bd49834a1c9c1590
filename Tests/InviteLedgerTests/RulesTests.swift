import Foundation
import Testing

@testable import InviteLedger

/// The rules of Steps.md, each checked on the rows it leaves behind.
@Suite("Rules")
struct RulesTests {
    /// A broker with users 1..4 and accounts 11 (user 1), 12 (user 1), 21 (user 2).
    func base() throws -> Ledger {
        let ledger = try Fixtures.emptyLedger()
        for userId in 1...4 {
            _ = try ledger.record(json: step("user.created", "u\(userId)", at: "2026-01-01T00:00:0\(userId)Z", ["userId": userId]))
        }
        for (account, user) in [(11, 1), (12, 1), (21, 2)] {
            _ = try ledger.record(json: step("account.linked", "a\(account)", at: "2026-01-01T00:01:00Z",
                                             ["userId": user, "ctidTraderAccountId": account]))
        }
        return ledger
    }

    func expectRejected(_ ledger: Ledger, _ json: String, _ code: LedgerError.Code, field: String?) throws {
        let before = try ledger.snapshot()
        let error = try #require(throws: LedgerError.self) { try ledger.record(json: json) }
        #expect(error.code == code)
        #expect(error.field == field)
        #expect(try ledger.snapshot() == before)
    }

    static let assignments = """
        SELECT h.partnerId, h.level, a.validFrom, ifnull(a.validTo, '-'), a.eventSeq, ifnull(a.endEventSeq, '-')
        FROM partnerIdAssignment a JOIN partnerIdHolder h ON h.id = a.holderRowId ORDER BY a.id
        """

    @Test("PUT replaces, the same value is a no-op, and a partnerId never moves to another holder")
    func partnerIdAssignment() throws {
        let ledger = try base()
        let day = 86_400_000 as Int64
        let t0 = Timestamp(rfc3339: "2026-02-01T00:00:00Z")!.milliseconds
        #expect(try ledger.record(json: step("referral.set", "s1", at: "2026-02-01T00:00:00Z", ["partnerId": "p1", "userId": 1])).result == "ASSIGNED")
        #expect(try ledger.record(json: step("referral.set", "s2", at: "2026-02-02T00:00:00Z", ["partnerId": "p1", "userId": 1])).result == "UNCHANGED")
        let replaced = try ledger.record(json: step("referral.set", "s3", at: "2026-02-03T00:00:00Z", ["partnerId": "p2", "userId": 1]))
        #expect(replaced.result == "REPLACED")
        #expect(replaced.decision["previousPartnerId"] == .string("p1"))
        // p1 was user 1's: it never goes to user 2, even now that it is not active.
        try expectRejected(ledger, step("referral.set", "s4", ["partnerId": "p1", "userId": 2]), .partnerIdTaken, field: "partnerId")
        // ... nor to one of user 1's accounts: an account is another holder.
        try expectRejected(ledger, step("referral.set", "s5", ["partnerId": "p1", "ctidTraderAccountId": 11]), .partnerIdTaken, field: "partnerId")
        // User 1 may take p1 back: a new interval for the same holder.
        #expect(try ledger.record(json: step("referral.set", "s6", at: "2026-02-04T00:00:00Z", ["partnerId": "p1", "userId": 1])).result == "REPLACED")
        #expect(try ledger.rows(Self.assignments) == [
            "p1|user|\(t0)|\(t0 + 2 * day)|8|10",
            "p2|user|\(t0 + 2 * day)|\(t0 + 3 * day)|10|11",
            "p1|user|\(t0 + 3 * day)|-|11|-",
        ])
        #expect(try ledger.rows("SELECT COUNT(*) FROM partnerIdHolder") == ["2"])
    }

    @Test("user and account levels coexist; DELETE without an account ends only the user-level one")
    func levels() throws {
        let ledger = try base()
        _ = try ledger.record(json: step("referral.set", "s1", at: "2026-02-01T00:00:00Z", ["partnerId": "u-level", "userId": 1]))
        _ = try ledger.record(json: step("referral.set", "s2", at: "2026-02-01T00:00:00Z", ["partnerId": "acc-11", "ctidTraderAccountId": 11]))
        _ = try ledger.record(json: step("referral.set", "s3", at: "2026-02-01T00:00:00Z", ["partnerId": "acc-12", "ctidTraderAccountId": 12]))
        let deleted = try ledger.record(json: step("referral.deleted", "d1", at: "2026-02-02T00:00:00Z", ["userId": 1]))
        #expect(deleted.decision == .object([("partnerId", .string("u-level")), ("result", .string("DELETED")), ("userId", .integer(1))]))
        #expect(try ledger.rows("SELECT h.partnerId FROM partnerIdAssignment a JOIN partnerIdHolder h ON h.id = a.holderRowId WHERE a.validTo IS NULL ORDER BY 1")
            == ["acc-11", "acc-12"])
        // Nothing left at user level: NOT_FOUND.
        try expectRejected(ledger, step("referral.deleted", "d2", at: "2026-02-03T00:00:00Z", ["userId": 1]), .notFound, field: "userId")
        // An account of another user cannot be deleted through this user.
        try expectRejected(ledger, step("referral.deleted", "d3", at: "2026-02-03T00:00:00Z", ["userId": 2, "ctidTraderAccountId": 11]),
                           .accountOwnedByOtherUser, field: "ctidTraderAccountId")
        #expect(try ledger.record(json: step("referral.deleted", "d4", at: "2026-02-03T00:00:00Z", ["userId": 1, "ctidTraderAccountId": 12])).result == "DELETED")
        #expect(try ledger.rows("SELECT h.partnerId FROM partnerIdAssignment a JOIN partnerIdHolder h ON h.id = a.holderRowId WHERE a.validTo IS NULL")
            == ["acc-11"])
        // Intervals never run backwards.
        try expectRejected(ledger, step("referral.deleted", "d5", at: "2026-01-15T00:00:00Z", ["userId": 1, "ctidTraderAccountId": 11]),
                           .invalidField, field: "at")
    }

    @Test("an account-level partnerId attributes to the account's owner, and the edge keeps the account")
    func accountLevelAttribution() throws {
        let ledger = try base()
        _ = try ledger.record(json: step("referral.set", "s1", at: "2026-02-01T00:00:00Z", ["partnerId": "acc-21", "ctidTraderAccountId": 21]))
        let outcome = try ledger.record(json: step("user.created", "u9", at: "2026-02-02T00:00:00Z", ["userId": 9, "partnerId": "acc-21"]))
        #expect(outcome.result == "ATTRIBUTED")
        #expect(outcome.decision["partnerUserId"] == .integer(2))
        #expect(outcome.decision["partnerCtidTraderAccountId"] == .integer(21))
        #expect(try ledger.rows("""
            SELECT c.userId, p.userId, a.ctidTraderAccountId, t.outcome, t.via FROM attribution t
            JOIN ctidUser c ON c.id = t.userRowId JOIN ctidUser p ON p.id = t.parentRowId
            JOIN traderAccount a ON a.id = t.accountRowId
            """) == ["9|2|21|ATTRIBUTED|creation"])
    }

    @Test("outcomes are checked in order and a rejection changes nothing but its record")
    func outcomeOrder() throws {
        let ledger = try base()
        _ = try ledger.record(json: step("referral.set", "s1", at: "2026-02-01T00:00:00Z", ["partnerId": "p1", "userId": 1]))
        _ = try ledger.record(json: step("referral.deleted", "d1", at: "2026-02-05T00:00:00Z", ["userId": 1]))
        // The signup was made while p1 was active: the creation after the deletion still attributes.
        _ = try ledger.record(json: step("signup.submitted", "g1", at: "2026-02-04T00:00:00Z", ["signupId": "S1", "partnerId": "p1"]))
        #expect(try ledger.record(json: step("user.created", "u9", at: "2026-02-06T00:00:00Z", ["userId": 9, "signupId": "S1"])).result == "ATTRIBUTED")
        // Signed up after the deletion: inactive.
        _ = try ledger.record(json: step("signup.submitted", "g2", at: "2026-02-05T00:00:00Z", ["signupId": "S2", "partnerId": "p1"]))
        #expect(try ledger.record(json: step("user.created", "u10", at: "2026-02-06T00:00:00Z", ["userId": 10, "signupId": "S2"])).result == "PARTNER_ID_INACTIVE")
        // Signed up before the partnerId existed: inactive too.
        _ = try ledger.record(json: step("signup.submitted", "g3", at: "2026-01-15T00:00:00Z", ["signupId": "S3", "partnerId": "p1"]))
        #expect(try ledger.record(json: step("user.created", "u11", at: "2026-02-06T00:00:00Z", ["userId": 11, "signupId": "S3"])).result == "PARTNER_ID_INACTIVE")
        // An organic signup creates without attribution.
        _ = try ledger.record(json: step("signup.submitted", "g4", at: "2026-02-06T00:00:00Z", ["signupId": "S4"]))
        #expect(try ledger.record(json: step("user.created", "u12", at: "2026-02-06T00:00:00Z", ["userId": 12, "signupId": "S4"])).result == "CREATED")
        #expect(try ledger.rows("SELECT c.userId, t.outcome, ifnull(t.parentRowId, '-') FROM attribution t JOIN ctidUser c ON c.id = t.userRowId ORDER BY t.id")
            == ["9|ATTRIBUTED|1", "10|PARTNER_ID_INACTIVE|-", "11|PARTNER_ID_INACTIVE|-"])
        #expect(try ledger.rows("SELECT COUNT(*) FROM lineage") == ["1"])
    }

    @Test("first attribution wins: a later invite does not move the user")
    func firstAttributionWins() throws {
        let ledger = try base()
        _ = try ledger.record(json: step("referral.set", "s1", ["partnerId": "p1", "userId": 1]))
        _ = try ledger.record(json: step("referral.set", "s2", ["partnerId": "p2", "userId": 2]))
        _ = try ledger.record(json: step("user.created", "u9", ["userId": 9, "partnerId": "p1"]))
        let invite = try ledger.record(json: step("invite.received", "i1", ["invitedUserId": 9, "partnerUserId": 2, "brokerName": "B"]))
        #expect(invite.result == "ALREADY_ATTRIBUTED")
        #expect(invite.decision["brokerResult"] == .string("ATTRIBUTED"))
        #expect(invite.decision["currentPartnerId"] == .string("p1"))
        #expect(try ledger.rows("SELECT p.userId FROM attribution t JOIN ctidUser p ON p.id = t.parentRowId WHERE t.validTo IS NULL") == ["1"])
    }

    @Test("reassignment: locked inside the guaranteed period unless forced; moves the whole downline")
    func reassignment() throws {
        let ledger = try base()
        _ = try ledger.record(json: step("broker.configured", "c1", at: "2026-01-01T00:00:00Z", ["guaranteedAttributionDays": 30]))
        _ = try ledger.record(json: step("referral.set", "s1", at: "2026-02-01T00:00:00Z", ["partnerId": "p1", "userId": 1]))
        _ = try ledger.record(json: step("referral.set", "s2", at: "2026-02-01T00:00:00Z", ["partnerId": "p2", "userId": 2]))
        _ = try ledger.record(json: step("referral.set", "s3", at: "2026-02-01T00:00:00Z", ["partnerId": "p3", "userId": 3]))
        _ = try ledger.record(json: step("invite.received", "i1", at: "2026-02-02T00:00:00Z", ["invitedUserId": 3, "partnerUserId": 1, "brokerName": "B"]))
        _ = try ledger.record(json: step("user.created", "u9", at: "2026-02-03T00:00:00Z", ["userId": 9, "partnerId": "p3"]))
        let move = ["userId": 3, "partnerId": "p2", "reason": "r", "operator": "o"] as [String: Any]
        try expectRejected(ledger, step("attribution.reassigned", "r1", at: "2026-02-10T00:00:00Z", move), .attributionLocked, field: "userId")
        let forced = try ledger.record(json: step("attribution.reassigned", "r2", at: "2026-02-10T00:00:00Z", move.merging(["force": true]) { $1 }))
        #expect(forced.result == "REASSIGNED")
        #expect(forced.decision["forced"] == .bool(true))
        // After the period, no force is needed; the user goes back to partner 1, with its referral.
        let after = try ledger.record(json: step("attribution.reassigned", "r3", at: "2026-03-15T00:00:00Z",
                                                 ["userId": 3, "partnerId": "p1", "reason": "r", "operator": "o"]))
        #expect(after.decision["forced"] == .bool(false))
        let t = { (text: String) in Timestamp(rfc3339: text)!.milliseconds }
        #expect(try ledger.rows("""
            SELECT a.userId, l.depth, l.descendantUserId, l.attributedAt, l.validFrom, ifnull(l.validTo, '-') FROM lineage l
            JOIN ctidUser a ON a.id = l.ancestorRowId ORDER BY l.validFrom, a.userId, l.depth, l.descendantUserId
            """) == [
                "1|1|3|\(t("2026-02-02T00:00:00Z"))|\(t("2026-02-02T00:00:00Z"))|\(t("2026-02-10T00:00:00Z"))",
                "1|2|9|\(t("2026-02-03T00:00:00Z"))|\(t("2026-02-03T00:00:00Z"))|\(t("2026-02-10T00:00:00Z"))",
                "3|1|9|\(t("2026-02-03T00:00:00Z"))|\(t("2026-02-03T00:00:00Z"))|-",
                "2|1|3|\(t("2026-02-10T00:00:00Z"))|\(t("2026-02-10T00:00:00Z"))|\(t("2026-03-15T00:00:00Z"))",
                "2|2|9|\(t("2026-02-03T00:00:00Z"))|\(t("2026-02-10T00:00:00Z"))|\(t("2026-03-15T00:00:00Z"))",
                "1|1|3|\(t("2026-03-15T00:00:00Z"))|\(t("2026-03-15T00:00:00Z"))|-",
                "1|2|9|\(t("2026-02-03T00:00:00Z"))|\(t("2026-03-15T00:00:00Z"))|-",
            ])
        // Self and cycle checks apply; a detach needs a current attribution.
        try expectRejected(ledger, step("attribution.reassigned", "r4", at: "2026-04-01T00:00:00Z",
                                        ["userId": 1, "partnerId": "p3", "reason": "r", "operator": "o"]), .cycle, field: "partnerId")
        try expectRejected(ledger, step("attribution.reassigned", "r5", at: "2026-04-01T00:00:00Z",
                                        ["userId": 3, "partnerId": "p3", "reason": "r", "operator": "o"]), .selfReferral, field: "partnerId")
        try expectRejected(ledger, step("attribution.reassigned", "r6", at: "2026-04-01T00:00:00Z",
                                        ["userId": 4, "partnerId": NSNull(), "reason": "r", "operator": "o"]), .notFound, field: "userId")
        #expect(try ledger.verify().isIntact)
    }

    @Test("Flow 2: a partner registered long ago gets its cTID with user.created")
    func partnerGetsCTID() throws {
        let ledger = try Fixtures.ledger()
        #expect(try ledger.rows("""
            SELECT p.crmPartnerRef, ifnull(u.userId, '-') FROM partner p LEFT JOIN ctidUser u ON u.id = p.userRowId ORDER BY p.id
            """) == ["CRM-1001|1001", "CRM-3000|1004", "CRM-1002|1002"])
    }

    @Test("two brokers never share a row, even with the same userIds and partnerIds")
    func brokersAreSeparate() throws {
        let ledger = try Fixtures.emptyLedger()
        for broker in ["acme", "zeta"] {
            _ = try ledger.record(json: step("user.created", "u1", broker: broker, ["userId": 1]))
            _ = try ledger.record(json: step("referral.set", "s1", broker: broker, ["partnerId": "shared", "userId": 1]))
        }
        // Same eventId in two brokers: two events. Same partnerId: two holders.
        #expect(try ledger.rows("SELECT b.brokerCrmName, e.eventId FROM event e JOIN broker b ON b.id = e.brokerId ORDER BY e.seq")
            == ["acme|u1", "acme|s1", "zeta|u1", "zeta|s1"])
        #expect(try ledger.rows("SELECT brokerId, partnerId FROM partnerIdHolder ORDER BY id") == ["1|shared", "2|shared"])
        // zeta's user 2 attributed through "shared" goes under zeta's user 1, never acme's.
        _ = try ledger.record(json: step("user.created", "u2", broker: "zeta", ["userId": 2, "partnerId": "shared"]))
        #expect(try ledger.rows("SELECT p.brokerId, p.userId FROM attribution t JOIN ctidUser p ON p.id = t.parentRowId") == ["2|1"])
        // A user unknown in zeta is unknown, whatever acme holds.
        _ = try ledger.record(json: step("user.created", "u5", broker: "acme", ["userId": 5]))
        let error = try #require(throws: LedgerError.self) {
            try ledger.record(json: step("account.linked", "a1", broker: "zeta", ["userId": 5, "ctidTraderAccountId": 9]))
        }
        #expect(error == LedgerError(.unknownUser, field: "userId", "no user 5 in broker zeta"))
    }
}
