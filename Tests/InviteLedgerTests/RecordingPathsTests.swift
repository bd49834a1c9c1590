import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// `record` (one step per transaction, foreign keys enforced) and `ingest` (batches decided in
/// memory, rows written 32 per statement, foreign keys not enforced) must give the same ledger:
/// the same outcomes, the same chain, the same rows.
@Suite("record and ingest give the same ledger")
struct RecordingPathsTests {
    /// A history with every kind of step and outcome, in two brokers: clicks and signups through
    /// partnerIds, user- and account-level assignments, replacements and deletions, reassignments
    /// and detachments, invites, unknown partnerIds, repeated lines (duplicates) and lines that
    /// reuse an eventId with other content or name what does not exist (rejected).
    static func history(seed: UInt64, users: Int64) -> [String] {
        var random = FuzzTests.Random(state: seed)
        var lines: [String] = []
        var partners: [String: [String]] = ["acme": [], "beta": []]
        var minute: Int64 = 0
        func at() -> String {
            minute += 1 + Int64(random.next() % 3)
            return Timestamp(milliseconds: 1_767_225_600_000 + minute * 60_000).rfc3339
        }
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        for user in 1...users {
            let broker = user % 10 == 0 ? "beta" : "acme"
            let id = "\(broker)-\(user)"
            if let partner = partners[broker]!.randomElement(using: &random), chance(85) {
                let partnerId = chance(4) ? "nobody-\(user)" : partner
                lines.append(step("link.clicked", "\(id)-click", at: at(), broker: broker, ["partnerId": partnerId, "visitorId": "v\(user)"]))
                lines.append(step("signup.submitted", "\(id)-signup", at: at(), broker: broker,
                                  ["signupId": "S\(user)", "partnerId": partnerId, "visitorId": "v\(user)"]))
                lines.append(step("user.created", "\(id)-user", at: at(), broker: broker, ["userId": user, "signupId": "S\(user)"]))
            } else {
                lines.append(step("user.created", "\(id)-user", at: at(), broker: broker, ["userId": user]))
            }
            if chance(40) {
                lines.append(step("referral.set", "\(id)-ref", at: at(), broker: broker, ["partnerId": "p\(user)", "userId": user]))
                partners[broker]!.append("p\(user)")
            }
            if chance(15) {
                let account = 1_000_000 + user
                lines.append(step("account.linked", "\(id)-acct", at: at(), broker: broker,
                                  ["userId": user, "ctidTraderAccountId": account, "traderLogin": user]))
                lines.append(step("referral.set", "\(id)-aref", at: at(), broker: broker, ["partnerId": "a\(user)", "ctidTraderAccountId": account]))
                partners[broker]!.append("a\(user)")
            }
            if chance(6), user > 3 {
                // Support moves an earlier user under a random partner, or detaches it.
                let target = Int64(random.next() % UInt64(user - 1)) + 1
                var fields: [String: Any] = ["userId": target, "reason": "support", "operator": "ops", "force": chance(50)]
                fields["partnerId"] = chance(20) ? NSNull() : (partners[broker]!.randomElement(using: &random) ?? "p1")
                lines.append(step("attribution.reassigned", "\(id)-move", at: at(), broker: broker, fields))
            }
            if chance(4) {
                lines.append(step("referral.deleted", "\(id)-del", at: at(), broker: broker, ["userId": user]))
            }
            if chance(5), let partner = partners[broker]!.randomElement(using: &random) {
                lines.append(step("invite.received", "\(id)-invite", at: at(), broker: broker,
                                  ["invitedUserId": 500_000 + user, "partnerUserId": Int64(partner.dropFirst())!, "brokerName": "B"]))
            }
            if chance(5), let last = lines.last { lines.append(last) }
            if chance(3) {
                lines.append(step("user.created", "\(id)-user", at: at(), broker: broker, ["userId": user + 9_000_000]))
            }
            if chance(3) {
                lines.append(step("account.linked", "\(id)-bad", at: at(), broker: broker, ["userId": 8_000_000, "ctidTraderAccountId": 7]))
            }
        }
        return lines
    }

    @Test("the same history one step per transaction and in batches of 1, 7 and 500: equal outcomes, chain and rows",
          arguments: [UInt64(1), 2])
    func samePaths(seed: UInt64) throws {
        let lines = Self.history(seed: seed, users: 300)
        #expect(lines.count > 900)

        let stepByStep = try Fixtures.emptyLedger()
        var outcomes: [String] = []
        for line in lines {
            do {
                outcomes.append(try stepByStep.record(json: line).json.serialized())
            } catch let error as LedgerError {
                outcomes.append(error.code.rawValue)
            }
        }
        // Every kind of answer is in the history.
        for result in ["ATTRIBUTED", "UNKNOWN_PARTNER_ID", "REASSIGNED", "DETACHED", "DELETED", "LINKED", "duplicate",
                       "IDEMPOTENCY_CONFLICT", "UNKNOWN_USER"] {
            #expect(outcomes.contains { $0.contains(result) }, "\(result) is missing from the history")
        }
        let tables = try stepByStep.queue.inDatabase { try LedgerSchema.tables($0) }
        let expected = try tables.map { try stepByStep.rows("SELECT * FROM \($0)") }
        let head = try stepByStep.verify().headHash

        for batchSize in [1, 7, 500] {
            let (batched, rejected) = try Fixtures.ingested(lines, batchSize: batchSize)
            #expect(rejected == outcomes.filter { !$0.hasPrefix("{") }, "batch size \(batchSize)")
            for (table, rows) in zip(tables, expected) {
                #expect(try batched.rows("SELECT * FROM \(table)") == rows, "batch size \(batchSize): \(table)")
            }
            let report = try batched.verify()
            #expect(report.problems == [], "batch size \(batchSize)")
            #expect(report.headHash == head)
        }
    }
}
