import Foundation
import Testing

@testable import InviteLedger

@Suite("Queries")
struct QueryTests {
    /// The seed flows and every attribution outcome: three levels, account-level partners, a
    /// reassigned subtree and a detached (then re-attributed) user.
    static func ledger() throws -> Ledger {
        try Fixtures.ledger(["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson"])
    }

    static func time(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }

    /// `level|userId|parentUserId|attributedAt|partnerId|partnerAccount|linkId|accounts`.
    static func rows(_ page: ReferralPage) -> [String] {
        page.referrals.map {
            "\($0.level)|\($0.userId)|\($0.parentUserId)|\($0.attributedAt.rfc3339)|\($0.partnerId ?? "-")|"
                + "\($0.partnerCtidTraderAccountId.map(String.init) ?? "-")|\($0.linkId ?? "-")|\($0.accounts)"
        }
    }

    @Test("a partner's downline now: reassigned users appear under their new partner")
    func currentTree() throws {
        let page = try Self.ledger().referrals(of: .userId(1001), depth: 5)
        #expect(Self.rows(page) == [
            "1|1002|1001|2026-03-03T12:05:00.000Z|ib-alice|-|L-1|1",
            "1|1012|1001|2026-04-08T10:00:00.000Z|ib-alice|-|-|0",
            "1|1003|1001|2026-04-09T11:00:00.000Z|ib-alice|-|-|1",
            "2|2001|1003|2026-04-03T14:00:00.000Z|ib-dave|-|-|0",
        ])
        #expect(page.nextCursor == nil)
        #expect(page.brokerCrmName == "acme")
        #expect(page.partnerUserId == 1001)
    }

    @Test("as of a time: the tree before and after a reassignment, with three levels")
    func asOf() throws {
        let ledger = try Self.ledger()
        // Before the seed's second flow: one referral.
        #expect(Self.rows(try ledger.referrals(of: .userId(1001), depth: 5, asOf: Self.time("2026-03-05T00:00:00Z"))) == [
            "1|1002|1001|2026-03-03T12:05:00.000Z|ib-alice|-|L-1|1",
        ])
        // 1012 forced under 1003 (level 3, through 1002's account-level partnerId at level 2).
        #expect(Self.rows(try ledger.referrals(of: .userId(1001), depth: 5, asOf: Self.time("2026-04-06T00:00:00Z"))) == [
            "1|1002|1001|2026-03-03T12:05:00.000Z|ib-alice|-|L-1|1",
            "2|1003|1002|2026-03-11T18:35:00.000Z|bob@ib.example|5002|L-2|1",
            "3|2001|1003|2026-04-03T14:00:00.000Z|ib-dave|-|-|0",
            "3|1012|1003|2026-04-05T10:00:00.000Z|ib-dave|-|-|0",
        ])
        // 1012 detached: gone from the tree.
        #expect(Self.rows(try ledger.referrals(of: .userId(1001), depth: 5, asOf: Self.time("2026-04-07T12:00:00Z"))) == [
            "1|1002|1001|2026-03-03T12:05:00.000Z|ib-alice|-|L-1|1",
            "2|1003|1002|2026-03-11T18:35:00.000Z|bob@ib.example|5002|L-2|1",
            "3|2001|1003|2026-04-03T14:00:00.000Z|ib-dave|-|-|0",
        ])
        // Just before and at the reassignment of 1003 from 1002 to 1001.
        #expect(Self.rows(try ledger.referrals(of: .userId(1002), depth: 5, asOf: Self.time("2026-04-09T10:59:59.999Z"))) == [
            "1|1003|1002|2026-03-11T18:35:00.000Z|bob@ib.example|5002|L-2|1",
            "2|2001|1003|2026-04-03T14:00:00.000Z|ib-dave|-|-|0",
        ])
        #expect(Self.rows(try ledger.referrals(of: .userId(1002), depth: 5, asOf: Self.time("2026-04-09T11:00:00Z"))) == [])
        #expect(try ledger.stats(of: .userId(1001), asOf: Self.time("2026-04-06T00:00:00Z")).levels.map { "\($0.level):\($0.count)" }
            == ["1:1", "2:1", "3:2"])
    }

    @Test("depth limits the levels; stats count per level and in total")
    func depthAndStats() throws {
        let ledger = try Self.ledger()
        #expect(Self.rows(try ledger.referrals(of: .userId(1001))).count == 3)
        let stats = try ledger.stats(of: .userId(1001))
        #expect(stats.levels.map { "\($0.level):\($0.count)" } == ["1:3", "2:1"])
        #expect(stats.total == 4)
        #expect(try ledger.stats(of: .userId(1001), depth: 1).total == 3)
        #expect(try ledger.stats(of: .userId(2001)).levels.isEmpty)
    }

    @Test("every lookup form names the same partner")
    func lookupForms() throws {
        let ledger = try Self.ledger()
        let byUser = Self.rows(try ledger.referrals(of: .userId(1003), depth: 2))
        #expect(byUser == ["1|2001|1003|2026-04-03T14:00:00.000Z|ib-dave|-|-|0"])
        #expect(Self.rows(try ledger.referrals(of: .accountId(5003), depth: 2)) == byUser)
        #expect(Self.rows(try ledger.referrals(of: .partnerId("ib-dave"), depth: 2)) == byUser)
        // A partner's CRM reference, and an account-level partnerId: 1002's tree.
        #expect(try ledger.referrals(of: .crmPartnerRef("CRM-1002")).partnerUserId == 1002)
        #expect(try ledger.referrals(of: .partnerId("bob@ib.example")).partnerUserId == 1002)
        #expect(throws: LedgerError(.unknownUser, field: "--user-id", "no user 77 in broker acme")) {
            try ledger.referrals(of: .userId(77))
        }
        #expect(throws: LedgerError(.unknownAccount, field: "--account-id", "no trading account 77 in broker acme")) {
            try ledger.referrals(of: .accountId(77))
        }
        #expect(throws: LedgerError(.unknownPartnerId, field: "--partner-id", "partnerId \"nobody\" was never assigned in broker acme")) {
            try ledger.referrals(of: .partnerId("nobody"))
        }
        #expect(throws: LedgerError(.unknownPartner, field: "--crm-partner-ref", "no partner \"CRM-0\" registered in broker acme")) {
            try ledger.referrals(of: .crmPartnerRef("CRM-0"))
        }
        _ = try ledger.record(json: step("partner.registered", "p-new", ["crmPartnerRef": "CRM-NEW"]))
        #expect(throws: LedgerError(.notFound, field: "--crm-partner-ref", "partner \"CRM-NEW\" has no cTID user yet")) {
            try ledger.referrals(of: .crmPartnerRef("CRM-NEW"))
        }
    }

    @Test("pages follow each other without repeating or skipping, while attributions arrive")
    func pagination() throws {
        let ledger = try Fixtures.emptyLedger()
        _ = try ledger.record(json: step("user.created", "p", at: "2026-01-01T00:00:00Z", ["userId": 1]))
        _ = try ledger.record(json: step("referral.set", "s", at: "2026-01-01T00:00:00Z", ["partnerId": "p1", "userId": 1]))
        // Seven referrals, two of them at the same millisecond (ordered by userId).
        for (index, userId) in [10, 11, 12, 14, 13, 15, 16].enumerated() {
            let minute = index == 4 ? 3 : index
            _ = try ledger.record(json: step("user.created", "u\(userId)", at: "2026-02-01T00:0\(minute):00Z", ["userId": userId, "partnerId": "p1"]))
        }
        var seen: [Int64] = []
        var page = try ledger.referrals(of: .userId(1), limit: 3)
        seen += page.referrals.map(\.userId)
        #expect(seen == [10, 11, 12])
        // New referrals arrive: one later than everything, one at the same time as the cursor row.
        _ = try ledger.record(json: step("user.created", "u20", at: "2026-02-01T00:09:00Z", ["userId": 20, "partnerId": "p1"]))
        _ = try ledger.record(json: step("user.created", "u5", at: "2026-02-01T00:00:30Z", ["userId": 5, "partnerId": "p1"]))
        while let cursor = page.nextCursor {
            page = try ledger.referrals(of: .userId(1), limit: 3, after: cursor)
            seen += page.referrals.map(\.userId)
        }
        // Every row that existed stays in order, once; the one attributed after them comes last;
        // the one attributed before the cursor is on no later page (it belongs to page one).
        #expect(seen == [10, 11, 12, 13, 14, 15, 16, 20])
        #expect(throws: LedgerError(.invalidCursor, field: "--after", "\"garbage\" is not a cursor printed by a previous page (nextCursor)")) {
            try ledger.referrals(of: .userId(1), after: "garbage")
        }
        #expect(throws: LedgerError(.invalidField, field: "--limit", "limit must be from 1 to 10000, got 0")) {
            try ledger.referrals(of: .userId(1), limit: 0)
        }
    }

    @Test("the GET: a user's user-level partnerId, an account's with its owner, NOT_FOUND otherwise")
    func get() throws {
        let ledger = try Self.ledger()
        let user = try ledger.referral(of: .userId(1001))
        #expect(user == ReferralAssignment(
            brokerCrmName: "acme", partnerId: "ib-alice", level: "user", userId: 1001, ctidTraderAccountId: nil,
            since: Self.time("2026-04-09T15:00:00Z"), crmPartnerRef: "CRM-1001"))
        let account = try ledger.referral(of: .accountId(5002))
        #expect(account == ReferralAssignment(
            brokerCrmName: "acme", partnerId: "bob@ib.example", level: "account", userId: 1002, ctidTraderAccountId: 5002,
            since: Self.time("2026-03-10T10:05:00Z"), crmPartnerRef: "CRM-1002"))
        #expect(throws: LedgerError(.notFound, field: "--user-id", "user 1002 has no user-level partnerId")) {
            try ledger.referral(of: .userId(1002))
        }
        #expect(throws: LedgerError(.notFound, field: "--user-id", "user 1004 has no user-level partnerId")) {
            try ledger.referral(of: .userId(1004))
        }
        // As cTrader's GET: an account's record is its own; the user's is read with --user-id.
        #expect(throws: LedgerError(.notFound, field: "--account-id", #"trading account 5001 has no account-level partnerId; its user 1001 holds "ib-alice" at user level (--user-id 1001)"#)) {
            try ledger.referral(of: .accountId(5001))
        }
    }

    @Test("the upline, now and before a reassignment, with the partnerIds involved")
    func upline() throws {
        let ledger = try Self.ledger()
        func levels(_ upline: Upline) -> [String] {
            upline.levels.map { "\($0.level)|\($0.userId)|\($0.partnerId ?? "-")|\($0.partnerCtidTraderAccountId.map(String.init) ?? "-")|\($0.crmPartnerRef ?? "-")" }
        }
        #expect(levels(try ledger.upline(of: .userId(2001))) == ["1|1003|ib-dave|-|-", "2|1001|ib-alice|-|CRM-1001"])
        #expect(levels(try ledger.upline(of: .userId(2001), asOf: Self.time("2026-04-05T00:00:00Z")))
            == ["1|1003|ib-dave|-|-", "2|1002|bob@ib.example|5002|CRM-1002", "3|1001|ib-alice|-|CRM-1001"])
        #expect(levels(try ledger.upline(of: .accountId(5001))) == [])
    }

    @Test("the trace of a user attributed through a share link, step by step, then its upline")
    func trace() throws {
        let ledger = try Fixtures.ledger()
        let trace = try ledger.trace(of: .userId(1003))
        #expect(trace.isVerified)
        #expect(trace.sections.map(\.userId) == [1003, 1002, 1001])
        #expect(trace.sections[0].steps.map { "\($0.seq) \($0.role) \($0.step)" } == [
            "12 partner registration partner.registered",
            "13 partnerId assignment referral.set",
            "14 link link.generated",
            "15 click link.clicked",
            "16 signup signup.submitted",
            "17 user creation + attribution user.created",
        ])
        #expect(trace.sections[0].partnersMet == [
            Trace.PartnerMet(partnerId: "bob@ib.example", partnerUserId: 1002, how: "click", firstSeq: 15, isCurrent: true)
        ])
        #expect(trace.sections[1].steps.map { "\($0.seq) \($0.role)" } == [
            "2 partner registration", "5 partnerId assignment", "6 link", "7 click", "8 signup", "9 user creation + attribution",
        ])
        #expect(trace.sections[2].steps.map { "\($0.seq) \($0.role)" } == ["3 user creation"])
        #expect(trace.sections[0].steps[2].outcome["result"] == .string("GENERATED"))

        // An edited step shows as not verified.
        try ledger.tamper("DROP TRIGGER event_no_update; UPDATE event SET payload = payload || ' ' WHERE seq = 14")
        let tampered = try ledger.trace(of: .userId(1003))
        #expect(!tampered.isVerified)
        #expect(tampered.sections[0].steps.filter { !$0.verified }.map(\.seq) == [14])
    }

    @Test("a trace lists every seq it cites: each partner met is met at one of its steps")
    func traceCitesItsSteps() throws {
        let ledger = try Self.ledger()
        var clicksMet = 0
        for userId in try ledger.rows("SELECT userId FROM ctidUser ORDER BY userId").compactMap({ Int64($0) }) {
            let trace = try ledger.trace(of: .userId(userId))
            #expect(trace.isVerified)
            for section in trace.sections {
                let seqs = Set(section.steps.map(\.seq))
                for met in section.partnersMet {
                    #expect(seqs.contains(met.firstSeq), "user \(section.userId): \(met.partnerId) met at seq \(met.firstSeq)")
                    if met.how == "click" && !met.isCurrent { clicksMet += 1 }
                }
            }
        }
        // Partners met by a click after the attribution (not the signup's click) are among them.
        #expect(clicksMet > 0)
    }

    @Test("the trace shows reassignments, forced ones, detachments and rejections")
    func traceOfReassignedUser() throws {
        let trace = try Self.ledger().trace(of: .userId(1012))
        #expect(trace.sections[0].steps.map { step -> String in
            var result = ""
            if case .string(let value)? = step.outcome["result"] { result = value }
            return "\(step.seq) \(step.role) \(result)\(step.outcome["forced"] == .bool(true) ? " forced" : "")"
        } == [
            "2 partner registration REGISTERED", "5 partnerId assignment ASSIGNED", "28 partnerId assignment ASSIGNED",
            "33 user creation + attribution ATTRIBUTED", "35 reassignment REASSIGNED forced",
            "37 detachment DETACHED forced", "38 invite ATTRIBUTED",
        ])
        #expect(trace.sections[0].partnersMet.map { "\($0.partnerId) \($0.how) \($0.firstSeq) \($0.isCurrent)" } == [
            "ib-alice attribution 33 true", "ib-dave reassignment 35 false",
        ])
    }

    @Test("a query never leaves its broker; with two brokers it must name one")
    func brokerScoping() throws {
        let ledger = try Fixtures.emptyLedger()
        for (broker, child) in [("acme", 10), ("zeta", 20)] {
            _ = try ledger.record(json: step("user.created", "u1", broker: broker, ["userId": 1]))
            _ = try ledger.record(json: step("referral.set", "s1", broker: broker, ["partnerId": "shared", "userId": 1]))
            _ = try ledger.record(json: step("user.created", "c", broker: broker, ["userId": child, "partnerId": "shared"]))
        }
        #expect(try ledger.referrals(broker: "acme", of: .partnerId("shared")).referrals.map(\.userId) == [10])
        #expect(try ledger.referrals(broker: "zeta", of: .userId(1)).referrals.map(\.userId) == [20])
        #expect(try ledger.upline(broker: "zeta", of: .userId(20)).levels.map(\.userId) == [1])
        #expect(throws: LedgerError(.unknownUser, field: "--user-id", "no user 10 in broker zeta")) {
            try ledger.upline(broker: "zeta", of: .userId(10))
        }
        #expect(throws: LedgerError(.ambiguousBroker, field: "--broker", "the ledger holds 2 brokers (acme, zeta); name one with --broker")) {
            try ledger.stats(of: .userId(1))
        }
        #expect(throws: LedgerError(.unknownBroker, field: "--broker", "no broker \"omega\" in this ledger")) {
            try ledger.stats(broker: "omega", of: .userId(1))
        }
        #expect(try ledger.trace(broker: "acme", of: .userId(10)).sections.flatMap(\.steps).allSatisfy { $0.seq <= 3 })
    }
}
